package io.nabla.model;

import io.nabla.backend.DType;
import io.nabla.backend.Int8;
import io.nabla.backend.Device;
import io.nabla.nn.Generator;
import io.nabla.nn.Module;
import io.nabla.nn.Sequential;
import io.nabla.tensor.Shape;
import io.nabla.tensor.TensorScope;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Builds the {@link Sequential} a {@link ModelSpec} describes, initialised as PyTorch initialises it after
 * {@code torch.manual_seed(spec.seed)}: the layers are constructed in order, each drawing its default
 * initialisation from one {@link Generator}, so the state dict equals PyTorch's bit for bit. Then the stack is
 * checked: every layer must accept the previous layer's output shape and dtype, starting from the spec's input,
 * and the last must produce the spec's output. Parameters are allocated in the current
 * {@link io.nabla.tensor.TensorScope}.
 */
public final class ModelBuilder {

    private ModelBuilder() {
    }

    /** Builds and checks the model; a layer that does not fit is named by its index and type. */
    public static Sequential build(ModelSpec spec) {
        return build(spec, new Generator(spec.seed()));
    }

    /**
     * Builds the model drawing from {@code g}, which should be {@code new Generator(spec.seed())} for PyTorch's
     * initialisation. Dropout layers keep drawing from {@code g}, so a caller that shuffles data with it too
     * reproduces a PyTorch run that seeds once and uses the global generator throughout.
     */
    public static Sequential build(ModelSpec spec, Generator g) {
        return build(spec, g, ParameterBudget.DEFAULT_MAX_ELEMENTS);
    }

    /**
     * Builds the model, first refusing (before allocating anything) a spec whose layers would hold more than
     * {@code maxElements} parameter and buffer elements.
     */
    public static Sequential build(ModelSpec spec, Generator g, long maxElements) {
        ParameterBudget.check(spec, maxElements);
        List<Module> layers = new ArrayList<>();
        for (int i = 0; i < spec.layers().size(); i++) {
            LayerSpec l = spec.layers().get(i);
            try {
                layers.add(LayerCatalog.create(l, g));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(atLayer(i, l, e.getMessage()), e);
            }
        }
        Sequential model = new Sequential(layers);
        check(spec, model);
        return model;
    }

    /**
     * Builds the model as {@link #build(ModelSpec, Generator, long)} does (initialised on the host, exactly as
     * PyTorch initialises it) and moves it to {@code device} ({@link io.nabla.nn.Module#to}): the device tensors are
     * allocated in the caller's current {@link TensorScope} (and a GPU's arena current on this thread), the host
     * tensors are freed before it returns.
     */
    public static Sequential build(ModelSpec spec, Generator g, long maxElements, Device device) {
        if (device == null) {
            throw new IllegalArgumentException("device must be cpu or cuda:N, got null");
        }
        if (device.isCpu()) {
            return build(spec, g, maxElements);
        }
        TensorScope outer = TensorScope.current();
        try (TensorScope host = TensorScope.open()) {
            Sequential model = build(spec, g, maxElements);
            model.to(device);
            model.parameters().forEach(t -> TensorScope.moveTo(t, outer));
            model.namedBuffers().values().forEach(t -> TensorScope.moveTo(t, outer));
            return model;
        }
    }

    /**
     * A layer's error with the layer's path in front: {@code layers[2].in_channels must be ...} when the message
     * starts with one of the layer's arguments (or a path into one, {@code encoder_layer.d_model ...}), else {@code layers[2] (Conv2d): <message>}, so a message that names
     * no argument (one from the engine, say) never runs into the path as if it were a field.
     */
    static String atLayer(int i, LayerSpec l, String message) {
        String m = message == null ? "invalid arguments" : message;
        for (LayerCatalog.Arg a : LayerCatalog.args(l.type())) {
            if (m.startsWith(a.name() + ":") || m.startsWith(a.name() + " ") || m.startsWith(a.name() + ".")) {
                return "layers[" + i + "]." + m;
            }
        }
        return "layers[" + i + "] (" + l.type() + "): " + m;
    }

    /**
     * The spec field that sets the input features of the quantizable Linear at state-dict path {@code path}: a
     * Linear's {@code in_features}, a transformer layer's {@code d_model} (linear1) or {@code dim_feedforward}
     * (linear2), also a TransformerEncoder's {@code encoder_layer}'s.
     */
    private static String int8Field(String path) {
        int dot = path.indexOf('.');
        String layer = "layers[" + (dot < 0 ? path : path.substring(0, dot)) + "]"
                + (path.contains(".layers.") ? ".encoder_layer" : "");
        if (path.endsWith(".linear1")) {
            return layer + ".d_model";
        }
        return layer + (path.endsWith(".linear2") ? ".dim_feedforward" : ".in_features");
    }

    /** Checks that the layers carry the spec's input to its output (shapes and dtypes). */
    static void check(ModelSpec spec, Sequential model) {
        if (spec.int8()) {
            for (Map.Entry<String, io.nabla.nn.Linear> e : model.quantizableLinears().entrySet()) {
                int k = e.getValue().weight().tensor().size(1);
                if (k > Int8.MAX_K) {
                    throw new IllegalArgumentException(int8Field(e.getKey()) + ": precision \"int8\" takes at most "
                            + Int8.MAX_K + " input features (beyond, its integer sums could overflow), got " + k);
                }
            }
        }
        TensorSpec in = spec.inputs().get(0);
        TensorSpec out = spec.outputs().get(0);
        DType dtype = model.outputDType(in.datatype());
        int[] shape = model.outputShape(in.shape());
        // in bf16/fp16 inference the answer may be declared in that dtype too (it is cast to the declared one)
        boolean lowOutput = spec.lowPrecision() != null && dtype.isFloatingPoint()
                && out.datatype() == spec.lowPrecision();
        if (dtype != out.datatype() && !lowOutput) {
            throw new IllegalArgumentException("outputs[0].datatype: the layers produce " + dtype.inferenceName()
                    + " from an input of " + in.datatype().inferenceName() + ", but the spec says "
                    + out.datatype().inferenceName() + (spec.lowPrecision() == null ? "" : " (or, in precision "
                    + spec.precision() + ", " + spec.lowPrecision().inferenceName() + ")"));
        }
        boolean fits = shape.length == out.shape().length;
        for (int d = 0; fits && d < shape.length; d++) {
            fits = shape[d] == -1 || out.shape()[d] == -1 || shape[d] == out.shape()[d];
        }
        if (!fits) {
            throw new IllegalArgumentException("outputs[0].shape: the layers produce " + Shape.format(shape)
                    + " from an input of " + Shape.format(in.shape()) + ", but the spec says "
                    + Shape.format(out.shape()));
        }
    }
}
