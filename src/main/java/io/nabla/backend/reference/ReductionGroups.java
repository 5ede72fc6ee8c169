package io.nabla.backend.reference;

import io.nabla.backend.Layout;
import io.nabla.backend.StridedCursor;

/**
 * Splits a shape into groups for the scalar kernels: the positions of the kept dimensions pick a group, the reduced
 * dimensions run inside it. Every operand has a layout of the full shape (broadcast operands, such as a keepdim
 * output or a per-channel weight, carry stride 0); {@link #inner} walks one group of all operands together in
 * row-major order of the reduced dimensions.
 */
final class ReductionGroups {

    private final int[] innerShape;
    private final Layout[] innerLayouts;
    private final StridedCursor outer;
    private final long count;
    private final long size;

    ReductionGroups(int[] shape, boolean[] reduced, Layout... operands) {
        int rank = shape.length;
        int[] keptShape = new int[rank];
        innerShape = new int[rank];
        for (int d = 0; d < rank; d++) {
            keptShape[d] = reduced[d] ? 1 : shape[d];
            innerShape[d] = reduced[d] ? shape[d] : 1;
        }
        innerLayouts = new Layout[operands.length];
        Layout[] outerLayouts = new Layout[operands.length];
        for (int k = 0; k < operands.length; k++) {
            int[] s = operands[k].strides();
            innerLayouts[k] = new Layout(innerShape, s, 0);
            outerLayouts[k] = new Layout(keptShape, s, operands[k].offset());
        }
        outer = new StridedCursor(keptShape, outerLayouts);
        count = Layout.contiguous(keptShape).numel();
        size = Layout.contiguous(innerShape).numel();
    }

    /** Marks {@code dims} as reduced in a mask of {@code rank} dimensions. */
    static boolean[] mask(int rank, int... dims) {
        boolean[] m = new boolean[rank];
        for (int d : dims) {
            m[d] = true;
        }
        return m;
    }

    /** Marks every dimension but {@code kept} as reduced. */
    static boolean[] allBut(int rank, int kept) {
        boolean[] m = new boolean[rank];
        for (int d = 0; d < rank; d++) {
            m[d] = d != kept;
        }
        return m;
    }

    /**
     * A layout of {@code shape} over the elements of {@code small}, whose size-1 dimensions (or missing leading
     * ones) are broadcast with stride 0.
     */
    static Layout broadcast(Layout small, int[] shape) {
        int lead = shape.length - small.rank();
        int[] strides = new int[shape.length];
        for (int d = lead; d < shape.length; d++) {
            strides[d] = small.shape()[d - lead] == 1 ? 0 : small.strides()[d - lead];
        }
        return new Layout(shape.clone(), strides, small.offset());
    }

    /** A layout of {@code shape} over a contiguous vector indexed by dimension {@code dim} alone. */
    static Layout alongDim(int[] shape, int dim) {
        int[] strides = new int[shape.length];
        strides[dim] = 1;
        return new Layout(shape.clone(), strides, 0);
    }

    /** Number of groups (positions of the kept dimensions). */
    long count() {
        return count;
    }

    /** Elements per group. */
    long size() {
        return size;
    }

    /** Offsets of the current group's first element in each operand. */
    long[] base() {
        return outer.offset;
    }

    /** Moves to the next group. */
    void next() {
        outer.next();
    }

    /** A cursor over the current group of every operand, from its first element. */
    StridedCursor inner() {
        Layout[] ls = new Layout[innerLayouts.length];
        for (int k = 0; k < ls.length; k++) {
            ls[k] = new Layout(innerShape, innerLayouts[k].strides(), outer.offset[k]);
        }
        return new StridedCursor(innerShape, ls);
    }
}
