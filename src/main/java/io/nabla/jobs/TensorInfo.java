package io.nabla.jobs;

import java.util.List;
import java.util.Objects;

/**
 * One tensor of a dataset as its safetensors header declares it.
 *
 * @param dtype the safetensors dtype code ({@code F32}, {@code I64}, {@code BF16}, ...)
 * @param shape the sizes, the first being the dataset's number of samples
 */
public record TensorInfo(String dtype, List<Long> shape) {

    public TensorInfo {
        Objects.requireNonNull(dtype, "dtype");
        shape = List.copyOf(shape);
    }
}
