package io.nabla.jobs;

import io.nabla.nn.JsonValues;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which parameters a job's lists name ({@code freeze}, {@code optimizer.no_weight_decay},
 * {@code optimizer.param_groups[i].params}): each entry is a parameter
 * of the model's state dict ({@code "0.weight"}), a module holding parameters ({@code "0"}, {@code "1.layers.0"}), or
 * a pattern where {@code *} stands for any characters, dots included ({@code "*.bias"}, {@code "1.layers.*.norm1.*"}),
 * matched against whole names.
 *
 * <p>{@code freeze}: every parameter it names keeps its value, as PyTorch's {@code requires_grad_(False)} keeps it:
 * no gradient is computed for it and the optimizer, the gradient clipping and the loss scaler's checks leave it out.
 * Buffers (a {@code BatchNorm}'s running statistics) are not parameters: in training they update as before, frozen or
 * not, as in PyTorch.
 */
final class ParameterSelection {

    /** The state dict entries of the models jobs train that are buffers, not parameters (BatchNorm's). */
    static final Set<String> BUFFER_NAMES = Set.of("running_mean", "running_var", "num_batches_tracked");

    private ParameterSelection() {
    }

    /** What {@code entry} names: a test of parameter names. */
    static java.util.function.Predicate<String> matcher(String entry) {
        if (entry.indexOf('*') < 0) {
            return name -> name.equals(entry) || name.startsWith(entry + ".");
        }
        String[] parts = entry.split("\\*", -1);
        StringBuilder re = new StringBuilder();
        for (int k = 0; k < parts.length; k++) {
            re.append(k == 0 ? "" : ".*").append(java.util.regex.Pattern.quote(parts[k]));
        }
        java.util.regex.Pattern pattern = java.util.regex.Pattern.compile(re.toString(), java.util.regex.Pattern.DOTALL);
        return name -> pattern.matcher(name).matches();
    }

    /**
     * The names among {@code parameters} that the entries of {@code field} name, in {@code parameters}' order. An
     * entry that names no parameter is a 400 that says so, with some of the names there are.
     */
    static Set<String> select(String field, List<String> entries, Collection<String> parameters) {
        boolean[] named = new boolean[entries.size()];
        List<java.util.function.Predicate<String>> tests = entries.stream().map(ParameterSelection::matcher).toList();
        Set<String> out = new LinkedHashSet<>();
        for (String p : parameters) {
            for (int i = 0; i < entries.size(); i++) {
                if (tests.get(i).test(p)) {
                    named[i] = true;
                    out.add(p);
                }
            }
        }
        for (int i = 0; i < named.length; i++) {
            if (!named[i]) {
                throw new IllegalArgumentException(field + "[" + i + "]: expected the name of a parameter of the "
                        + "model, of a module holding some, or a pattern such as \"*.bias\" matching some; names are "
                        + "such as " + examples(parameters) + ", got \"" + JsonValues.brief(entries.get(i)) + "\", which names none");
            }
        }
        return out;
    }

    /** {@code freeze}'s selection: as {@link #select}, and freezing every parameter is a 400 too. */
    static Set<String> frozen(List<String> freeze, Collection<String> parameters) {
        Set<String> out = select("freeze", freeze, parameters);
        if (!out.isEmpty() && out.size() == parameters.size()) {
            throw new IllegalArgumentException("freeze: expected at least one parameter left to train, got all "
                    + parameters.size() + " frozen");
        }
        return out;
    }

    /**
     * {@code optimizer.param_groups}' selections: for each group, the names among {@code parameters} its
     * {@code params} name (as {@link #select}, in {@code parameters}' order). A parameter named by two groups is a
     * 400 naming both, as PyTorch refuses a parameter in more than one group.
     */
    static List<Set<String>> groups(List<io.nabla.optim.OptimizerSpec.Group> groups, Collection<String> parameters) {
        List<Set<String>> out = new ArrayList<>();
        java.util.Map<String, Integer> owner = new java.util.HashMap<>();
        for (int g = 0; g < groups.size(); g++) {
            String field = "optimizer.param_groups[" + g + "].params";
            Set<String> names = select(field, groups.get(g).params(), parameters);
            for (String n : names) {
                Integer before = owner.putIfAbsent(n, g);
                if (before != null) {
                    throw new IllegalArgumentException(field + ": names the parameter \"" + JsonValues.brief(n)
                            + "\", which optimizer.param_groups[" + before + "] names already; expected each "
                            + "parameter in at most one group");
                }
            }
            out.add(names);
        }
        return out;
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
}
