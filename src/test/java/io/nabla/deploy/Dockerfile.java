package io.nabla.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Dockerfile read the way the builder reads it: comments dropped, continuation lines joined, one instruction per
 * entry, {@code ARG} defaults declared before the first {@code FROM} substituted into {@code FROM} lines, and the
 * instructions split into stages. No Docker engine is needed (this machine has none); the image build itself is not
 * verified here.
 */
final class Dockerfile {

    /** One instruction: the keyword in capitals and the rest of the line. */
    record Instruction(String keyword, String args) {
    }

    /** One stage: its base image (ARGs substituted), its name (or null) and its instructions after FROM. */
    record Stage(String image, String name, List<Instruction> instructions) {

        List<String> all(String keyword) {
            return instructions.stream().filter(i -> i.keyword().equals(keyword)).map(Instruction::args).toList();
        }

        String last(String keyword) {
            List<String> found = all(keyword);
            return found.isEmpty() ? null : found.get(found.size() - 1);
        }
    }

    private static final Pattern ARG_REF = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}|\\$([A-Za-z_][A-Za-z0-9_]*)");

    final Path path;
    final Map<String, String> globalArgs = new LinkedHashMap<>();
    final List<Stage> stages = new ArrayList<>();

    private Dockerfile(Path path) {
        this.path = path;
    }

    static Dockerfile read(Path path) {
        Dockerfile d = new Dockerfile(path);
        List<Instruction> current = null;
        for (Instruction i : instructions(path)) {
            if (i.keyword().equals("FROM")) {
                String[] words = i.args().split("\\s+");
                String image = d.substitute(words[0]);
                String name = words.length >= 3 && words[1].equalsIgnoreCase("AS") ? words[2] : null;
                current = new ArrayList<>();
                d.stages.add(new Stage(image, name, current));
            } else if (current == null) {
                if (!i.keyword().equals("ARG")) {
                    throw new IllegalStateException(path + ": " + i.keyword() + " before the first FROM");
                }
                String[] kv = i.args().split("=", 2);
                d.globalArgs.put(kv[0].trim(), kv.length == 2 ? kv[1].trim() : null);
            } else {
                current.add(i);
            }
        }
        return d;
    }

    /** The stage the image is made of: the last one. */
    Stage runtime() {
        return stages.get(stages.size() - 1);
    }

    Stage stage(String name) {
        return stages.stream().filter(s -> name.equals(s.name())).findFirst()
                .orElseThrow(() -> new AssertionError(path + " has no stage " + name));
    }

    private String substitute(String text) {
        Matcher m = ARG_REF.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(2);
            String value = globalArgs.get(name);
            if (value == null) {
                throw new AssertionError(path + ": FROM uses ARG " + name + " without a default");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static List<Instruction> instructions(Path path) {
        List<String> lines;
        try {
            lines = Files.readAllLines(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Instruction> out = new ArrayList<>();
        StringBuilder pending = new StringBuilder();
        for (String raw : lines) {
            String line = raw.strip();
            if (line.startsWith("#") || (line.isEmpty() && pending.isEmpty())) {
                continue;
            }
            if (line.endsWith("\\")) {
                pending.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            pending.append(line);
            String text = pending.toString().strip();
            pending.setLength(0);
            int space = text.indexOf(' ');
            out.add(new Instruction(text.substring(0, space).toUpperCase(), text.substring(space + 1).strip()));
        }
        if (!pending.isEmpty()) {
            throw new IllegalStateException(path + " ends inside a continued line: " + pending);
        }
        return out;
    }
}
