package io.nabla.backend.cpu;

import io.nabla.backend.DType;
import io.nabla.backend.Layout;
import io.nabla.backend.Memory;
import io.nabla.backend.ReduceOp;
import io.nabla.backend.reference.ReferenceReduceKernels;
import java.util.Arrays;

/**
 * Host {@link io.nabla.backend.ReduceKernels}: fast paths for contiguous FP32/FP64 reductions whose reduced
 * dimensions form one block, seen as {@code (outer, len, inner)} with {@code len} reduced (and their gradients, see
 * {@link ReduceGradients}), and for sums and means over a leading and a trailing block around kept dims (a
 * convolution's bias gradient, {@link #aroundSplit}); everything else runs the reference loops. {@code inner == 1} reduces rows (all elements, the last dims); otherwise columns (leading or middle
 * dims). Work is cut into fixed pieces of about {@link #SEG} elements whatever the thread count, and partial results
 * are combined in piece order, so results are bit-identical on any number of threads. Variances are two-pass
 * (mean, then squared deviations from it); log-sum-exp is max, then sum of exp.
 */
public class CpuReduceKernels extends ReferenceReduceKernels {

    /** Elements per piece of work. */
    static final long SEG = 1 << 16;
    /** Columns per tile in the column reductions. */
    static final int TILE = 512;

    @Override
    public void reduce(ReduceOp op, double param, Memory in, Layout inLayout, DType inType, int[] dims,
                       Memory out, Layout outLayout, DType outType) {
        long[] split = fastSplit(op, inLayout, inType, dims, outLayout, outType);
        long[] around = split == null ? aroundSplit(op, inLayout, inType, dims, outLayout, outType) : null;
        if (split == null && around == null) {
            super.reduce(op, param, in, inLayout, inType, dims, out, outLayout, outType);
            return;
        }
        boolean f32 = inType == DType.FP32;
        int size = inType.itemSize();
        long src = in.address() + inLayout.offset() * size;
        long dst = out.address() + outLayout.offset() * size;
        if (around != null) {
            sumAround(op == ReduceOp.MEAN, f32, src, dst, around[0], around[1], around[2]);
            return;
        }
        if (split[2] == 1) {
            rows(op, param, f32, src, dst, split[0], split[1]);
        } else {
            ColumnReduction.run(op, param, f32, src, dst, split[0], split[1], split[2]);
        }
    }

    @Override
    public void reduceBackward(ReduceOp op, double param, Memory in, Layout inLayout, int[] dims, Memory out,
                               Layout outLayout, Memory gradOut, Layout gradOutLayout, Memory gradIn,
                               Layout gradInLayout, DType dtype) {
        long[] split = (dtype == DType.FP32 || dtype == DType.FP64) && inLayout.isContiguous()
                && outLayout.isContiguous() && gradOutLayout.isContiguous() && gradInLayout.isContiguous()
                && inLayout.numel() > 0 ? split(inLayout.shape(), dims) : null;
        if (split == null || !ReduceGradients.handles(op, split[1], split[2])) {
            super.reduceBackward(op, param, in, inLayout, dims, out, outLayout, gradOut, gradOutLayout, gradIn,
                    gradInLayout, dtype);
            return;
        }
        int size = dtype.itemSize();
        ReduceGradients.run(op, param, dtype == DType.FP32, in.address() + inLayout.offset() * size,
                out.address() + outLayout.offset() * size, gradOut.address() + gradOutLayout.offset() * size,
                gradIn.address() + gradInLayout.offset() * size, split[0], split[1], split[2]);
    }

    /** {@code (outer, len, inner)} when the fast path applies, else null. */
    static long[] fastSplit(ReduceOp op, Layout inLayout, DType inType, int[] dims, Layout outLayout,
                            DType outType) {
        if (inType != outType || (inType != DType.FP32 && inType != DType.FP64) || !inLayout.isContiguous()
                || !outLayout.isContiguous() || inLayout.numel() == 0) {
            return null;
        }
        switch (op) {
            case SUM, MEAN, AMAX, AMIN, VAR, STD, LOGSUMEXP -> { }
            default -> {
                return null;
            }
        }
        long[] split = split(inLayout.shape(), dims);
        if (split == null || (split[2] > 1 && op == ReduceOp.LOGSUMEXP)) {
            return null;
        }
        return split;
    }

    /**
     * {@code (a, b, c)} for a sum or mean of a contiguous FP32/FP64 tensor whose reduced dims are a leading block
     * (product {@code a > 1}) and a trailing block ({@code c > 1}) around kept dims ({@code b}), ignoring size-1
     * dims: the bias gradient of a convolution, a sum over (0, 2, 3) of (N, C, H, W). Null otherwise.
     */
    static long[] aroundSplit(ReduceOp op, Layout inLayout, DType inType, int[] dims, Layout outLayout,
                              DType outType) {
        if ((op != ReduceOp.SUM && op != ReduceOp.MEAN) || inType != outType
                || (inType != DType.FP32 && inType != DType.FP64) || !inLayout.isContiguous()
                || !outLayout.isContiguous() || inLayout.numel() == 0) {
            return null;
        }
        int[] shape = inLayout.shape();
        boolean[] reduced = new boolean[shape.length];
        for (int d : dims) {
            reduced[d] = true;
        }
        long[] abc = {1, 1, 1};
        int part = 0; // 0: leading reduced block, 1: kept block, 2: trailing reduced block
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == 1) {
                continue;
            }
            int want = reduced[d] ? (part == 0 ? 0 : 2) : 1;
            if (want < part) {
                return null; // a reduced dim between kept ones, or a kept dim after the trailing block
            }
            part = want;
            abc[part] *= shape[d];
        }
        return abc[0] > 1 && abc[1] > 1 && abc[2] > 1 ? abc : null;
    }

    /**
     * {@code out[j] = sum over i < a, k < c of x[i, j, k]} (divided by {@code a * c} for a mean): each output by one
     * task, its {@code a} contiguous runs of {@code c} elements added in double (FP32 too: a channel's total often
     * cancels to a small value, where float partial sums were 1e-5 off a sum of 14,400 values) in a fixed order.
     */
    private static void sumAround(boolean mean, boolean f32, long src, long dst, long a, long b, long c) {
        int size = f32 ? 4 : 8;
        long grain = Math.max(1, SEG / (a * c));
        Parallel.forChunks(b, grain, a * c, (chunk, from, to) -> {
            for (long j = from; j < to; j++) {
                double acc = 0;
                for (long i = 0; i < a; i++) {
                    long run = src + (i * b + j) * c * size;
                    acc += f32 ? RowLoops.sumFInDouble(run, c) : RowLoops.sumD(run, c);
                }
                store(f32, dst, j, mean ? acc / (a * c) : acc);
            }
        });
    }

    /**
     * Collapses a contiguous shape into {@code (outer, len, inner)} when the reduced dims (ignoring size-1 dims)
     * are adjacent; null otherwise.
     */
    static long[] split(int[] shape, int[] dims) {
        boolean[] reduced = new boolean[shape.length];
        for (int d : dims) {
            reduced[d] = true;
        }
        int first = -1;
        int last = -1;
        for (int d = 0; d < shape.length; d++) {
            if (reduced[d] && shape[d] != 1) {
                first = first < 0 ? d : first;
                last = d;
            }
        }
        long outer = 1;
        long len = 1;
        long inner = 1;
        for (int d = 0; d < shape.length; d++) {
            if (first < 0 || d < first) {
                outer *= shape[d];
            } else if (d > last) {
                inner *= shape[d];
            } else if (!reduced[d] && shape[d] != 1) {
                return null;
            } else {
                len *= shape[d];
            }
        }
        return new long[] {outer, len, inner};
    }

    // ---- rows: inner == 1 ------------------------------------------------------------------------------------

    private static void rows(ReduceOp op, double corr, boolean f32, long src, long dst, long rows, long len) {
        int size = f32 ? 4 : 8;
        if (len >= SEG) {
            segmentedRows(op, corr, f32, src, dst, rows, len);
            return;
        }
        long perChunk = Math.max(1, SEG / len);
        if (f32 && (op == ReduceOp.SUM || op == ReduceOp.MEAN) && len >= ROW_STREAMS_MIN
                && NativeLoops.available()) {
            rowSums4(op == ReduceOp.MEAN, src, dst, rows, len, perChunk);
            return;
        }
        if (f32 && (op == ReduceOp.SUM || op == ReduceOp.MEAN) && len >= BlasLoops.MIN_ROW_SUM
                && len <= BlasLoops.MAX_ROW_SUM && OpenBlas.available()) {
            // a chunk's rows in one sgemv (one scalar loop per row read rows of 1024 at 0.73-0.86x PyTorch's speed)
            boolean mean = op == ReduceOp.MEAN;
            Parallel.forChunks(rows * len, perChunk * len, (c, s, e) -> {
                int n = (int) ((e - s) / len);
                long y = dst + ((s / len) << 2);
                BlasLoops.rowSums(src + (s << 2), (int) len, n, y);
                for (int r = 0; mean && r < n; r++) {
                    long at = y + ((long) r << 2);
                    RawMemory.putFloat(at, (float) (RawMemory.getFloat(at) / (double) len));
                }
            });
            return;
        }
        Parallel.forChunks(rows * len, perChunk * len, (c, s, e) -> {
            double[] acc = new double[2];
            NormRows.Scratch scratch = f32 && op == ReduceOp.LOGSUMEXP ? new NormRows.Scratch() : null;
            for (long r = s / len; r < e / len; r++) {
                long a = src + r * len * size;
                double v = scratch != null ? NormRows.logSumExpF(a, (int) len, scratch)
                        : rowResult(op, corr, f32, a, len, acc);
                store(f32, dst, r, v);
            }
        });
    }

    private static double rowResult(ReduceOp op, double corr, boolean f32, long a, long n, double[] acc) {
        switch (op) {
            case SUM:
                return RowLoops.sum(f32, a, n);
            case MEAN:
                return RowLoops.sum(f32, a, n) / n;
            case AMAX:
                return RowLoops.max(f32, a, n);
            case AMIN:
                return RowLoops.min(f32, a, n);
            case VAR:
            case STD:
                double c = RowLoops.sum(f32, a, n) / n;
                Arrays.fill(acc, 0);
                RowLoops.sqDev(f32, a, n, c, acc, 0);
                return finishVar(op, acc[0], acc[1], n, corr);
            case LOGSUMEXP:
                double m = shift(RowLoops.max(f32, a, n));
                return Math.log(RowLoops.sumExp(f32, a, n, m)) + m;
            default:
                throw new IllegalArgumentException("no fast path for " + op);
        }
    }

    /** Rows longer than a piece: each row is cut into pieces whose partial results are combined in order. */
    private static void segmentedRows(ReduceOp op, double corr, boolean f32, long src, long dst, long rows,
                                      long len) {
        int size = f32 ? 4 : 8;
        long segs = (len + SEG - 1) / SEG;
        int tasks = Math.toIntExact(rows * segs);
        double[] p = new double[2 * tasks];
        boolean max = op == ReduceOp.AMAX || op == ReduceOp.LOGSUMEXP;
        if (f32 && !max && op != ReduceOp.AMIN && NativeLoops.available()) {
            pieceSums(src, rows, len, segs, tasks, p);
        } else {
            Parallel.forChunks(tasks * SEG, SEG, (c, s, e) -> {
                long r = c / segs;
                long from = (c % segs) * SEG;
                long a = src + (r * len + from) * size;
                long n = Math.min(SEG, len - from);
                p[2 * c] = max ? RowLoops.max(f32, a, n) : op == ReduceOp.AMIN ? RowLoops.min(f32, a, n)
                        : RowLoops.sum(f32, a, n);
            });
        }
        double[] first = new double[(int) rows];
        for (int r = 0; r < rows; r++) {
            double v = p[(int) (2 * r * segs)];
            for (int k = 1; k < segs; k++) {
                double x = p[(int) (2 * (r * segs + k))];
                v = max ? Math.max(v, x) : op == ReduceOp.AMIN ? Math.min(v, x) : v + x;
            }
            first[r] = v;
        }
        if (op == ReduceOp.VAR || op == ReduceOp.STD || op == ReduceOp.LOGSUMEXP) {
            boolean lse = op == ReduceOp.LOGSUMEXP;
            Arrays.fill(p, 0);
            Parallel.forChunks(tasks * SEG, SEG, (c, s, e) -> {
                long r = c / segs;
                long from = (c % segs) * SEG;
                long a = src + (r * len + from) * size;
                long n = Math.min(SEG, len - from);
                if (lse) {
                    p[2 * c] = RowLoops.sumExp(f32, a, n, shift(first[(int) r]));
                } else {
                    RowLoops.sqDev(f32, a, n, first[(int) r] / len, p, 2 * c);
                }
            });
            for (int r = 0; r < rows; r++) {
                double sum = 0;
                double sq = 0;
                for (int k = 0; k < segs; k++) {
                    sum += p[(int) (2 * (r * segs + k))];
                    sq += p[(int) (2 * (r * segs + k) + 1)];
                }
                first[r] = lse ? Math.log(sum) + shift(first[r]) : finishVar(op, sum, sq, len, corr);
            }
        } else if (op == ReduceOp.MEAN) {
            for (int r = 0; r < rows; r++) {
                first[r] /= len;
            }
        }
        for (int r = 0; r < rows; r++) {
            store(f32, dst, r, first[r]);
        }
    }

    /**
     * {@code p[2 c] = } the FP32 sum of piece {@code c} of {@link #segmentedRows} (row {@code c / segs}, floats
     * {@code [(c % segs) SEG, ...)}), each exactly as {@link RowLoops#sum} gives it, four pieces a quarter of the
     * pieces apart per task ({@link NativeLoops#sum4}): one core reading one stream left memory bandwidth unused
     * (a 16M-float sum took about 1.5 ms this way where one piece at a time took 2.8 in a C harness; PyTorch's
     * 1.8). Which pieces a task takes does not depend on the thread count, and each piece's sum is the same.
     */
    private static void pieceSums(long src, long rows, long len, long segs, int tasks, double[] p) {
        int groups = (tasks + 3) / 4;
        Parallel.forChunks((long) tasks * SEG, 4 * SEG, (g, s, e) -> {
            long out = RawMemory.address(SUM4.get());
            long[] a = new long[4];
            long[] n = new long[4];
            for (int k = 0; k < 4; k++) {
                long c = g + (long) k * groups;
                a[k] = src;
                if (c < tasks) {
                    long from = (c % segs) * SEG;
                    long at = src + ((c / segs) * len + from) * 4;
                    long m = Math.min(SEG, len - from);
                    if (m >= NativeLoops.MIN_RUN) {
                        a[k] = at;
                        n[k] = m;
                    } else {
                        p[(int) (2 * c)] = RowLoops.sum(true, at, m); // as RowLoops.sum adds a short run
                    }
                }
            }
            NativeLoops.sum4(a[0], a[1], a[2], a[3], n[0], n[1], n[2], n[3], out);
            for (int k = 0; k < 4; k++) {
                if (n[k] > 0) {
                    p[(int) (2 * (g + (long) k * groups))] = RawMemory.getDouble(out + 8L * k);
                }
            }
        });
    }

    /**
     * Rows of at least this many floats (a page) are summed four streams at a time ({@link #rowSums4}); shorter ones
     * stay with OpenBLAS's sgemv or the Java loops, which sum a chunk of rows per call.
     */
    static final long ROW_STREAMS_MIN = 1024;

    /**
     * FP32 row sums (means with {@code mean}) of rows of at least {@link #ROW_STREAMS_MIN} floats: the rows are cut
     * into chunks of {@code perChunk}, and task g sums the rows of chunks g + k * groups (k &lt; 4) four at a time,
     * one row of each, with {@link NativeLoops#sum4}, so each core has four streams from memory in flight as
     * {@link #pieceSums} does; each row's sum is {@link NativeLoops#sum}'s, whatever the thread count.
     */
    private static void rowSums4(boolean mean, long src, long dst, long rows, long len, long perChunk) {
        long chunks = (rows + perChunk - 1) / perChunk;
        long groups = (chunks + 3) / 4;
        Parallel.forChunks(rows * len, 4 * perChunk * len, (g, s, e) -> {
            long out = RawMemory.address(SUM4.get());
            long[] r = new long[4];
            long[] a = new long[4];
            long[] n = new long[4];
            for (long j = 0; j < perChunk; j++) {
                for (int k = 0; k < 4; k++) {
                    r[k] = (g + k * groups) * perChunk + j;
                    boolean in = g + k * groups < chunks && r[k] < rows;
                    a[k] = in ? src + r[k] * len * 4 : src;
                    n[k] = in ? len : 0;
                }
                NativeLoops.sum4(a[0], a[1], a[2], a[3], n[0], n[1], n[2], n[3], out);
                for (int k = 0; k < 4; k++) {
                    if (n[k] > 0) {
                        double v = RawMemory.getDouble(out + 8L * k);
                        store(true, dst, r[k], mean ? v / len : v);
                    }
                }
            }
        });
    }

    /** A thread's four doubles for {@link NativeLoops#sum4}'s results. */
    private static final ThreadLocal<java.nio.ByteBuffer> SUM4 = ThreadLocal.withInitial(() ->
            java.nio.ByteBuffer.allocateDirect(4 * Double.BYTES).order(java.nio.ByteOrder.nativeOrder()));

    // ---- shared -----------------------------------------------------------------------------------------------

    /** Variance (or std) from the sums of deviations {@code s} and squared deviations {@code q} about a center. */
    static double finishVar(ReduceOp op, double s, double q, long n, double corr) {
        double m2 = Math.max(0, q - s * s / n);
        double v = m2 / Math.max(0, n - corr);
        return op == ReduceOp.STD ? Math.sqrt(v) : v;
    }

    /** Log-sum-exp's shift: the max, or 0 when the max is infinite (PyTorch's rule). */
    static double shift(double max) {
        return Double.isInfinite(max) ? 0 : max;
    }

    static void store(boolean f32, long dst, long index, double v) {
        if (f32) {
            RawMemory.putFloat(dst + (index << 2), (float) v);
        } else {
            RawMemory.putDouble(dst + (index << 3), v);
        }
    }
}
