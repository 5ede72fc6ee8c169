package io.nabla.model;

import java.util.Map;

/**
 * The number of parameter and buffer elements a spec's layers will hold, computed from the spec alone (with
 * overflow checks) so a model that is too large is refused before anything is allocated.
 */
public final class ParameterBudget {

    /** The default cap: 2^30 elements (4 GiB of FP32) across all layers. */
    public static final long DEFAULT_MAX_ELEMENTS = 1L << 30;

    private ParameterBudget() {
    }

    /** Elements of every parameter and buffer of the spec's layers. */
    public static long elements(ModelSpec spec) {
        long total = 0;
        for (int i = 0; i < spec.layers().size(); i++) {
            LayerSpec l = spec.layers().get(i);
            try {
                total = Math.addExact(total, elements(l.type(), l.args()));
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("layers[" + i + "] (" + l.type() + "): its parameter count "
                        + "overflows 64 bits");
            }
        }
        return total;
    }

    /** Fails, naming both figures, when the spec's layers would hold more than {@code maxElements} elements. */
    public static void check(ModelSpec spec, long maxElements) {
        long n = elements(spec);
        if (n > maxElements) {
            throw new IllegalArgumentException("layers: the model would hold " + n + " parameter and buffer elements, "
                    + "more than the limit " + maxElements);
        }
    }

    private static long elements(String type, Map<String, Object> a) {
        switch (type) {
            case "Linear": {
                long in = (Integer) a.get("in_features");
                long out = (Integer) a.get("out_features");
                return Math.addExact(Math.multiplyExact(in, out), bias(a) ? out : 0);
            }
            case "Conv2d": {
                long in = (Integer) a.get("in_channels");
                long out = (Integer) a.get("out_channels");
                long groups = (Integer) a.get("groups");
                int[] k = (int[]) a.get("kernel_size");
                long w = Math.multiplyExact(Math.multiplyExact(out, Math.max(1, in / groups)),
                        Math.multiplyExact((long) k[0], (long) k[1]));
                return Math.addExact(w, bias(a) ? out : 0);
            }
            case "BatchNorm1d":
            case "BatchNorm2d":
                return Math.addExact(Math.multiplyExact(4L, (long) (Integer) a.get("num_features")), 1);
            case "LayerNorm": {
                long n = 1;
                for (int s : (int[]) a.get("normalized_shape")) {
                    n = Math.multiplyExact(n, (long) s);
                }
                return Math.multiplyExact(2L, n);
            }
            case "Embedding":
                return Math.multiplyExact((long) (Integer) a.get("num_embeddings"),
                        (long) (Integer) a.get("embedding_dim"));
            default:
                return 0;
        }
    }

    private static boolean bias(Map<String, Object> a) {
        Object b = a.get("bias");
        return b == null || (Boolean) b;
    }
}
