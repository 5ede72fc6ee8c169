package io.nabla.nn;

import io.nabla.backend.DType;
import io.nabla.tensor.Shape;
import io.nabla.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/** Layers applied in order, named {@code "0"}, {@code "1"}, ... as in {@code torch.nn.Sequential}. */
public final class Sequential extends Module {

    private final List<Module> layers = new ArrayList<>();

    public Sequential(Module... layers) {
        this(List.of(layers));
    }

    public Sequential(List<? extends Module> layers) {
        for (Module m : layers) {
            this.layers.add(registerModule(Integer.toString(this.layers.size()), m));
        }
    }

    public int size() {
        return layers.size();
    }

    /** The layer at {@code index}. */
    public Module get(int index) {
        if (index < 0 || index >= layers.size()) {
            throw new IndexOutOfBoundsException("layer index " + index + " is out of range for a Sequential of "
                    + layers.size() + " layers");
        }
        return layers.get(index);
    }

    public List<Module> layers() {
        return List.copyOf(layers);
    }

    /**
     * This model for INT8 inference ({@code quantize_dynamic} of {@code nn.Linear}): a new Sequential in which every
     * {@link Linear} of {@link #quantizableLinears}, also inside nested Sequentials and transformer layers, is replaced
     * by its {@link QuantizedLinear} (built in the current scope), the other layers shared with this one. The replaced
     * layers' FP32 tensors are freed at once, so this model must not be used afterwards.
     */
    public Sequential quantizeDynamic() {
        List<Module> out = new ArrayList<>(layers.size());
        for (Module m : layers) {
            if (m instanceof Linear linear) {
                out.add(QuantizedLinear.of(linear));
                linear.weight().free();
                if (linear.bias() != null) {
                    linear.bias().free();
                }
            } else if (m instanceof Sequential nested) {
                out.add(nested.quantizeDynamic());
            } else if (m instanceof TransformerEncoderLayer encoder) {
                out.add(encoder.quantizeDynamic());
            } else if (m instanceof TransformerEncoder encoder) {
                out.add(encoder.quantizeDynamic());
            } else {
                out.add(m);
            }
        }
        Sequential q = new Sequential(out);
        q.train(isTraining());
        return q;
    }

    /**
     * The {@link Linear}s that {@link #quantizeDynamic} replaces, by their state-dict path (e.g. {@code "0"},
     * {@code "2.linear1"}): those PyTorch's {@code quantize_dynamic(model, {nn.Linear})} swaps, so not the output
     * projection of a {@link TransformerEncoderLayer}'s attention.
     */
    public java.util.Map<String, Linear> quantizableLinears() {
        java.util.Map<String, Linear> out = new java.util.LinkedHashMap<>();
        for (int i = 0; i < layers.size(); i++) {
            String name = Integer.toString(i);
            Module m = layers.get(i);
            if (m instanceof Linear linear) {
                out.put(name, linear);
            } else if (m instanceof Sequential nested) {
                nested.quantizableLinears().forEach((k, v) -> out.put(name + "." + k, v));
            } else if (m instanceof TransformerEncoderLayer encoder) {
                encoder.quantizableLinears().forEach((k, v) -> out.put(name + "." + k, v));
            } else if (m instanceof TransformerEncoder encoder) {
                encoder.layers().quantizableLinears().forEach((k, v) -> out.put(name + ".layers." + k, v));
            }
        }
        return out;
    }

    @Override
    public Tensor forward(Tensor input) {
        Tensor x = input;
        for (Module m : layers) {
            x = m.forward(x);
        }
        return x;
    }

    /** True when every layer keeps the rows of dimension 0 apart, each given its input's shape. */
    @Override
    public boolean rowsIndependent(int[] inputShape) {
        int[] shape = inputShape;
        for (Module m : layers) {
            if (!m.rowsIndependent(shape)) {
                return false;
            }
            shape = m.outputShape(shape);
        }
        return true;
    }

    /** Chains the layers' shape checks; a layer that does not fit is named by its index and type. */
    @Override
    public int[] outputShape(int[] inputShape) {
        int[] shape = inputShape;
        for (int i = 0; i < layers.size(); i++) {
            try {
                shape = layers.get(i).outputShape(shape);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("layers[" + i + "] (" + layers.get(i).typeName() + ") cannot take "
                        + "the input " + Shape.format(shape) + ": " + e.getMessage(), e);
            }
        }
        return shape;
    }

    @Override
    public DType outputDType(DType input) {
        DType t = input;
        for (int i = 0; i < layers.size(); i++) {
            try {
                t = layers.get(i).outputDType(t);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("layers[" + i + "] (" + layers.get(i).typeName() + "): "
                        + e.getMessage(), e);
            }
        }
        return t;
    }
}
