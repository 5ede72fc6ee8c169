package io.nabla.backend.cpu;

import io.nabla.backend.Layout;
import io.nabla.backend.StridedCursor;

/**
 * Operands of one shape seen as rows ("runs") along their innermost dimension, after merging every pair of
 * dimensions that is contiguous for all operands and dropping dimensions of size 1. Contiguous operands of any
 * rank become one run; a broadcast operand keeps stride 0 along its broadcast dimensions. Any range of the
 * row-major element order can be walked run by run, so loops can be chunked for {@link Parallel#forChunks}.
 */
final class Runs {

    /** What a loop does with one run: the element offset of each operand at the run's start, and its length. */
    @FunctionalInterface
    interface Body {
        void run(int[] offsets, int length);
    }

    private final int[] outerShape;
    private final Layout[] outer;
    private final int inner;
    private final int[] innerStrides;
    private final long numel;

    private Runs(int[] outerShape, Layout[] outer, int inner, int[] innerStrides, long numel) {
        this.outerShape = outerShape;
        this.outer = outer;
        this.inner = inner;
        this.innerStrides = innerStrides;
        this.numel = numel;
    }

    /** The runs of operands that all have {@code shape}. */
    static Runs of(int[] shape, Layout... operands) {
        int k = operands.length;
        int rank = shape.length;
        int[] sizes = new int[Math.max(rank, 1)];
        int[][] strides = new int[k][Math.max(rank, 1)];
        int dims = 0;
        long numel = 1;
        for (int d = 0; d < rank; d++) {
            numel *= shape[d];
            if (shape[d] == 1) {
                continue;
            }
            if (dims > 0 && mergeable(sizes[dims - 1], shape[d], operands, strides, dims - 1, d)) {
                sizes[dims - 1] *= shape[d];
                for (int j = 0; j < k; j++) {
                    strides[j][dims - 1] = operands[j].strides()[d];
                }
                continue;
            }
            sizes[dims] = shape[d];
            for (int j = 0; j < k; j++) {
                strides[j][dims] = operands[j].strides()[d];
            }
            dims++;
        }
        if (dims == 0) { // every size is 1: one run of one element
            sizes[0] = 1;
            dims = 1;
        }
        int[] outerShape = new int[dims - 1];
        System.arraycopy(sizes, 0, outerShape, 0, dims - 1);
        Layout[] outer = new Layout[k];
        int[] innerStrides = new int[k];
        for (int j = 0; j < k; j++) {
            int[] os = new int[dims - 1];
            System.arraycopy(strides[j], 0, os, 0, dims - 1);
            outer[j] = new Layout(outerShape, os, operands[j].offset());
            innerStrides[j] = strides[j][dims - 1];
        }
        return new Runs(outerShape, outer, sizes[dims - 1], innerStrides, numel);
    }

    private static boolean mergeable(int prevSize, int size, Layout[] operands, int[][] strides, int prev, int d) {
        if ((long) prevSize * size > Integer.MAX_VALUE) {
            return false;
        }
        for (int j = 0; j < operands.length; j++) {
            if ((long) strides[j][prev] != (long) operands[j].strides()[d] * size) {
                return false;
            }
        }
        return true;
    }

    long numel() {
        return numel;
    }

    /** The innermost stride of operand {@code k} (the same for every run). */
    int innerStride(int k) {
        return innerStrides[k];
    }

    /** Calls {@code body} for each run (or part of one) inside the row-major element range [start, end). */
    void forEach(long start, long end, Body body) {
        if (start >= end) {
            return;
        }
        StridedCursor cursor = new StridedCursor(outerShape, outer);
        long row = start / inner;
        int col = (int) (start % inner);
        cursor.seek(row);
        int[] offsets = new int[outer.length];
        long pos = start;
        while (pos < end) {
            int len = (int) Math.min(inner - col, end - pos);
            for (int j = 0; j < offsets.length; j++) {
                offsets[j] = Math.toIntExact(cursor.offset[j] + (long) col * innerStrides[j]);
            }
            body.run(offsets, len);
            pos += len;
            col = 0;
            if (pos < end) {
                cursor.next();
            }
        }
    }

    /** Runs the loop over every element, on both cores for large tensors (chunks of {@code grain} elements). */
    void parallel(long grain, Body body) {
        Parallel.forChunks(numel, grain, (chunk, s, e) -> forEach(s, e, body));
    }
}
