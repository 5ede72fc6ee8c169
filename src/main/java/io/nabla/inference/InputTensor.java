package io.nabla.inference;

import io.nabla.backend.DType;
import io.nabla.tensor.Tensor;

/**
 * One input of an inference request, already decoded.
 *
 * @param name the input's name
 * @param datatype the datatype the request sent (converted to the model's when run)
 * @param shape the declared shape
 * @param data a contiguous tensor of {@code shape} and {@code datatype}
 */
public record InputTensor(String name, DType datatype, int[] shape, Tensor data) {

    /** Rows along dimension 0 (1 for a 0-dim tensor). */
    public int rows() {
        return shape.length == 0 ? 1 : shape[0];
    }
}
