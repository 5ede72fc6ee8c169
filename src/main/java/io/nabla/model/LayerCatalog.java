package io.nabla.model;

import io.nabla.nn.Activation;
import io.nabla.nn.AdaptiveAvgPool2d;
import io.nabla.nn.AdaptiveMaxPool2d;
import io.nabla.nn.BatchNorm;
import io.nabla.nn.Conv1d;
import io.nabla.nn.Conv2d;
import io.nabla.nn.ConvTranspose;
import io.nabla.nn.Dropout;
import io.nabla.nn.Embedding;
import io.nabla.nn.EmbeddingBag;
import io.nabla.nn.Flatten;
import io.nabla.nn.Generator;
import io.nabla.nn.Glu;
import io.nabla.nn.GroupNorm;
import io.nabla.nn.Identity;
import io.nabla.nn.InstanceNorm;
import io.nabla.nn.LayerNorm;
import io.nabla.nn.Linear;
import io.nabla.nn.Module;
import io.nabla.nn.Pad;
import io.nabla.nn.PixelShuffle;
import io.nabla.nn.Pool1d;
import io.nabla.nn.Pool2d;
import io.nabla.nn.PReLU;
import io.nabla.nn.Softmax;
import io.nabla.nn.TransformerEncoder;
import io.nabla.nn.Rnn;
import io.nabla.nn.TransformerEncoderLayer;
import io.nabla.nn.Unflatten;
import io.nabla.nn.Upsample;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * The layer types a model spec may use: PyTorch's class names, argument names and defaults, and how each is
 * built. A table rather than a class per type, so every type's arguments can be read at a glance; it is longer than
 * the house's 300 lines for that reason (one entry of a few lines per type, and the few builders entries share).
 */
final class LayerCatalog {

    /**
     * One argument: its name, kind, and default (used when absent; {@code REQUIRED} when it must be given).
     * {@code onlyDefault}: PyTorch has the argument but only its default is built here; it may be given, so a spec
     * that spells out every argument reads, and any other value is refused by name.
     */
    record Arg(String name, ArgKind kind, Object defaultValue, boolean onlyDefault) {
    }

    private interface Factory {
        Module create(Map<String, Object> a, Generator g);
    }

    private record Entry(List<Arg> args, Factory factory) {
    }

    static final Object REQUIRED = new Object();

    private static final Map<String, Entry> TYPES = new LinkedHashMap<>();

    private static void define(String type, Factory f, Arg... args) {
        TYPES.put(type, new Entry(List.of(args), f));
    }

    private static Arg arg(String name, ArgKind kind, Object defaultValue) {
        return new Arg(name, kind, defaultValue, false);
    }

    private static Arg required(String name, ArgKind kind) {
        return new Arg(name, kind, REQUIRED, false);
    }

    /** An argument of PyTorch's of which only the default is built. */
    private static Arg onlyDefault(String name, ArgKind kind, Object defaultValue) {
        return new Arg(name, kind, defaultValue, true);
    }

    /**
     * {@code inplace} of PyTorch's activations and Dropout: accepted either way, since in a sequential stack
     * computing in place or not gives the same values and gradients (the input is not used again).
     */
    private static Arg inplace() {
        return arg("inplace", ArgKind.BOOL, false);
    }

    static {
        define("Linear", (a, g) -> new Linear(i(a, "in_features"), i(a, "out_features"), b(a, "bias"), g),
                required("in_features", ArgKind.POSITIVE_INT), required("out_features", ArgKind.POSITIVE_INT),
                arg("bias", ArgKind.BOOL, true));
        define("Conv2d", LayerCatalog::conv2d,
                required("in_channels", ArgKind.POSITIVE_INT), required("out_channels", ArgKind.POSITIVE_INT),
                required("kernel_size", ArgKind.POSITIVE_PAIR), arg("stride", ArgKind.POSITIVE_PAIR, new int[] {1, 1}),
                arg("padding", ArgKind.CONV_PADDING, new int[] {0, 0}),
                arg("dilation", ArgKind.POSITIVE_PAIR, new int[] {1, 1}), arg("groups", ArgKind.POSITIVE_INT, 1),
                arg("bias", ArgKind.BOOL, true), arg("padding_mode", ArgKind.PADDING_MODE, "zeros"));
        define("Conv1d", LayerCatalog::conv1d,
                required("in_channels", ArgKind.POSITIVE_INT), required("out_channels", ArgKind.POSITIVE_INT),
                required("kernel_size", ArgKind.POSITIVE_SINGLE), arg("stride", ArgKind.POSITIVE_SINGLE, 1),
                arg("padding", ArgKind.CONV1D_PADDING, 0), arg("dilation", ArgKind.POSITIVE_SINGLE, 1),
                arg("groups", ArgKind.POSITIVE_INT, 1), arg("bias", ArgKind.BOOL, true),
                arg("padding_mode", ArgKind.PADDING_MODE, "zeros"));
        define("ConvTranspose2d", (a, g) -> new ConvTranspose(2, i(a, "in_channels"), i(a, "out_channels"),
                        p(a, "kernel_size"), p(a, "stride"), p(a, "padding"), p(a, "output_padding"), i(a, "groups"),
                        b(a, "bias"), p(a, "dilation"), g),
                required("in_channels", ArgKind.POSITIVE_INT), required("out_channels", ArgKind.POSITIVE_INT),
                required("kernel_size", ArgKind.POSITIVE_PAIR), arg("stride", ArgKind.POSITIVE_PAIR, new int[] {1, 1}),
                arg("padding", ArgKind.NON_NEGATIVE_PAIR, new int[] {0, 0}),
                arg("output_padding", ArgKind.NON_NEGATIVE_PAIR, new int[] {0, 0}),
                arg("groups", ArgKind.POSITIVE_INT, 1), arg("bias", ArgKind.BOOL, true),
                arg("dilation", ArgKind.POSITIVE_PAIR, new int[] {1, 1}),
                onlyDefault("padding_mode", ArgKind.PADDING_MODE, "zeros"));
        define("ConvTranspose1d", (a, g) -> new ConvTranspose(1, i(a, "in_channels"), i(a, "out_channels"),
                        line(a, "kernel_size"), line(a, "stride"), padLine(a, "padding"), padLine(a, "output_padding"),
                        i(a, "groups"), b(a, "bias"), line(a, "dilation"), g),
                required("in_channels", ArgKind.POSITIVE_INT), required("out_channels", ArgKind.POSITIVE_INT),
                required("kernel_size", ArgKind.POSITIVE_SINGLE), arg("stride", ArgKind.POSITIVE_SINGLE, 1),
                arg("padding", ArgKind.NON_NEGATIVE_SINGLE, 0), arg("output_padding", ArgKind.NON_NEGATIVE_SINGLE, 0),
                arg("groups", ArgKind.POSITIVE_INT, 1), arg("bias", ArgKind.BOOL, true),
                arg("dilation", ArgKind.POSITIVE_SINGLE, 1),
                onlyDefault("padding_mode", ArgKind.PADDING_MODE, "zeros"));
        define("MaxPool2d", (a, g) -> pool(Pool2d.Kind.MAX, a), required("kernel_size", ArgKind.POOL_PAIR),
                arg("stride", ArgKind.POOL_STRIDE, null), arg("padding", ArgKind.POOL_PADDING, new int[] {0, 0}),
                arg("dilation", ArgKind.POOL_PAIR, new int[] {1, 1}),
                onlyDefault("return_indices", ArgKind.BOOL, false), arg("ceil_mode", ArgKind.BOOL, false));
        define("AvgPool2d", (a, g) -> pool(Pool2d.Kind.AVG, a), required("kernel_size", ArgKind.POOL_PAIR),
                arg("stride", ArgKind.POOL_STRIDE, null), arg("padding", ArgKind.POOL_PADDING, new int[] {0, 0}),
                arg("ceil_mode", ArgKind.BOOL, false), arg("count_include_pad", ArgKind.BOOL, true),
                arg("divisor_override", ArgKind.NULLABLE_INT, null));
        define("AdaptiveAvgPool2d", (a, g) -> new AdaptiveAvgPool2d(p(a, "output_size")),
                required("output_size", ArgKind.OUTPUT_SIZE));
        define("MaxPool1d", (a, g) -> Pool1d.max(i(a, "kernel_size"), strideOrKernel(a), i(a, "padding"),
                        i(a, "dilation"), b(a, "ceil_mode")),
                required("kernel_size", ArgKind.POSITIVE_SINGLE), arg("stride", ArgKind.POOL1D_STRIDE, null),
                arg("padding", ArgKind.NON_NEGATIVE_SINGLE, 0), arg("dilation", ArgKind.POSITIVE_SINGLE, 1),
                onlyDefault("return_indices", ArgKind.BOOL, false), arg("ceil_mode", ArgKind.BOOL, false));
        define("AvgPool1d", (a, g) -> Pool1d.avg(i(a, "kernel_size"), strideOrKernel(a), i(a, "padding"),
                        b(a, "ceil_mode"), b(a, "count_include_pad")),
                required("kernel_size", ArgKind.POSITIVE_SINGLE), arg("stride", ArgKind.POOL1D_STRIDE, null),
                arg("padding", ArgKind.NON_NEGATIVE_SINGLE, 0), arg("ceil_mode", ArgKind.BOOL, false),
                arg("count_include_pad", ArgKind.BOOL, true));
        define("AdaptiveAvgPool1d", (a, g) -> Pool1d.adaptiveAvg(i(a, "output_size")),
                required("output_size", ArgKind.POSITIVE_SINGLE));
        define("AdaptiveMaxPool2d", (a, g) -> new AdaptiveMaxPool2d(p(a, "output_size")),
                required("output_size", ArgKind.OUTPUT_SIZE), onlyDefault("return_indices", ArgKind.BOOL, false));
        define("AdaptiveMaxPool1d", (a, g) -> Pool1d.adaptiveMax(i(a, "output_size")),
                required("output_size", ArgKind.POSITIVE_SINGLE), onlyDefault("return_indices", ArgKind.BOOL, false));
        define("PixelShuffle", (a, g) -> new PixelShuffle(i(a, "upscale_factor"), false),
                required("upscale_factor", ArgKind.POSITIVE_INT));
        define("PixelUnshuffle", (a, g) -> new PixelShuffle(i(a, "downscale_factor"), true),
                required("downscale_factor", ArgKind.POSITIVE_INT));
        define("BatchNorm1d", (a, g) -> batchNorm(1, a), batchNormArgs());
        define("BatchNorm2d", (a, g) -> batchNorm(2, a), batchNormArgs());
        define("LayerNorm", (a, g) -> new LayerNorm(p(a, "normalized_shape"), d(a, "eps"),
                        b(a, "elementwise_affine"), b(a, "bias")),
                required("normalized_shape", ArgKind.POSITIVE_INT_LIST), arg("eps", ArgKind.NON_NEGATIVE_NUMBER, 1e-5),
                arg("elementwise_affine", ArgKind.BOOL, true), arg("bias", ArgKind.BOOL, true));
        define("InstanceNorm1d", (a, g) -> instanceNorm(1, a), instanceNormArgs());
        define("InstanceNorm2d", (a, g) -> instanceNorm(2, a), instanceNormArgs());
        define("GroupNorm", (a, g) -> new GroupNorm(i(a, "num_groups"), i(a, "num_channels"), d(a, "eps"),
                        b(a, "affine")),
                required("num_groups", ArgKind.POSITIVE_INT), required("num_channels", ArgKind.POSITIVE_INT),
                arg("eps", ArgKind.NON_NEGATIVE_NUMBER, 1e-5), arg("affine", ArgKind.BOOL, true));
        define("Embedding", (a, g) -> new Embedding(i(a, "num_embeddings"), i(a, "embedding_dim"),
                        (Integer) a.get("padding_idx"), b(a, "scale_grad_by_freq"), g),
                required("num_embeddings", ArgKind.POSITIVE_INT), required("embedding_dim", ArgKind.POSITIVE_INT),
                arg("padding_idx", ArgKind.NULLABLE_INT, null), onlyDefault("max_norm", ArgKind.NULLABLE_NUMBER, null),
                arg("norm_type", ArgKind.NUMBER, 2.0), // used by max_norm only, as in PyTorch
                arg("scale_grad_by_freq", ArgKind.BOOL, false), onlyDefault("sparse", ArgKind.BOOL, false));
        define("EmbeddingBag", (a, g) -> new EmbeddingBag(i(a, "num_embeddings"), i(a, "embedding_dim"),
                        (String) a.get("mode"), (Integer) a.get("padding_idx"), g),
                required("num_embeddings", ArgKind.POSITIVE_INT), required("embedding_dim", ArgKind.POSITIVE_INT),
                onlyDefault("max_norm", ArgKind.NULLABLE_NUMBER, null), arg("norm_type", ArgKind.NUMBER, 2.0),
                onlyDefault("scale_grad_by_freq", ArgKind.BOOL, false), arg("mode", ArgKind.BAG_MODE, "mean"),
                onlyDefault("sparse", ArgKind.BOOL, false), onlyDefault("include_last_offset", ArgKind.BOOL, false),
                arg("padding_idx", ArgKind.NULLABLE_INT, null));
        define("Dropout", (a, g) -> new Dropout(d(a, "p"), g), arg("p", ArgKind.PROBABILITY, 0.5), inplace());
        define("Dropout1d", (a, g) -> Dropout.channels1d(d(a, "p"), g), arg("p", ArgKind.PROBABILITY, 0.5),
                inplace());
        define("Dropout2d", (a, g) -> Dropout.channels2d(d(a, "p"), g), arg("p", ArgKind.PROBABILITY, 0.5),
                inplace());
        define("ConstantPad1d", (a, g) -> pad("ConstantPad1d", Pad.Mode.CONSTANT, 1, a, d(a, "value")),
                required("padding", ArgKind.PAD1D), required("value", ArgKind.NUMBER));
        define("ConstantPad2d", (a, g) -> pad("ConstantPad2d", Pad.Mode.CONSTANT, 2, a, d(a, "value")),
                required("padding", ArgKind.PAD2D), required("value", ArgKind.NUMBER));
        for (int dims = 1; dims <= 2; dims++) { // the padding layers whose only argument is padding
            definePad("ZeroPad" + dims + "d", Pad.Mode.CONSTANT, dims);
            definePad("CircularPad" + dims + "d", Pad.Mode.CIRCULAR, dims);
            definePad("ReflectionPad" + dims + "d", Pad.Mode.REFLECT, dims);
            definePad("ReplicationPad" + dims + "d", Pad.Mode.REPLICATE, dims);
        }
        define("Upsample", (a, g) -> upsample("Upsample", a, Boolean.TRUE.equals(a.get("recompute_scale_factor"))),
                arg("size", ArgKind.NULLABLE_SIZES, null), arg("scale_factor", ArgKind.NULLABLE_SCALES, null),
                arg("mode", ArgKind.UPSAMPLE_MODE, "nearest"), arg("align_corners", ArgKind.NULLABLE_BOOL, null),
                arg("recompute_scale_factor", ArgKind.NULLABLE_BOOL, null));
        define("UpsamplingNearest2d", (a, g) -> upsample("UpsamplingNearest2d", a, false),
                arg("size", ArgKind.NULLABLE_SIZES, null), arg("scale_factor", ArgKind.NULLABLE_SCALES, null));
        define("Flatten", (a, g) -> new Flatten(i(a, "start_dim"), i(a, "end_dim")),
                arg("start_dim", ArgKind.INT, 1), arg("end_dim", ArgKind.INT, -1));
        define("Unflatten", (a, g) -> new Unflatten(i(a, "dim"), p(a, "unflattened_size")),
                required("dim", ArgKind.INT), required("unflattened_size", ArgKind.UNFLATTEN_SIZES));
        define("ReLU", (a, g) -> Activation.relu(), inplace());
        define("PReLU", (a, g) -> new PReLU(i(a, "num_parameters"), d(a, "init")),
                arg("num_parameters", ArgKind.POSITIVE_INT, 1), arg("init", ArgKind.NUMBER, 0.25));
        define("LeakyReLU", (a, g) -> Activation.leakyRelu(d(a, "negative_slope")),
                arg("negative_slope", ArgKind.NUMBER, 0.01), inplace());
        define("GELU", (a, g) -> Activation.gelu((String) a.get("approximate")),
                arg("approximate", ArgKind.GELU_APPROXIMATION, "none"));
        define("SiLU", (a, g) -> Activation.silu(), inplace());
        define("Tanh", (a, g) -> Activation.tanh());
        define("Sigmoid", (a, g) -> Activation.sigmoid());
        define("ELU", (a, g) -> Activation.elu(d(a, "alpha")), arg("alpha", ArgKind.NUMBER, 1.0), inplace());
        define("Softplus", (a, g) -> Activation.softplus(d(a, "beta"), d(a, "threshold")),
                arg("beta", ArgKind.NUMBER, 1.0), arg("threshold", ArgKind.NUMBER, 20.0));
        define("Hardtanh", (a, g) -> Activation.hardtanh(d(a, "min_val"), d(a, "max_val")),
                arg("min_val", ArgKind.NUMBER, -1.0), arg("max_val", ArgKind.NUMBER, 1.0), inplace());
        define("ReLU6", (a, g) -> Activation.relu6(), inplace());
        define("Hardsigmoid", (a, g) -> Activation.hardsigmoid(), inplace());
        define("Hardswish", (a, g) -> Activation.hardswish(), inplace());
        define("Mish", (a, g) -> Activation.mish(), inplace());
        define("SELU", (a, g) -> Activation.selu(), inplace());
        define("CELU", (a, g) -> Activation.celu(d(a, "alpha")), arg("alpha", ArgKind.NUMBER, 1.0), inplace());
        define("LogSigmoid", (a, g) -> Activation.logSigmoid());
        define("Softsign", (a, g) -> Activation.softsign());
        define("Tanhshrink", (a, g) -> Activation.tanhshrink());
        define("Threshold", (a, g) -> Activation.threshold(d(a, "threshold"), d(a, "value")),
                required("threshold", ArgKind.NUMBER), required("value", ArgKind.NUMBER), inplace());
        define("Hardshrink", (a, g) -> Activation.hardshrink(d(a, "lambd")), arg("lambd", ArgKind.NUMBER, 0.5));
        define("Softshrink", (a, g) -> Activation.softshrink(d(a, "lambd")),
                arg("lambd", ArgKind.NON_NEGATIVE_NUMBER, 0.5));
        define("GLU", (a, g) -> new Glu(i(a, "dim")), arg("dim", ArgKind.INT, -1));
        define("Softmax", (a, g) -> new Softmax((Integer) a.get("dim"), false), arg("dim", ArgKind.NULLABLE_INT, null));
        define("LogSoftmax", (a, g) -> new Softmax((Integer) a.get("dim"), true),
                arg("dim", ArgKind.NULLABLE_INT, null));
        define("Softmin", (a, g) -> Softmax.softmin((Integer) a.get("dim")), arg("dim", ArgKind.NULLABLE_INT, null));
        define("Softmax2d", (a, g) -> Softmax.softmax2d());
        define("Identity", (a, g) -> new Identity());
        define("TransformerEncoderLayer", (a, g) -> new TransformerEncoderLayer(i(a, "d_model"), i(a, "nhead"),
                        i(a, "dim_feedforward"), d(a, "dropout"), (String) a.get("activation"), d(a, "layer_norm_eps"),
                        b(a, "batch_first"), b(a, "norm_first"), b(a, "bias"), g),
                required("d_model", ArgKind.POSITIVE_INT), required("nhead", ArgKind.POSITIVE_INT),
                arg("dim_feedforward", ArgKind.POSITIVE_INT, 2048), arg("dropout", ArgKind.PROBABILITY, 0.1),
                arg("activation", ArgKind.TRANSFORMER_ACTIVATION, "relu"),
                arg("layer_norm_eps", ArgKind.NON_NEGATIVE_NUMBER, 1e-5), arg("batch_first", ArgKind.BOOL, false),
                arg("norm_first", ArgKind.BOOL, false), arg("bias", ArgKind.BOOL, true));
        define("RNN", (a, g) -> rnn("tanh".equals(a.get("nonlinearity")) ? Rnn.Mode.RNN_TANH : Rnn.Mode.RNN_RELU,
                a, g), rnnArgs(true, false));
        define("LSTM", (a, g) -> rnn(Rnn.Mode.LSTM, a, g), rnnArgs(false, true));
        define("GRU", (a, g) -> rnn(Rnn.Mode.GRU, a, g), rnnArgs(false, false));
        define("TransformerEncoder", LayerCatalog::transformerEncoder,
                required("encoder_layer", ArgKind.ENCODER_LAYER), required("num_layers", ArgKind.POSITIVE_INT),
                arg("norm", ArgKind.NULLABLE_LAYER_NORM, null),
                // both only choose a fast path for masked input, which a sequential stack never passes
                arg("enable_nested_tensor", ArgKind.BOOL, true), arg("mask_check", ArgKind.BOOL, true));
    }

    /** RNN's, LSTM's and GRU's arguments, PyTorch's order and defaults ({@code proj_size}: LSTM's only). */
    private static Arg[] rnnArgs(boolean nonlinearity, boolean projSize) {
        List<Arg> out = new ArrayList<>(List.of(required("input_size", ArgKind.POSITIVE_INT),
                required("hidden_size", ArgKind.POSITIVE_INT), arg("num_layers", ArgKind.POSITIVE_INT, 1)));
        if (nonlinearity) {
            out.add(arg("nonlinearity", ArgKind.RNN_NONLINEARITY, "tanh"));
        }
        out.add(arg("bias", ArgKind.BOOL, true));
        out.add(arg("batch_first", ArgKind.BOOL, false));
        out.add(arg("dropout", ArgKind.PROBABILITY, 0.0));
        out.add(arg("bidirectional", ArgKind.BOOL, false));
        if (projSize) {
            out.add(arg("proj_size", ArgKind.NON_NEGATIVE_INT, 0));
        }
        return out.toArray(new Arg[0]);
    }

    private static Module rnn(Rnn.Mode mode, Map<String, Object> a, Generator g) {
        return new Rnn(mode, i(a, "input_size"), i(a, "hidden_size"), i(a, "num_layers"), b(a, "bias"),
                b(a, "batch_first"), d(a, "dropout"), b(a, "bidirectional"),
                a.containsKey("proj_size") ? i(a, "proj_size") : 0, g);
    }

    /** The most layers a TransformerEncoder may stack: every one is a tree of Java objects besides its tensors. */
    static final int MAX_ENCODER_LAYERS = 1024;

    /**
     * PyTorch's {@code TransformerEncoder(encoder_layer, num_layers, norm)}: the encoder layer is built once (drawing
     * its initialisation) and deep-copied, so every layer starts with the same weights; here each copy is built
     * from the generator's state before the first, which leaves the generator where PyTorch's is.
     */
    private static Module transformerEncoder(Map<String, Object> a, Generator g) {
        int n = i(a, "num_layers");
        if (n > MAX_ENCODER_LAYERS) {
            throw new IllegalArgumentException("num_layers: expected at most " + MAX_ENCODER_LAYERS + ", got " + n);
        }
        LayerSpec layer = (LayerSpec) a.get("encoder_layer");
        long[] before = g.getState();
        List<Module> layers = new ArrayList<>(n);
        for (int k = 0; k < n; k++) {
            g.setState(before);
            try {
                layers.add(create(layer, g));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("encoder_layer." + e.getMessage(), e);
            }
        }
        LayerSpec norm = (LayerSpec) a.get("norm");
        return new TransformerEncoder(layers, norm == null ? null : (LayerNorm) create(norm, g));
    }

    private static Module conv2d(Map<String, Object> a, Generator g) {
        Object padding = a.get("padding");
        return new Conv2d(i(a, "in_channels"), i(a, "out_channels"), p(a, "kernel_size"), p(a, "stride"),
                padding instanceof int[] pair ? pair.clone() : null, padding instanceof String name ? name : null,
                p(a, "dilation"), i(a, "groups"), b(a, "bias"), (String) a.get("padding_mode"), g);
    }

    private static Module conv1d(Map<String, Object> a, Generator g) {
        Object padding = a.get("padding");
        return new Conv1d(i(a, "in_channels"), i(a, "out_channels"), i(a, "kernel_size"), i(a, "stride"),
                padding instanceof Integer p ? p : 0, padding instanceof String name ? name : null, i(a, "dilation"),
                i(a, "groups"), b(a, "bias"), (String) a.get("padding_mode"), g);
    }

    private static Module pool(Pool2d.Kind kind, Map<String, Object> a) {
        int[] kernel = p(a, "kernel_size");
        int[] stride = a.get("stride") == null ? kernel : p(a, "stride");
        boolean max = kind == Pool2d.Kind.MAX;
        return new Pool2d(kind, kernel, stride, p(a, "padding"), max ? p(a, "dilation") : new int[] {1, 1},
                b(a, "ceil_mode"), max || b(a, "count_include_pad"), max ? null : (Integer) a.get("divisor_override"));
    }

    private static Module upsample(String type, Map<String, Object> a, boolean recompute) {
        int[] size = (int[]) a.get("size");
        double[] scale = (double[]) a.get("scale_factor");
        return new Upsample(type, size == null ? null : size.clone(), scale == null ? null : scale.clone(),
                a.containsKey("mode") ? (String) a.get("mode") : "nearest", (Boolean) a.get("align_corners"),
                recompute);
    }

    private static void definePad(String type, Pad.Mode mode, int dims) {
        define(type, (a, g) -> pad(type, mode, dims, a, 0),
                required("padding", dims == 1 ? ArgKind.PAD1D : ArgKind.PAD2D));
    }

    private static Module pad(String type, Pad.Mode mode, int dims, Map<String, Object> a, double value) {
        return new Pad(type, mode, dims, p(a, "padding"), value);
    }

    /** A 1-D size argument as the (1, value) pair of the 2-D op that runs it. */
    private static int[] line(Map<String, Object> a, String name) {
        return new int[] {1, i(a, name)};
    }

    /** A 1-D padding argument as the (0, value) pair of the 2-D op that runs it. */
    private static int[] padLine(Map<String, Object> a, String name) {
        return new int[] {0, i(a, name)};
    }

    private static int strideOrKernel(Map<String, Object> a) {
        return a.get("stride") == null ? i(a, "kernel_size") : i(a, "stride");
    }

    /** InstanceNorm's arguments: PyTorch's (momentum is used only with track_running_stats). */
    private static Arg[] instanceNormArgs() {
        return new Arg[] {required("num_features", ArgKind.POSITIVE_INT), arg("eps", ArgKind.NON_NEGATIVE_NUMBER, 1e-5),
            arg("momentum", ArgKind.NULLABLE_PROBABILITY, 0.1), arg("affine", ArgKind.BOOL, false),
            arg("track_running_stats", ArgKind.BOOL, false)};
    }

    private static Module instanceNorm(int dims, Map<String, Object> a) {
        boolean track = b(a, "track_running_stats");
        if (track && a.get("momentum") == null) {
            // PyTorch's instance_norm takes a float momentum: None (a cumulative average) fails there
            throw new IllegalArgumentException("momentum: expected a number between 0 and 1 with "
                    + "track_running_stats=true (instance norm has no cumulative average), got null");
        }
        return new InstanceNorm(dims, i(a, "num_features"), d(a, "eps"),
                a.get("momentum") == null ? 0.1 : d(a, "momentum"), b(a, "affine"), track);
    }

    private static Arg[] batchNormArgs() {
        return new Arg[] {required("num_features", ArgKind.POSITIVE_INT), arg("eps", ArgKind.NON_NEGATIVE_NUMBER, 1e-5),
            arg("momentum", ArgKind.NULLABLE_PROBABILITY, 0.1), arg("affine", ArgKind.BOOL, true),
            arg("track_running_stats", ArgKind.BOOL, true)};
    }

    private static Module batchNorm(int dims, Map<String, Object> a) {
        return new BatchNorm(dims, i(a, "num_features"), d(a, "eps"), (Double) a.get("momentum"), b(a, "affine"),
                b(a, "track_running_stats"));
    }

    private static int i(Map<String, Object> a, String name) {
        return (Integer) a.get(name);
    }

    private static int[] p(Map<String, Object> a, String name) {
        return ((int[]) a.get(name)).clone();
    }

    private static boolean b(Map<String, Object> a, String name) {
        return (Boolean) a.get(name);
    }

    private static double d(Map<String, Object> a, String name) {
        return ((Number) a.get(name)).doubleValue();
    }

    private LayerCatalog() {
    }

    /** The layer type names, in the order of the API document. */
    static Set<String> types() {
        return Collections.unmodifiableSet(TYPES.keySet());
    }

    /** The arguments of {@code type}, in PyTorch's order. */
    static List<Arg> args(String type) {
        return entry(type, "type").args();
    }

    private static Entry entry(String type, String path) {
        Entry e = TYPES.get(type);
        if (e == null) {
            throw new IllegalArgumentException(path + ": unknown layer type \"" + type + "\"; expected one of "
                    + TYPES.keySet());
        }
        return e;
    }

    /**
     * Checks the arguments of one layer object (every member except {@code type}) and returns them with
     * PyTorch's defaults filled in, in PyTorch's order. {@code path} is the layer's path, e.g. {@code layers[2]}.
     */
    static Map<String, Object> normalize(String type, JsonNode layer, String path) {
        Entry e = entry(type, path + ".type");
        List<String> known = new ArrayList<>();
        Map<String, Object> out = new LinkedHashMap<>();
        for (Arg arg : e.args()) {
            known.add(arg.name());
            JsonNode v = layer.get(arg.name());
            if (v == null) {
                if (arg.defaultValue() == REQUIRED) {
                    throw new IllegalArgumentException(path + "." + arg.name() + ": required argument of " + type
                            + " is missing");
                }
                out.put(arg.name(), arg.defaultValue() instanceof int[] p ? p.clone() : arg.defaultValue());
            } else {
                Object value = arg.kind().read(v, path + "." + arg.name());
                if (arg.onlyDefault() && !Objects.deepEquals(value, arg.defaultValue())) {
                    throw new IllegalArgumentException(path + "." + arg.name() + ": only PyTorch's default "
                            + text(arg.defaultValue()) + " is built, got " + ModelSpec.describe(v));
                }
                out.put(arg.name(), value);
            }
        }
        for (String name : layer.propertyNames()) {
            if (!name.equals("type") && !known.contains(name)) {
                throw new IllegalArgumentException(path + "." + name + ": unknown argument of " + type + "; "
                        + (known.isEmpty() ? "it takes no arguments" : "expected one of " + known));
            }
        }
        return out;
    }

    /** A default as the spec would write it. */
    private static String text(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof String str) {
            return "\"" + str + "\"";
        }
        if (v instanceof int[] pair) {
            return pair[0] == pair[1] ? Integer.toString(pair[0]) : "[" + pair[0] + ", " + pair[1] + "]";
        }
        return v.toString();
    }

    /** Builds the layer, drawing its initial parameters from {@code g}. */
    static Module create(LayerSpec spec, Generator g) {
        return entry(spec.type(), "type").factory().create(spec.args(), g);
    }
}
