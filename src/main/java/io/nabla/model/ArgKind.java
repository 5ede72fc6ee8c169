package io.nabla.model;

import io.nabla.nn.JsonValues;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * The kinds of layer arguments a model spec may hold, each turning a JSON value into a checked Java value
 * ({@code Integer}, {@code int[]}, {@code Double}, {@code Boolean}, {@code String}, or null for PyTorch's None) or
 * failing with a message that names the argument's path, what was expected and what was found.
 */
enum ArgKind {
    POSITIVE_INT("a positive integer"),
    NON_NEGATIVE_INT("a non-negative integer"),
    INT("an integer"),
    /** One positive integer for both dims, or a pair of them. */
    POSITIVE_PAIR("a positive integer or a list of 2 positive integers"),
    NON_NEGATIVE_PAIR("a non-negative integer or a list of 2 non-negative integers"),
    /** Pooling's kernel_size and dilation: as {@link #POSITIVE_PAIR}, or a list of one for both dims (as PyTorch). */
    POOL_PAIR("a positive integer or a list of 1 or 2 positive integers"),
    /** Pooling's padding: as {@link #NON_NEGATIVE_PAIR}, or a list of one for both dims. */
    POOL_PADDING("a non-negative integer or a list of 1 or 2 non-negative integers"),
    /** Pooling's stride: as {@link #POOL_PAIR}, or null or an empty list for PyTorch's default, the kernel size. */
    POOL_STRIDE("a positive integer, a list of 1 or 2 positive integers, null or [] (the kernel size)"),
    /** One positive integer, or a list of one (PyTorch's 1-tuple), read as an {@code Integer}. */
    POSITIVE_SINGLE("a positive integer or a list of 1 positive integer"),
    /** One non-negative integer, or a list of one, read as an {@code Integer}. */
    NON_NEGATIVE_SINGLE("a non-negative integer or a list of 1 non-negative integer"),
    /** 1-D pooling's stride: as {@link #POSITIVE_SINGLE}, or null or an empty list for the kernel size. */
    POOL1D_STRIDE("a positive integer, a list of 1 positive integer, null or [] (the kernel size)"),
    /** Unflatten's unflattened_size: a non-empty list of positive integers, one of which may be -1 (inferred). */
    UNFLATTEN_SIZES("a non-empty list of positive integers, one of which may be -1"),
    /** A 1-D padding layer's padding: one integer for both sides, or (left, right); read as an {@code int[2]}. */
    PAD1D("an integer or a list of 2 integers (left, right)"),
    /** A 2-D padding layer's padding: one integer for all sides, or (left, right, top, bottom); an {@code int[4]}. */
    PAD2D("an integer or a list of 4 integers (left, right, top, bottom)"),
    /** Upsample's size: null, or a positive integer, or a list of 1 to 3 of them; an {@code int[]} or null. */
    NULLABLE_SIZES("null, a positive integer or a list of 1 to 3 positive integers"),
    /** Upsample's scale_factor: null, a positive number or a list of 1 to 3; a {@code double[]} or null. */
    NULLABLE_SCALES("null, a positive number or a list of 1 to 3 positive numbers"),
    /** Upsample's mode: PyTorch's modes. */
    UPSAMPLE_MODE("\"nearest\", \"nearest-exact\", \"linear\", \"bilinear\", \"bicubic\", \"trilinear\" or \"area\""),
    NULLABLE_BOOL("true, false or null"),
    /** EmbeddingBag's mode. */
    BAG_MODE("\"sum\", \"mean\" or \"max\""),
    /** One positive integer or a non-empty list of them. */
    POSITIVE_INT_LIST("a positive integer or a non-empty list of positive integers"),
    BOOL("true or false"),
    POSITIVE_NUMBER("a positive number"),
    /** A norm's eps: PyTorch accepts 0 (a constant row then normalises to NaN, as there). */
    NON_NEGATIVE_NUMBER("a non-negative finite number"),
    NUMBER("a finite number"),
    PROBABILITY("a number between 0 and 1"),
    NULLABLE_PROBABILITY("a number between 0 and 1, or null"),
    NULLABLE_INT("an integer or null"),
    NULLABLE_NUMBER("a finite number or null"),
    GELU_APPROXIMATION("\"none\" or \"tanh\""),
    /**
     * TransformerEncoder's encoder_layer: an object with TransformerEncoderLayer's arguments ("type" may be given, as
     * "TransformerEncoderLayer"), read as a {@link LayerSpec}.
     */
    ENCODER_LAYER("an object with the arguments of a TransformerEncoderLayer"),
    /** TransformerEncoder's norm: null (PyTorch's None) or an object with LayerNorm's arguments, as a LayerSpec. */
    NULLABLE_LAYER_NORM("null or an object with the arguments of a LayerNorm"),
    /** TransformerEncoderLayer's activation, as PyTorch's string argument names it. */
    TRANSFORMER_ACTIVATION("\"relu\" or \"gelu\""),
    /** RNN's nonlinearity. */
    RNN_NONLINEARITY("\"tanh\" or \"relu\""),
    /** AdaptiveAvgPool2d's output_size: one positive size or null (PyTorch's None, kept as -1) for both, or a pair. */
    OUTPUT_SIZE("a positive integer, null, or a list of 2 of them"),
    /** Conv2d's padding_mode. */
    PADDING_MODE("\"zeros\", \"reflect\", \"replicate\" or \"circular\""),
    /** Conv2d's padding: as {@link #NON_NEGATIVE_PAIR} (an {@code int[]}), or the string "valid" or "same". */
    CONV_PADDING("a non-negative integer, a list of 2 non-negative integers, \"valid\" or \"same\""),
    /** Conv1d's padding: a non-negative integer or a list of one (an {@code Integer}), or "valid" or "same". */
    CONV1D_PADDING("a non-negative integer, a list of 1 non-negative integer, \"valid\" or \"same\"");

    private final String expected;

    ArgKind(String expected) {
        this.expected = expected;
    }

    /** Reads {@code v} (present in the JSON) as this kind. */
    Object read(JsonNode v, String path) {
        return switch (this) {
            case POSITIVE_INT -> intAtLeast(v, path, 1);
            case NON_NEGATIVE_INT -> intAtLeast(v, path, 0);
            case INT -> intAtLeast(v, path, Integer.MIN_VALUE);
            case POSITIVE_PAIR -> pair(v, path, 1);
            case NON_NEGATIVE_PAIR -> pair(v, path, 0);
            case POSITIVE_SINGLE -> single(v, path, 1);
            case NON_NEGATIVE_SINGLE -> single(v, path, 0);
            case POOL1D_STRIDE -> v.isNull() || (v.isArray() && v.isEmpty()) ? null : single(v, path, 1);
            case UNFLATTEN_SIZES -> unflattenSizes(v, path);
            case PAD1D -> padding(v, path, 2);
            case NULLABLE_SIZES -> v.isNull() ? null : sizes(v, path);
            case NULLABLE_SCALES -> v.isNull() ? null : scales(v, path);
            case BAG_MODE -> oneOf(v, path, List.of("sum", "mean", "max"));
            case UPSAMPLE_MODE -> oneOf(v, path, io.nabla.nn.Upsample.MODES);
            case NULLABLE_BOOL -> {
                if (!v.isNull() && !v.isBoolean()) {
                    throw error(path, v);
                }
                yield v.isNull() ? null : v.booleanValue();
            }
            case PAD2D -> padding(v, path, 4);
            case POOL_PAIR -> poolPair(v, path, 1);
            case POOL_PADDING -> poolPair(v, path, 0);
            case POOL_STRIDE -> v.isNull() || (v.isArray() && v.isEmpty()) ? null : poolPair(v, path, 1);
            case POSITIVE_INT_LIST -> intList(v, path);
            case BOOL -> {
                if (!v.isBoolean()) {
                    throw error(path, v);
                }
                yield v.booleanValue();
            }
            case POSITIVE_NUMBER -> number(v, path, 0, Double.POSITIVE_INFINITY, false);
            case NON_NEGATIVE_NUMBER -> number(v, path, 0, Double.POSITIVE_INFINITY, true);
            case NUMBER -> number(v, path, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, true);
            case PROBABILITY -> number(v, path, 0, 1, true);
            case NULLABLE_PROBABILITY -> v.isNull() ? null : number(v, path, 0, 1, true);
            case NULLABLE_INT -> v.isNull() ? null : intAtLeast(v, path, Integer.MIN_VALUE);
            case NULLABLE_NUMBER -> v.isNull() ? null
                    : number(v, path, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, true);
            case OUTPUT_SIZE -> {
                if (v.isArray()) {
                    if (v.size() != 2) {
                        throw error(path, v);
                    }
                    yield new int[] {sizeOrNone(v.get(0), v, path), sizeOrNone(v.get(1), v, path)};
                }
                int size = sizeOrNone(v, v, path);
                yield new int[] {size, size};
            }
            case PADDING_MODE -> oneOf(v, path, io.nabla.nn.Conv2d.PADDING_MODES);
            case CONV_PADDING -> v.isString() ? oneOf(v, path, List.of("valid", "same")) : pair(v, path, 0);
            case CONV1D_PADDING -> v.isString() ? oneOf(v, path, List.of("valid", "same")) : single(v, path, 0);
            case GELU_APPROXIMATION -> oneOf(v, path, List.of("none", "tanh"));
            case TRANSFORMER_ACTIVATION -> oneOf(v, path, List.of("relu", "gelu"));
            case RNN_NONLINEARITY -> oneOf(v, path, List.of("tanh", "relu"));
            case ENCODER_LAYER -> nestedLayer(v, path, "TransformerEncoderLayer");
            case NULLABLE_LAYER_NORM -> v.isNull() ? null : nestedLayer(v, path, "LayerNorm");
        };
    }

    /** A layer given as an argument of another: an object of {@code type}'s arguments, its "type" optional. */
    private LayerSpec nestedLayer(JsonNode v, String path, String type) {
        if (!v.isObject()) {
            throw error(path, v);
        }
        JsonNode t = v.get("type");
        if (t != null && !(t.isString() && t.stringValue().equals(type))) {
            throw new IllegalArgumentException(path + ".type: expected \"" + type + "\" (or no type), got "
                    + ModelSpec.describe(t));
        }
        return new LayerSpec(type, LayerCatalog.normalize(type, v, path));
    }

    /** A string among {@code choices}. */
    private String oneOf(JsonNode v, String path, List<String> choices) {
        if (!v.isString() || !choices.contains(v.stringValue())) {
            throw error(path, v);
        }
        return v.stringValue();
    }

    private int intAtLeast(JsonNode v, String path, int min) {
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < min) {
            throw error(path, v);
        }
        return v.intValue();
    }

    /** An integer element of a list of at least {@code min}; a bad one is reported as the whole list, {@code whole}. */
    private int element(JsonNode v, JsonNode whole, String path, int min) {
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < min) {
            throw error(path, whole);
        }
        return v.intValue();
    }

    /** A positive size, or -1 for null; a bad one is reported as the whole argument, {@code whole}. */
    private int sizeOrNone(JsonNode v, JsonNode whole, String path) {
        if (v.isNull()) {
            return -1;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < 1) {
            throw error(path, whole);
        }
        return v.intValue();
    }

    private int[] pair(JsonNode v, String path, int min) {
        if (v.isArray()) {
            if (v.size() != 2) {
                throw error(path, v);
            }
            return new int[] {element(v.get(0), v, path, min), element(v.get(1), v, path, min)};
        }
        int x = intAtLeast(v, path, min);
        return new int[] {x, x};
    }

    /** As {@link #pair}, also taking a list of one integer for both dims (PyTorch's pooling ops do). */
    private int[] poolPair(JsonNode v, String path, int min) {
        if (v.isArray() && v.size() == 1) {
            int x = element(v.get(0), v, path, min);
            return new int[] {x, x};
        }
        return pair(v, path, min);
    }

    /** An integer of at least {@code min}, alone or as the only element of a list. */
    private int single(JsonNode v, String path, int min) {
        if (v.isArray()) {
            if (v.size() != 1) {
                throw error(path, v);
            }
            return element(v.get(0), v, path, min);
        }
        return intAtLeast(v, path, min);
    }

    private int[] sizes(JsonNode v, String path) {
        if (!v.isArray()) {
            return new int[] {intAtLeast(v, path, 1)};
        }
        if (v.isEmpty() || v.size() > 3) {
            throw error(path, v);
        }
        int[] out = new int[v.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = element(v.get(i), v, path, 1);
        }
        return out;
    }

    private double[] scales(JsonNode v, String path) {
        if (!v.isArray()) {
            return new double[] {number(v, path, 0, Double.POSITIVE_INFINITY, false)};
        }
        if (v.isEmpty() || v.size() > 3) {
            throw error(path, v);
        }
        double[] out = new double[v.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode e = v.get(i);
            if (!e.isNumber() || !(JsonValues.toDouble(e) > 0) || Double.isInfinite(JsonValues.toDouble(e))) {
                throw error(path, v);
            }
            out[i] = JsonValues.toDouble(e);
        }
        return out;
    }

    private int[] padding(JsonNode v, String path, int sides) {
        if (v.isArray()) {
            if (v.size() != sides) {
                throw error(path, v);
            }
            int[] out = new int[sides];
            for (int i = 0; i < sides; i++) {
                out[i] = element(v.get(i), v, path, Integer.MIN_VALUE);
            }
            return out;
        }
        int x = intAtLeast(v, path, Integer.MIN_VALUE);
        int[] out = new int[sides];
        java.util.Arrays.fill(out, x);
        return out;
    }

    private int[] unflattenSizes(JsonNode v, String path) {
        if (!v.isArray() || v.isEmpty()) {
            throw error(path, v);
        }
        int[] out = new int[v.size()];
        int inferred = 0;
        for (int i = 0; i < out.length; i++) {
            JsonNode e = v.get(i);
            if (e.isIntegralNumber() && e.canConvertToInt() && e.intValue() == -1) {
                out[i] = -1;
                inferred++;
            } else {
                out[i] = element(e, v, path, 1);
            }
        }
        if (inferred > 1) {
            throw error(path, v);
        }
        return out;
    }

    private int[] intList(JsonNode v, String path) {
        if (!v.isArray()) {
            return new int[] {intAtLeast(v, path, 1)};
        }
        if (v.isEmpty()) {
            throw error(path, v);
        }
        List<Integer> out = new ArrayList<>();
        for (JsonNode e : v) {
            out.add(element(e, v, path, 1));
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    private double number(JsonNode v, String path, double lo, double hi, boolean loInclusive) {
        if (!v.isNumber()) {
            throw error(path, v);
        }
        double d = JsonValues.toDouble(v);
        boolean ok = Double.isFinite(d) && (loInclusive ? d >= lo : d > lo) && d <= hi;
        if (!ok) {
            throw error(path, v);
        }
        return d;
    }

    private IllegalArgumentException error(String path, JsonNode v) {
        return new IllegalArgumentException(path + ": expected " + expected + ", got " + ModelSpec.describe(v));
    }
}
