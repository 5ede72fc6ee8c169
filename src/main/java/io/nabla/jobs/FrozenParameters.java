package io.nabla.jobs;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What a job's {@code freeze} list means: each entry names a parameter of the model's state dict ({@code "0.weight"})
 * or a module holding parameters ({@code "0"}, {@code "1.layers.0"}), and every parameter it names keeps its value,
 * as PyTorch's {@code requires_grad_(False)} keeps it: no gradient is computed for it and the optimizer, the
 * gradient clipping and the loss scaler's checks leave it out. Buffers (a {@code BatchNorm}'s running statistics)
 * are not parameters: in training they update as before, frozen or not, as in PyTorch.
 */
final class FrozenParameters {

    /** The state dict entries of the models jobs train that are buffers, not parameters (BatchNorm's). */
    static final Set<String> BUFFER_NAMES = Set.of("running_mean", "running_var", "num_batches_tracked");

    private FrozenParameters() {
    }

    /**
     * The names among {@code parameters} that {@code freeze} names, in {@code parameters}' order. An entry that names
     * no parameter is a 400 that says so, with some of the names there are; freezing every parameter is one too.
     */
    static Set<String> select(List<String> freeze, Collection<String> parameters) {
        Set<String> out = new LinkedHashSet<>();
        for (int i = 0; i < freeze.size(); i++) {
            String entry = freeze.get(i);
            boolean any = false;
            for (String p : parameters) {
                if (p.equals(entry) || p.startsWith(entry + ".")) {
                    out.add(p);
                    any = true;
                }
            }
            if (!any) {
                throw new IllegalArgumentException("freeze[" + i + "]: expected the name of a parameter of the model "
                        + "or of a module holding some, such as " + examples(parameters) + ", got \"" + clip(entry)
                        + "\", which names none");
            }
        }
        if (!out.isEmpty() && out.size() == parameters.size()) {
            throw new IllegalArgumentException("freeze: expected at least one parameter left to train, got all "
                    + parameters.size() + " frozen");
        }
        Set<String> ordered = new LinkedHashSet<>();
        for (String p : parameters) {
            if (out.contains(p)) {
                ordered.add(p);
            }
        }
        return ordered;
    }

    /** The parameter names among the names of a state dict (its buffers left out). */
    static List<String> parameterNames(Collection<String> stateDictNames) {
        List<String> out = new ArrayList<>();
        for (String n : stateDictNames) {
            if (!BUFFER_NAMES.contains(n.substring(n.lastIndexOf('.') + 1))) {
                out.add(n);
            }
        }
        return out;
    }

    /** Up to four names, and their modules, to show what an entry may be. */
    private static String examples(Collection<String> parameters) {
        Set<String> shown = new LinkedHashSet<>();
        for (String p : parameters) {
            int dot = p.indexOf('.');
            for (String name : dot > 0 ? List.of(p.substring(0, dot), p) : List.of(p)) {
                if (shown.size() < 4) {
                    shown.add("\"" + name + "\"");
                }
            }
        }
        return String.join(", ", shown);
    }

    private static String clip(String s) {
        return s.length() > 64 ? s.substring(0, 64) + "..." : s;
    }
}
