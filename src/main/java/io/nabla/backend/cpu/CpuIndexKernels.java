package io.nabla.backend.cpu;

import io.nabla.backend.DType;
import io.nabla.backend.ElementAccess;
import io.nabla.backend.Layout;
import io.nabla.backend.Memory;
import io.nabla.backend.reference.ReferenceIndexKernels;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;

/**
 * Host {@link io.nabla.backend.IndexKernels}: fast paths over the reference loops for what training runs hot —
 * embedding forward/backward (index_select/index_add along dim 0), gather/scatter_add (cross-entropy picks and
 * their gradient), index_select, masked_fill (attention masks) and cat of contiguous blocks — falling back to the reference for other layouts.
 * Copies move whole runs of bytes; adds specialise FP32/FP64. Work is split with {@link Parallel} so that each
 * output element is written by one chunk and its adds happen in the reference's order: results are bit-identical
 * to the reference and independent of the thread count. (A kernel collection, so longer than most files.)
 */
public class CpuIndexKernels extends ReferenceIndexKernels {

    /** Elements of work per parallel chunk. */
    private static final long GRAIN = 1 << 14;

    @Override
    public void gather(int dim, Memory in, Layout inLayout, Memory index, Layout indexLayout, DType indexType,
                       DType dtype, Memory out, Layout outLayout) {
        Blocks b = Blocks.of(inLayout, indexLayout.shape(), dim);
        if (b == null || !outLayout.isContiguous() || (dtype.itemSize() != 4 && dtype.itemSize() != 8)) {
            super.gather(dim, in, inLayout, index, indexLayout, indexType, dtype, out, outLayout);
            return;
        }
        long[] idx = readIndices("gather", index, indexLayout, indexType, dim, b.size);
        ByteBuffer s = in.hostBuffer();
        ByteBuffer d = out.hostBuffer();
        long inOff = inLayout.offset();
        long outOff = outLayout.offset();
        int shift = dtype.itemSize() == 4 ? 2 : 3;
        long n = b.count;
        long inner = b.inner;
        forRows(b.outer * n, inner, (r0, r1) -> {
            for (long r = r0; r < r1; r++) { // row r = (o, j) of the index, inner elements each
                long o = r / n;
                long rowBase = inOff + o * b.size * inner;
                long at = r * inner;
                for (long k = 0; k < inner; k++) {
                    int from = (int) (rowBase + idx[(int) (at + k)] * inner + k) << shift;
                    int to = (int) (outOff + at + k) << shift;
                    if (shift == 2) {
                        d.putInt(to, s.getInt(from));
                    } else {
                        d.putLong(to, s.getLong(from));
                    }
                }
            }
        });
    }

    @Override
    public void scatterAdd(int dim, Memory index, Layout indexLayout, DType indexType, Memory src, Layout srcLayout,
                           DType dtype, Memory out, Layout outLayout) {
        int[] shape = indexLayout.shape();
        Blocks b = Blocks.of(outLayout, shape, dim);
        boolean fast = b != null && (dtype == DType.FP32 || dtype == DType.FP64) && srcLayout.isContiguous()
                && java.util.Arrays.equals(srcLayout.shape(), shape);
        if (!fast) {
            super.scatterAdd(dim, index, indexLayout, indexType, src, srcLayout, dtype, out, outLayout);
            return;
        }
        long[] idx = readIndices("scatter_add", index, indexLayout, indexType, dim, b.size);
        Accumulator acc = Accumulator.of(dtype, src, out);
        long srcOff = srcLayout.offset();
        long outOff = outLayout.offset();
        long n = b.count;
        long inner = b.inner;
        long blocks = (inner + GRAIN - 1) / GRAIN;
        // a unit is (o, block of k): it owns out[o, :, k-block], and adds in increasing j as the reference does
        forRows(b.outer * blocks, Math.min(inner, GRAIN) * n, (u0, u1) -> {
            for (long u = u0; u < u1; u++) {
                long o = u / blocks;
                long k0 = (u % blocks) * GRAIN;
                long k1 = Math.min(inner, k0 + GRAIN);
                for (long j = 0; j < n; j++) {
                    long at = (o * n + j) * inner;
                    long rowBase = outOff + o * b.size * inner;
                    for (long k = k0; k < k1; k++) {
                        acc.add(srcOff + at + k, rowBase + idx[(int) (at + k)] * inner + k);
                    }
                }
            }
        });
    }

    @Override
    public void indexSelect(int dim, Memory in, Layout inLayout, Memory index, Layout indexLayout, DType indexType,
                            DType dtype, Memory out, Layout outLayout) {
        if (inLayout.rank() == 0 || !inLayout.isContiguous() || !outLayout.isContiguous()) {
            super.indexSelect(dim, in, inLayout, index, indexLayout, indexType, dtype, out, outLayout);
            return;
        }
        int size = inLayout.shape()[dim];
        long[] idx = readIndices("index_select", index, indexLayout, indexType, dim, size);
        ByteBuffer s = in.hostBuffer();
        ByteBuffer d = out.hostBuffer();
        long outer = prod(inLayout.shape(), 0, dim);
        long inner = prod(inLayout.shape(), dim + 1, inLayout.rank());
        int n = idx.length;
        long inOff = inLayout.offset();
        long outOff = outLayout.offset();
        int item = dtype.itemSize();
        forRows(outer * n, inner, (r0, r1) -> {
            for (long r = r0; r < r1; r++) { // output row r = (o, j)
                long o = r / n;
                long from = inOff + (o * size + idx[(int) (r % n)]) * inner;
                copyRun(s, from, d, outOff + r * inner, inner, item);
            }
        });
    }

    @Override
    public void indexAdd(int dim, Memory index, Layout indexLayout, DType indexType, Memory src, Layout srcLayout,
                         DType dtype, Memory out, Layout outLayout) {
        boolean fast = outLayout.rank() > 0 && (dtype == DType.FP32 || dtype == DType.FP64)
                && outLayout.isContiguous() && srcLayout.isContiguous();
        if (!fast) {
            super.indexAdd(dim, index, indexLayout, indexType, src, srcLayout, dtype, out, outLayout);
            return;
        }
        int size = outLayout.shape()[dim];
        long[] idx = readIndices("index_add", index, indexLayout, indexType, dim, size);
        int n = idx.length;
        // bucket the source slices by destination (stable: each bucket lists j in increasing order)
        int[] start = new int[size + 1];
        for (long v : idx) {
            start[(int) v + 1]++;
        }
        for (int r = 0; r < size; r++) {
            start[r + 1] += start[r];
        }
        int[] order = new int[n];
        int[] fill = java.util.Arrays.copyOf(start, size);
        for (int j = 0; j < n; j++) {
            order[fill[(int) idx[j]]++] = j;
        }
        Accumulator acc = Accumulator.of(dtype, src, out);
        long outer = prod(outLayout.shape(), 0, dim);
        long inner = prod(outLayout.shape(), dim + 1, outLayout.rank());
        long srcOff = srcLayout.offset();
        long outOff = outLayout.offset();
        long perRow = Math.max(1, inner * Math.max(1, n / Math.max(1, size)));
        forRows(outer * size, perRow, (r0, r1) -> {
            for (long r = r0; r < r1; r++) { // destination row r = (o, i): the adds of bucket i, in order
                long o = r / size;
                int i = (int) (r % size);
                long to = outOff + r * inner;
                for (int q = start[i]; q < start[i + 1]; q++) {
                    acc.addRun(srcOff + (o * n + order[q]) * inner, to, (int) inner);
                }
            }
        });
    }

    @Override
    public void maskedFill(Memory in, Layout inLayout, Memory mask, Layout maskLayout, double value, DType dtype,
                           Memory out, Layout outLayout) {
        int item = dtype.itemSize();
        int rank = outLayout.rank();
        if (rank == 0 || (item != 4 && item != 8) || !inLayout.isContiguous() || !outLayout.isContiguous()) {
            super.maskedFill(in, inLayout, mask, maskLayout, value, dtype, out, outLayout);
            return;
        }
        // the value's bits in the dtype, written as the reference writes it
        ByteBuffer bits = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
        ElementAccess.putDouble(bits, dtype, 0, value);
        long fill = item == 4 ? bits.getInt(0) : bits.getLong(0);
        ByteBuffer s = in.hostBuffer();
        ByteBuffer m = mask.hostBuffer();
        ByteBuffer d = out.hostBuffer();
        int last = outLayout.shape()[rank - 1];
        long maskStep = maskLayout.strides()[rank - 1];
        long inOff = inLayout.offset();
        long outOff = outLayout.offset();
        forRows(outLayout.numel() / Math.max(1, last), last, (r0, r1) -> {
            for (long r = r0; r < r1; r++) { // one row of the last dimension; the mask may broadcast
                long mk = maskLayout.offsetOf(r * last);
                long at = r * last;
                for (int k = 0; k < last; k++, mk += maskStep) {
                    boolean set = m.get((int) mk) != 0;
                    int from = (int) (inOff + at + k);
                    int to = (int) (outOff + at + k);
                    if (item == 4) {
                        d.putInt(to << 2, set ? (int) fill : s.getInt(from << 2));
                    } else {
                        d.putLong(to << 3, set ? fill : s.getLong(from << 3));
                    }
                }
            }
        });
    }

    @Override
    public void cat(int dim, Memory[] ins, Layout[] inLayouts, DType dtype, Memory out, Layout outLayout) {
        if (!outLayout.isContiguous()) {
            super.cat(dim, ins, inLayouts, dtype, out, outLayout);
            return;
        }
        int[] shape = outLayout.shape();
        long outer = prod(shape, 0, dim);
        long inner = prod(shape, dim + 1, shape.length);
        long rowOut = shape[dim] * inner;
        int item = dtype.itemSize();
        ByteBuffer d = out.hostBuffer();
        long outOff = outLayout.offset();
        long[] at = new long[ins.length];
        boolean[] bulk = new boolean[ins.length];
        long start = 0;
        for (int k = 0; k < ins.length; k++) {
            at[k] = start * inner;
            bulk[k] = inLayouts[k].isContiguous();
            if (!bulk[k]) {
                copyStrided(ins[k], inLayouts[k], out, sliceAlong(outLayout, dim, start, inLayouts[k].shape()[dim]),
                        item);
            }
            start += inLayouts[k].shape()[dim];
        }
        ByteBuffer[] src = new ByteBuffer[ins.length];
        for (int k = 0; k < ins.length; k++) {
            src[k] = ins[k].hostBuffer();
        }
        forRows(outer, rowOut, (o0, o1) -> {
            for (long o = o0; o < o1; o++) {
                for (int k = 0; k < ins.length; k++) {
                    if (bulk[k]) {
                        long block = inLayouts[k].shape()[dim] * inner;
                        copyRun(src[k], inLayouts[k].offset() + o * block, d, outOff + o * rowOut + at[k], block,
                                item);
                    }
                }
            }
        });
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    /** The body of a loop over rows {@code [from, to)}. */
    @FunctionalInterface
    private interface Rows {
        void run(long from, long to);
    }

    /** Runs {@code body} over {@code rows} rows of {@code rowCost} elements each, in chunks of about GRAIN elements. */
    private static void forRows(long rows, long rowCost, Rows body) {
        long cost = Math.max(1, rowCost);
        long grainRows = Math.max(1, GRAIN / cost);
        Parallel.forChunks(rows * cost, grainRows * cost, (c, s, e) -> body.run(s / cost, e / cost));
    }

    /** Copies {@code count} elements of {@code item} bytes: one bulk copy for long runs, element by element else. */
    private static void copyRun(ByteBuffer s, long from, ByteBuffer d, long to, long count, int item) {
        if (count * item >= 64) {
            d.put((int) (to * item), s, (int) (from * item), (int) (count * item));
            return;
        }
        for (long k = 0; k < count; k++) {
            copyElement(s, from + k, d, to + k, item);
        }
    }

    private static long prod(int[] shape, int from, int to) {
        long p = 1;
        for (int d = from; d < to; d++) {
            p *= shape[d];
        }
        return p;
    }

    /**
     * A contiguous operand seen as (outer, size, inner) around {@code dim}, with an index of shape
     * (outer, count, inner): null unless the operand is contiguous and matches the index outside {@code dim}.
     */
    private record Blocks(long outer, int size, long count, long inner) {
        static Blocks of(Layout data, int[] indexShape, int dim) {
            int[] shape = data.shape();
            if (shape.length == 0 || !data.isContiguous() || indexShape.length != shape.length) {
                return null;
            }
            for (int d = 0; d < shape.length; d++) {
                if (d != dim && shape[d] != indexShape[d]) {
                    return null;
                }
            }
            return new Blocks(prod(shape, 0, dim), shape[dim], indexShape[dim], prod(shape, dim + 1, shape.length));
        }
    }

    /** {@code out[to] += src[from]} on FP32 or FP64 element indices. */
    private interface Accumulator {
        void add(long from, long to);

        /** {@code out[to + k] += src[from + k]} for k in [0, count). */
        void addRun(long from, long to, int count);

        static Accumulator of(DType dtype, Memory src, Memory out) {
            return dtype == DType.FP32
                    ? new Fp32(src.hostBuffer().asFloatBuffer(), out.hostBuffer().asFloatBuffer())
                    : new Fp64(src.hostBuffer().asDoubleBuffer(), out.hostBuffer().asDoubleBuffer());
        }
    }

    private record Fp32(FloatBuffer s, FloatBuffer d) implements Accumulator {
        @Override
        public void add(long from, long to) {
            d.put((int) to, d.get((int) to) + s.get((int) from));
        }

        @Override
        public void addRun(long from, long to, int count) {
            int f = (int) from;
            int t = (int) to;
            for (int k = 0; k < count; k++) {
                d.put(t + k, d.get(t + k) + s.get(f + k));
            }
        }
    }

    private record Fp64(DoubleBuffer s, DoubleBuffer d) implements Accumulator {
        @Override
        public void add(long from, long to) {
            d.put((int) to, d.get((int) to) + s.get((int) from));
        }

        @Override
        public void addRun(long from, long to, int count) {
            int f = (int) from;
            int t = (int) to;
            for (int k = 0; k < count; k++) {
                d.put(t + k, d.get(t + k) + s.get(f + k));
            }
        }
    }
}
