package io.nabla.model;

import io.nabla.backend.DType;
import io.nabla.tensor.Shape;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A named model input or output: its datatype (an Open Inference Protocol name such as {@code FP32}) and its shape,
 * where -1 marks a dimension of variable size (the batch); an output may name its classes ({@code labels}, one per
 * entry of its last dimension), which Triton's classification extension answers with.
 */
public record TensorSpec(String name, DType datatype, int[] shape, List<String> labels) {

    /** The most {@code labels} an output may have. */
    public static final int MAX_LABELS = 100_000;

    /** The longest label, in characters. */
    public static final int MAX_LABEL_LENGTH = 1024;

    /** A tensor without labels. */
    public TensorSpec(String name, DType datatype, int[] shape) {
        this(name, datatype, shape, List.of());
    }

    /**
     * The most dimensions a model input or output may have: the most an inference request may send
     * ({@code inputs[i].shape}), so a spec with more would store a model that no request could ever call.
     */
    public static final int MAX_RANK = 16;

    public TensorSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(datatype, "datatype");
        shape = shape.clone();
        labels = List.copyOf(labels);
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorSpec t && t.name.equals(name) && t.datatype == datatype
                && Arrays.equals(t.shape, shape) && t.labels.equals(labels);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, datatype, Arrays.hashCode(shape), labels);
    }

    @Override
    public String toString() {
        return name + " " + datatype.inferenceName() + " " + Shape.format(shape);
    }
}
