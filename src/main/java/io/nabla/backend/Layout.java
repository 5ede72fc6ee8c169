package io.nabla.backend;

/**
 * How a view's elements sit in its memory: sizes, strides (in elements, 0 for broadcast dimensions) and the
 * offset (in elements) of the first element. Kernels receive a layout per operand.
 */
public record Layout(int[] shape, int[] strides, long offset) {

    public int rank() {
        return shape.length;
    }

    /** Number of elements (the product of the sizes; 1 for a 0-dim layout). */
    public long numel() {
        long n = 1;
        for (int s : shape) {
            n *= s;
        }
        return n;
    }

    /** True when the elements are laid out densely in row-major order. */
    public boolean isContiguous() {
        if (numel() == 0) {
            return true;
        }
        long expected = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] != 1 && strides[d] != expected) {
                return false;
            }
            expected *= shape[d];
        }
        return true;
    }

    /** A dense row-major layout of the given shape starting at offset 0. */
    public static Layout contiguous(int... shape) {
        int[] strides = new int[shape.length];
        long s = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            strides[d] = (int) s;
            s *= Math.max(shape[d], 1);
        }
        return new Layout(shape.clone(), strides, 0);
    }

    /** Element offset (in elements, from the start of memory) of the element with this flat row-major index. */
    public long offsetOf(long flatIndex) {
        long off = offset;
        for (int d = shape.length - 1; d >= 0; d--) {
            int size = shape[d];
            off += (flatIndex % size) * (long) strides[d];
            flatIndex /= size;
        }
        return off;
    }
}
