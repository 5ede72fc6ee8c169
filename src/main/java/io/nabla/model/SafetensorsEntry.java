package io.nabla.model;

import io.nabla.backend.DType;
import io.nabla.tensor.Shape;
import java.util.Arrays;
import java.util.Objects;

/**
 * One tensor as a safetensors header describes it: its name, dtype, shape and the byte range
 * {@code [begin, end)} of its little-endian row-major data, relative to the start of the data section.
 */
public record SafetensorsEntry(String name, DType dtype, int[] shape, long begin, long end) {

    public SafetensorsEntry {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        shape = Objects.requireNonNull(shape, "shape").clone();
    }

    @Override
    public int[] shape() {
        return shape.clone();
    }

    /** Number of elements. */
    public long numel() {
        return Shape.numel(shape);
    }

    /** Bytes of data ({@code end - begin}). */
    public long byteSize() {
        return end - begin;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SafetensorsEntry e && name.equals(e.name) && dtype == e.dtype
                && Arrays.equals(shape, e.shape) && begin == e.begin && end == e.end;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, dtype, Arrays.hashCode(shape), begin, end);
    }

    @Override
    public String toString() {
        return name + ": " + dtype.safetensorsCode() + " " + Shape.format(shape) + " at [" + begin + ", " + end + ")";
    }
}
