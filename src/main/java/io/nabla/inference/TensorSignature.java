package io.nabla.inference;

import io.nabla.backend.DType;
import java.util.Arrays;

/**
 * A named input or output of a model: its datatype and shape, where {@code -1} marks a variable dimension.
 *
 * @param name the tensor's name in requests and responses
 * @param datatype the datatype the model computes in (inputs are converted to it)
 * @param shape sizes, {@code -1} for variable ones
 * @param labels an output's class names (one per entry of its last dimension), or empty
 */
public record TensorSignature(String name, DType datatype, int[] shape, java.util.List<String> labels) {

    public TensorSignature {
        shape = shape.clone();
        labels = java.util.List.copyOf(labels);
    }

    /** A tensor without labels. */
    public TensorSignature(String name, DType datatype, int[] shape) {
        this(name, datatype, shape, java.util.List.of());
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    /** True when dimension 0 is variable, so requests can be stacked along it. */
    public boolean batchable() {
        return shape.length > 0 && shape[0] == -1;
    }

    /** Null when {@code actual} fits this signature, else the reason naming expected and actual shapes. */
    public String mismatch(int[] actual) {
        boolean ok = actual.length == shape.length;
        for (int d = 0; ok && d < shape.length; d++) {
            ok = shape[d] == -1 || shape[d] == actual[d];
        }
        return ok ? null : "input '" + name + "': expected shape " + Arrays.toString(shape) + " (-1 = any), got "
                + Arrays.toString(actual);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorSignature t && t.name.equals(name) && t.datatype == datatype
                && Arrays.equals(t.shape, shape) && t.labels.equals(labels);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + " " + datatype.inferenceName() + " " + Arrays.toString(shape);
    }
}
