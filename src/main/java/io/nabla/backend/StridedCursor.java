package io.nabla.backend;

/**
 * Walks the elements of several operands that share one shape in row-major order, keeping each operand's element
 * offset. Start anywhere with {@link #seek(long)}; {@link #next()} advances by one element.
 */
public final class StridedCursor {

    private final int[] shape;
    private final int[][] strides;
    private final long[] base;
    private final int[] counter;
    /** Current element offset of each operand. */
    public final long[] offset;

    public StridedCursor(int[] shape, Layout... operands) {
        this.shape = shape;
        int n = operands.length;
        this.strides = new int[n][];
        this.base = new long[n];
        this.offset = new long[n];
        this.counter = new int[shape.length];
        for (int k = 0; k < n; k++) {
            if (operands[k].shape().length != shape.length) {
                throw new IllegalArgumentException("operand " + k + " has rank " + operands[k].shape().length
                        + ", expected " + shape.length);
            }
            strides[k] = operands[k].strides();
            base[k] = operands[k].offset();
            offset[k] = base[k];
        }
    }

    /** Positions the cursor at the element with this row-major index. */
    public void seek(long flat) {
        for (int k = 0; k < offset.length; k++) {
            offset[k] = base[k];
        }
        for (int d = shape.length - 1; d >= 0; d--) {
            int size = shape[d];
            int c = size == 0 ? 0 : (int) (flat % size);
            flat = size == 0 ? 0 : flat / size;
            counter[d] = c;
            for (int k = 0; k < offset.length; k++) {
                offset[k] += (long) c * strides[k][d];
            }
        }
    }

    /** Moves to the next element in row-major order. */
    public void next() {
        for (int d = shape.length - 1; d >= 0; d--) {
            if (++counter[d] < shape[d]) {
                for (int k = 0; k < offset.length; k++) {
                    offset[k] += strides[k][d];
                }
                return;
            }
            counter[d] = 0;
            for (int k = 0; k < offset.length; k++) {
                offset[k] -= (long) strides[k][d] * (shape[d] - 1);
            }
        }
    }
}
