package io.nabla.optim;

import io.nabla.nn.JsonValues;
import tools.jackson.databind.JsonNode;

/**
 * The values of the optimizer and schedule objects of a job request, read strictly: each method reads field
 * {@code name} of {@code node} (null or absent: the default, or "required" when there is none) and otherwise fails
 * naming the field, what it expects and what it got.
 */
final class SpecValues {

    private SpecValues() {
    }

    static String string(JsonNode node, String name, String defaultValue) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            return defaultValue;
        }
        if (!v.isString()) {
            throw new IllegalArgumentException(name + ": expected a string, got " + JsonValues.brief(v));
        }
        return v.stringValue();
    }

    static double number(JsonNode node, String name, Double defaultValue) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            if (defaultValue == null) {
                throw new IllegalArgumentException(name + ": required; expected a number, got nothing");
            }
            return defaultValue;
        }
        if (!v.isNumber()) {
            throw new IllegalArgumentException(name + ": expected a number, got " + JsonValues.brief(v));
        }
        return JsonValues.toDouble(v);
    }

    /** A number, or a list of 1 to {@value LrSchedulerSpec#LrSchedulerSpec.MAX_LIST} numbers (one per parameter group). */
    static double[] numbers(JsonNode node, String name, Double defaultValue) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull() || v.isNumber()) {
            return new double[] {number(node, name, defaultValue)};
        }
        if (!v.isArray() || v.isEmpty() || v.size() > LrSchedulerSpec.MAX_LIST) {
            throw new IllegalArgumentException(name + ": expected a number, or a list of one per parameter group, got "
                    + JsonValues.brief(v));
        }
        double[] out = new double[v.size()];
        for (int i = 0; i < out.length; i++) {
            if (!v.get(i).isNumber()) {
                throw new IllegalArgumentException(name + "[" + i + "]: expected a number, got "
                        + JsonValues.brief(v.get(i)));
            }
            out[i] = JsonValues.toDouble(v.get(i));
        }
        return out;
    }

    static boolean bool(JsonNode node, String name, boolean defaultValue) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            return defaultValue;
        }
        if (!v.isBoolean()) {
            throw new IllegalArgumentException(name + ": expected true or false, got " + JsonValues.brief(v));
        }
        return v.booleanValue();
    }

    static int integer(JsonNode node, String name, Integer defaultValue) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            if (defaultValue == null) {
                throw new IllegalArgumentException(name + ": required; expected an integer, got nothing");
            }
            return defaultValue;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new IllegalArgumentException(name + ": expected a 32-bit integer, got " + JsonValues.brief(v));
        }
        return v.intValue();
    }

    /** A list of integers ({@code milestones}); {@code path} non-null names the field in full. */
    static int[] ints(JsonNode node, String name, int[] defaultValue, String path) {
        JsonNode v = node.get(name);
        String field = path == null ? name : path + "." + name;
        if (v == null || v.isNull()) {
            if (defaultValue == null) {
                throw new IllegalArgumentException(field + ": required; expected a list of integers, got nothing");
            }
            return defaultValue;
        }
        if (!v.isArray() || v.size() > LrSchedulerSpec.MAX_LIST) {
            throw new IllegalArgumentException(field + ": expected a list of at most " + LrSchedulerSpec.MAX_LIST
                    + " integers, got " + JsonValues.brief(v));
        }
        int[] out = new int[v.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode e = v.get(i);
            if (!e.isIntegralNumber() || !e.canConvertToInt()) {
                throw new IllegalArgumentException(field + "[" + i + "]: expected a 32-bit integer, got " + JsonValues.brief(e));
            }
            out[i] = e.intValue();
        }
        return out;
    }
}
