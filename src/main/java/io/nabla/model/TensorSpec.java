package io.nabla.model;

import io.nabla.backend.DType;
import io.nabla.tensor.Shape;
import java.util.Arrays;
import java.util.Objects;

/**
 * A named model input or output: its datatype (an Open Inference Protocol name such as {@code FP32}) and its shape,
 * where -1 marks a dimension of variable size (the batch).
 */
public record TensorSpec(String name, DType datatype, int[] shape) {

    /**
     * The most dimensions a model input or output may have: the most an inference request may send
     * ({@code inputs[i].shape}), so a spec with more would store a model that no request could ever call.
     */
    public static final int MAX_RANK = 16;

    public TensorSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(datatype, "datatype");
        shape = shape.clone();
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorSpec t && t.name.equals(name) && t.datatype == datatype
                && Arrays.equals(t.shape, shape);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, datatype, Arrays.hashCode(shape));
    }

    @Override
    public String toString() {
        return name + " " + datatype.inferenceName() + " " + Shape.format(shape);
    }
}
