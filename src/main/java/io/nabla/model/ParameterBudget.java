package io.nabla.model;

import io.nabla.backend.HostAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The number of parameter and buffer elements a spec's layers will hold, computed from the spec alone (with
 * overflow checks) so a model that is too large is refused before anything is allocated: in all, and tensor by
 * tensor, since every parameter is first built on the host, where one tensor holds at most
 * {@link HostAllocator#MAX_BLOCK_BYTES} bytes (a total under the cap can still hold one tensor over it).
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
                for (Param p : params(l.type(), l.args())) {
                    total = Math.addExact(total, Math.multiplyExact(p.elements(), p.copies()));
                }
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("layers[" + i + "] (" + l.type() + "): its parameter count "
                        + "overflows 64 bits");
            }
        }
        return total;
    }

    /**
     * Fails, naming both figures, when the spec's layers would hold more than {@code maxElements} elements, or
     * naming the tensor, its elements and bytes and the limit, when one parameter or buffer would not fit in one
     * CPU tensor.
     */
    public static void check(ModelSpec spec, long maxElements) {
        long n = elements(spec);
        if (n > maxElements) {
            throw new IllegalArgumentException("layers: the model would hold " + n + " parameter and buffer elements, "
                    + "more than the limit " + maxElements);
        }
        for (int i = 0; i < spec.layers().size(); i++) {
            LayerSpec l = spec.layers().get(i);
            for (Param p : params(l.type(), l.args())) {
                long bytes = Math.multiplyExact(p.elements(), (long) p.itemBytes());
                if (bytes > HostAllocator.MAX_BLOCK_BYTES) {
                    throw new IllegalArgumentException("layers[" + i + "]." + p.name() + ": " + p.elements()
                            + " elements (" + bytes + " bytes) exceed the largest CPU tensor, "
                            + HostAllocator.MAX_BLOCK_BYTES + " bytes");
                }
            }
        }
    }

    /**
     * One parameter or buffer of a layer: its state-dict name (after the layer index), elements and element size,
     * and how many layers of a stack hold one of its shape (a TransformerEncoder's copies of its encoder layer).
     */
    private record Param(String name, long elements, int itemBytes, long copies) {

        Param(String name, long elements, int itemBytes) {
            this(name, elements, itemBytes, 1);
        }
    }

    /** The layer's parameters and buffers as PyTorch's state dict lists them (FP32, but the I64 batch counter). */
    private static List<Param> params(String type, Map<String, Object> a) {
        List<Param> out = new ArrayList<>();
        switch (type) {
            case "Linear": {
                long in = (Integer) a.get("in_features");
                long features = (Integer) a.get("out_features");
                out.add(new Param("weight", Math.multiplyExact(in, features), 4));
                if (bias(a)) {
                    out.add(new Param("bias", features, 4));
                }
                break;
            }
            case "Conv2d": {
                long in = (Integer) a.get("in_channels");
                long channels = (Integer) a.get("out_channels");
                long groups = (Integer) a.get("groups");
                int[] k = (int[]) a.get("kernel_size");
                out.add(new Param("weight", Math.multiplyExact(Math.multiplyExact(channels, Math.max(1, in / groups)),
                        Math.multiplyExact((long) k[0], (long) k[1])), 4));
                if (bias(a)) {
                    out.add(new Param("bias", channels, 4));
                }
                break;
            }
            case "ConvTranspose1d":
            case "ConvTranspose2d": {
                long in = (Integer) a.get("in_channels");
                long channels = (Integer) a.get("out_channels");
                long groups = (Integer) a.get("groups");
                Object k = a.get("kernel_size");
                long taps = k instanceof int[] pair ? Math.multiplyExact((long) pair[0], (long) pair[1]) : (Integer) k;
                out.add(new Param("weight", Math.multiplyExact(Math.multiplyExact(in, Math.max(1, channels / groups)),
                        taps), 4));
                if (bias(a)) {
                    out.add(new Param("bias", channels, 4));
                }
                break;
            }
            case "Conv1d": {
                long in = (Integer) a.get("in_channels");
                long channels = (Integer) a.get("out_channels");
                long groups = (Integer) a.get("groups");
                long k = (Integer) a.get("kernel_size");
                out.add(new Param("weight", Math.multiplyExact(Math.multiplyExact(channels, Math.max(1, in / groups)),
                        k), 4));
                if (bias(a)) {
                    out.add(new Param("bias", channels, 4));
                }
                break;
            }
            case "PReLU":
                out.add(new Param("weight", (Integer) a.get("num_parameters"), 4));
                break;
            case "InstanceNorm1d":
            case "InstanceNorm2d": {
                long n = (Integer) a.get("num_features");
                if (flag(a, "affine")) {
                    out.add(new Param("weight", n, 4));
                    out.add(new Param("bias", n, 4));
                }
                if (flag(a, "track_running_stats")) {
                    out.add(new Param("running_mean", n, 4));
                    out.add(new Param("running_var", n, 4));
                    out.add(new Param("num_batches_tracked", 1, 8));
                }
                break;
            }
            case "GroupNorm": {
                long n = (Integer) a.get("num_channels");
                if (flag(a, "affine")) {
                    out.add(new Param("weight", n, 4));
                    out.add(new Param("bias", n, 4));
                }
                break;
            }
            case "TransformerEncoderLayer": {
                long d = (Integer) a.get("d_model");
                long ff = (Integer) a.get("dim_feedforward");
                boolean b = bias(a);
                out.add(new Param("self_attn.in_proj_weight", Math.multiplyExact(3 * d, d), 4));
                out.add(new Param("self_attn.in_proj_bias", b ? 3 * d : 0, 4));
                out.add(new Param("self_attn.out_proj.weight", Math.multiplyExact(d, d), 4));
                out.add(new Param("self_attn.out_proj.bias", b ? d : 0, 4));
                out.add(new Param("linear1.weight", Math.multiplyExact(ff, d), 4));
                out.add(new Param("linear1.bias", b ? ff : 0, 4));
                out.add(new Param("linear2.weight", Math.multiplyExact(d, ff), 4));
                out.add(new Param("linear2.bias", b ? d : 0, 4));
                for (String norm : new String[] {"norm1", "norm2"}) {
                    out.add(new Param(norm + ".weight", d, 4));
                    out.add(new Param(norm + ".bias", b ? d : 0, 4));
                }
                break;
            }
            case "RNN":
            case "LSTM":
            case "GRU": {
                long gates = type.equals("LSTM") ? 4 : type.equals("GRU") ? 3 : 1;
                long h = (Integer) a.get("hidden_size");
                long proj = a.get("proj_size") instanceof Integer p ? p : 0;
                long real = proj > 0 ? proj : h; // the hidden state's features: proj_size with projections
                long rows = Math.multiplyExact(gates, h);
                int directions = Boolean.TRUE.equals(a.get("bidirectional")) ? 2 : 1;
                boolean b = bias(a);
                int layers = (Integer) a.get("num_layers");
                for (int layer = 0; layer < Math.min(layers, 2); layer++) {
                    // layers after the first all have the same shapes: one entry counted num_layers - 1 times
                    long in = layer == 0 ? (Integer) a.get("input_size") : Math.multiplyExact(real, directions);
                    long copies = layer == 0 ? 1 : layers - 1;
                    for (int dir = 0; dir < directions; dir++) {
                        String suffix = "_l" + layer + (dir == 1 ? "_reverse" : "");
                        out.add(new Param("weight_ih" + suffix, Math.multiplyExact(rows, in), 4, copies));
                        out.add(new Param("weight_hh" + suffix, Math.multiplyExact(rows, real), 4, copies));
                        out.add(new Param("bias_ih" + suffix, b ? rows : 0, 4, copies));
                        out.add(new Param("bias_hh" + suffix, b ? rows : 0, 4, copies));
                        out.add(new Param("weight_hr" + suffix, Math.multiplyExact(proj, h), 4, copies));
                    }
                }
                break;
            }
            case "TransformerEncoder": {
                long n = (Integer) a.get("num_layers");
                LayerSpec layer = (LayerSpec) a.get("encoder_layer");
                for (Param p : params(layer.type(), layer.args())) {
                    out.add(new Param("layers.0." + p.name(), p.elements(), p.itemBytes(), n));
                }
                LayerSpec norm = (LayerSpec) a.get("norm");
                if (norm != null) {
                    for (Param p : params(norm.type(), norm.args())) {
                        out.add(new Param("norm." + p.name(), p.elements(), p.itemBytes()));
                    }
                }
                break;
            }
            case "BatchNorm1d":
            case "BatchNorm2d": {
                long n = (Integer) a.get("num_features");
                if (flag(a, "affine")) {
                    out.add(new Param("weight", n, 4));
                    out.add(new Param("bias", n, 4));
                }
                if (flag(a, "track_running_stats")) {
                    out.add(new Param("running_mean", n, 4));
                    out.add(new Param("running_var", n, 4));
                    out.add(new Param("num_batches_tracked", 1, 8));
                }
                break;
            }
            case "LayerNorm": {
                long n = 1;
                for (int s : (int[]) a.get("normalized_shape")) {
                    n = Math.multiplyExact(n, (long) s);
                }
                if (flag(a, "elementwise_affine")) {
                    out.add(new Param("weight", n, 4));
                    if (bias(a)) {
                        out.add(new Param("bias", n, 4));
                    }
                }
                break;
            }
            case "EmbeddingBag":
            case "Embedding":
                out.add(new Param("weight", Math.multiplyExact((long) (Integer) a.get("num_embeddings"),
                        (long) (Integer) a.get("embedding_dim")), 4));
                break;
            default:
                break;
        }
        return out;
    }

    private static boolean bias(Map<String, Object> a) {
        return flag(a, "bias");
    }

    /** A boolean argument that defaults to true. */
    private static boolean flag(Map<String, Object> a, String name) {
        Object b = a.get(name);
        return b == null || (Boolean) b;
    }
}
