package io.nabla.inference;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The directory of one model in the {@link ModelStore}: its version directories ({@code 1/}, {@code 2/}, ...) and,
 * beside them, what the model remembers while it exists, also once every version is deleted: {@code next-version}, the
 * number its next version gets (above every number it ever had), and {@code model-id}, a random id given when the
 * model is created, so a model deleted and created again under the same name is told apart from the one before.
 * Both files are written with {@link DurableFiles} (atomically, fsynced); the store calls this under its lock.
 *
 * @param dir {@code <root>/models/<name>}
 */
record ModelDirectory(Path dir) {

    static final String COUNTER_FILE = "next-version";
    static final String ID_FILE = "model-id";

    /** True when the model exists, with or without versions. */
    boolean exists() {
        return Files.isDirectory(dir);
    }

    /** The version numbers present, ascending. */
    List<Integer> versions() {
        List<Integer> out = new ArrayList<>();
        if (!exists()) {
            return out;
        }
        try (Stream<Path> dirs = Files.list(dir)) {
            dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString())
                    .filter(n -> n.matches("[1-9][0-9]{0,8}")).map(Integer::parseInt).sorted().forEach(out::add);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        return out;
    }

    /** The number the next version gets: above every number the model ever had. */
    int nextVersion() throws IOException {
        int next = counter();
        for (int v : versions()) {
            next = Math.max(next, v + 1);
        }
        return next;
    }

    /** Records {@code next} as the number the next version gets. */
    void writeNextVersion(int next) throws IOException {
        DurableFiles.write(dir.resolve(COUNTER_FILE), Integer.toString(next).getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * Makes the counter hold {@link #nextVersion()} (before a version is deleted: a store written before the counter
     * existed has none, and the numbers would otherwise come back with the versions gone).
     */
    void keepNumbering() throws IOException {
        int next = nextVersion();
        if (counter() != next) {
            writeNextVersion(next);
        }
    }

    /** The counter file's number (1 when there is none). */
    private int counter() throws IOException {
        Path counter = dir.resolve(COUNTER_FILE);
        if (Files.exists(counter)) {
            String text = Files.readString(counter, StandardCharsets.US_ASCII).trim();
            if (text.matches("[1-9][0-9]{0,8}")) {
                return Integer.parseInt(text);
            }
        }
        return 1;
    }

    /**
     * The model's id; one is made and stored when the model has none (a model created before ids existed, or a crash
     * between creating the directory and writing the id: no version of the model, and so no job, can have seen one).
     */
    String id() throws IOException {
        Optional<String> stored = storedId();
        if (stored.isPresent()) {
            return stored.get();
        }
        String id = UUID.randomUUID().toString();
        DurableFiles.write(dir.resolve(ID_FILE), id.getBytes(StandardCharsets.US_ASCII));
        return id;
    }

    private Optional<String> storedId() throws IOException {
        Path file = dir.resolve(ID_FILE);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
        return text.isEmpty() ? Optional.empty() : Optional.of(text);
    }
}
