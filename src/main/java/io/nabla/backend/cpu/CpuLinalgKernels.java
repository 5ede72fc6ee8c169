package io.nabla.backend.cpu;

import io.nabla.backend.BlasMatrix;
import io.nabla.backend.DType;
import io.nabla.backend.HostMemory;
import io.nabla.backend.Layout;
import io.nabla.backend.Memory;
import io.nabla.backend.reference.ReferenceLinalgKernels;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;

/**
 * Host {@link io.nabla.backend.LinalgKernels}: FP32/FP64 products through OpenBLAS ({@code cblas_sgemm/dgemm}) on
 * the tensors' own off-heap memory (never copied through Java arrays), for every view that {@link BlasMatrix}
 * accepts; other dtypes and odd views take the reference loop.
 *
 * <p>Threads: OpenBLAS runs single-threaded (see {@link OpenBlas} for why) and the engine's pool supplies the
 * cores. A large product is cut into tiles of C ({@link Tiles}, fixed by m, n and k alone) and a batch of small
 * products into runs of whole products; the pool runs them, or the calling thread does when it is itself a pool
 * task. Each element of C is computed by one OpenBLAS call whatever the thread count, so results are bit-identical
 * on 1 or 16 threads.
 */
public class CpuLinalgKernels extends ReferenceLinalgKernels {

    @Override
    protected void compute(double alpha, Memory a, Layout aLayout, Memory b, Layout bLayout, double beta,
                           Memory c, Layout cLayout, DType dtype, GemmShape s) {
        BlasMatrix ma = BlasMatrix.of(aLayout);
        BlasMatrix mb = BlasMatrix.of(bLayout);
        BlasMatrix mc = BlasMatrix.of(cLayout);
        boolean host = a instanceof HostMemory && b instanceof HostMemory && c instanceof HostMemory;
        if ((dtype == DType.FP16 || dtype == DType.BF16) && s.k() > 0 && host && widenedFits(aLayout, bLayout,
                cLayout)) {
            widened(alpha, a, aLayout, b, bLayout, beta, c, cLayout, dtype, s);
            return;
        }
        boolean blas = (dtype == DType.FP32 || dtype == DType.FP64) && s.k() > 0 && host
                && ma != null && mb != null && mc != null;
        if (!blas) {
            super.compute(alpha, a, aLayout, b, bLayout, beta, c, cLayout, dtype, s);
            return;
        }
        OpenBlas.ensureLoaded();
        if (s.m() == 1 && s.n() >= VectorProduct.MIN_N) {
            vectorProduct(alpha, (HostMemory) a, aLayout, ma, (HostMemory) b, bLayout, mb, beta, (HostMemory) c,
                    cLayout, mc, dtype, s);
            return;
        }
        // C's storage order is the call's order; an operand stored the other way is passed transposed
        OpenBlas.Call call = new OpenBlas.Call(mc.rowMajor(), ma.rowMajor() != mc.rowMajor(),
                mb.rowMajor() != mc.rowMajor(), s.m(), s.n(), s.k(), ma.ld(), mb.ld(), mc.ld());
        int r = cLayout.rank();
        Tiles tiles = Tiles.of(s.m(), s.n(), s.k());
        Product p = new Product(call, dtype, alpha, beta, (HostMemory) a, (HostMemory) b, (HostMemory) c,
                batchOffsets(s, aLayout, bLayout, cLayout), tiles,
                new long[] {aLayout.strides()[r - 2], bLayout.strides()[r - 1], cLayout.strides()[r - 2],
                        cLayout.strides()[r - 1]});
        long tasks = (long) p.off[0].length * tiles.count();
        long workPerTask = Math.max(1, (long) s.m() * s.n() * s.k() / tiles.count());
        long grain = Math.max(1, Tiles.TASK_MNK / workPerTask);
        // a multiply-add costs about 1/16 of an elementwise step (Parallel's cost unit)
        Parallel.forChunks(tasks, grain, Math.max(1, workPerTask / 16), (chunk, from, to) -> p.run(from, to));
    }

    /**
     * A product with one row of C ({@code m = 1}: a single input row through a Linear layer, the batch-1 request)
     * as matrix-vector products, {@code c = alpha B^T a + beta c} through {@code sgemv}/{@code dgemv}, in runs of
     * {@link VectorProduct#RUN} columns (fixed by n alone, so the bits do not depend on the thread count) spread
     * over the engine's threads. OpenBLAS's {@code sgemm} packs B for the single row: 16 ms for 1 x 4096 x 4096 on
     * one core of the development machine, where {@code sgemv} took 2.9 ms.
     */
    private static void vectorProduct(double alpha, HostMemory a, Layout aLayout, BlasMatrix ma, HostMemory b,
                                      Layout bLayout, BlasMatrix mb, double beta, HostMemory c, Layout cLayout,
                                      BlasMatrix mc, DType dtype, GemmShape s) {
        int r = cLayout.rank();
        // a's elements along k, c's along n: one row, so its stride is that of its last dimension (or the ld)
        int inca = ma.rowMajor() ? 1 : ma.ld();
        int incc = mc.rowMajor() ? 1 : mc.ld();
        long[][] off = batchOffsets(s, aLayout, bLayout, cLayout);
        int runs = (s.n() + VectorProduct.RUN - 1) / VectorProduct.RUN;
        long tasks = (long) off[0].length * runs;
        int k = s.k();
        int n = s.n();
        long bColumn = mb.rowMajor() ? 1 : mb.ld(); // elements between columns of B
        Parallel.forChunks(tasks, 1, Math.max(1, (long) VectorProduct.RUN * k / 16), (chunk, from, to) -> {
            for (long t = from; t < to; t++) {
                int entry = (int) (t / runs);
                int j0 = (int) (t % runs) * VectorProduct.RUN;
                int w = Math.min(VectorProduct.RUN, n - j0);
                long pb = off[1][entry] + j0 * bColumn;
                long pc = off[2][entry] + (long) j0 * incc;
                // B (k x n) read as stored: element (kk, j) at kk * ld + j (row major) or j * ld + kk; c = B^T a.
                // With beta = 0 OpenBLAS (0.3.27 on) sets y without reading it (betaZeroIgnoresNanInTheOutput)
                if (dtype == DType.FP32) {
                    FloatPointer fa = new FloatPointer(a.pointer()).position(off[0][entry]);
                    FloatPointer fb = new FloatPointer(b.pointer()).position(pb);
                    FloatPointer fc = new FloatPointer(c.pointer()).position(pc);
                    OpenBlas.sgemv(mb.rowMajor(), true, k, w, (float) alpha, fb, mb.ld(), fa, inca, (float) beta, fc,
                            incc);
                } else {
                    DoublePointer da = new DoublePointer(a.pointer()).position(off[0][entry]);
                    DoublePointer db = new DoublePointer(b.pointer()).position(pb);
                    DoublePointer dc = new DoublePointer(c.pointer()).position(pc);
                    OpenBlas.dgemv(mb.rowMajor(), true, k, w, alpha, db, mb.ld(), da, inca, beta, dc, incc);
                }
            }
        });
    }

    /** Sizes of {@link #vectorProduct}. */
    static final class VectorProduct {
        /** Narrower products stay with {@code sgemm}: too little to cut. */
        static final int MIN_N = 64;
        /** Columns per call: 512 columns of a 4096-long row are 8 MB of FP32 weights, about 0.7 ms of streaming. */
        static final int RUN = 512;

        private VectorProduct() {
        }
    }

    /** The native AVX2 loops ({@link NativeLoops#quantizeRows}), the same bits as the reference's. */
    @Override
    public int quantizeRows(Memory x, long xOffset, int m, int k, Memory q, Memory scale, Memory zeroPoint) {
        if (!NativeLoops.available() || !(x instanceof HostMemory) || m == 0 || k == 0) {
            return super.quantizeRows(x, xOffset, m, k, q, scale, zeroPoint);
        }
        return NativeLoops.quantizeRows(x.address() + xOffset * Float.BYTES, m, k, q.address(), scale.address(),
                zeroPoint.address());
    }

    /**
     * The native AVX2 loops ({@link NativeLoops#int8Gemm}), the columns cut into runs over the engine's threads;
     * each output element is computed by one thread in one way, so the bits do not depend on the thread count.
     */
    @Override
    public void int8Linear(Memory q, Memory scale, Memory zeroPoint, int m, int k, Memory w, Memory wScale,
                           Memory wSum, Memory bias, Memory y, int n) {
        if (!NativeLoops.available() || !(q instanceof HostMemory) || m == 0 || n == 0) {
            super.int8Linear(q, scale, zeroPoint, m, k, w, wScale, wSum, bias, y, n);
            return;
        }
        long qa = q.address();
        long sx = scale.address();
        long zx = zeroPoint.address();
        long wa = w.address();
        long sw = wScale.address();
        long ws = wSum.address();
        long ba = bias == null ? 0 : bias.address();
        long ya = y.address();
        // column pairs, at most 64 runs of at least 32 K multiply-adds each; a multiply-add costs about 1/16 of an
        // elementwise step (Parallel's cost unit)
        long pairs = (n + 1) / 2;
        long grain = Math.max(Math.max(1, 32768 / (2L * m * k)), (pairs + 63) / 64);
        Parallel.forChunks(pairs, grain, Math.max(1, 2L * m * k / 16), (chunk, from, to) ->
                NativeLoops.int8Gemm(qa, sx, zx, m, k, wa, sw, ws, ba, ya, n, (int) from * 2,
                        (int) Math.min(n, to * 2)));
    }

    private static final CpuElementwiseKernels COPY = new CpuElementwiseKernels();

    private static boolean widenedFits(Layout... layouts) {
        for (Layout l : layouts) {
            if (l.numel() * Double.BYTES > io.nabla.backend.HostAllocator.MAX_BLOCK_BYTES) {
                return false;
            }
        }
        return true;
    }

    /**
     * An FP16/BF16 product through {@code dgemm}: the operands widened to FP64 (exactly), the product computed there,
     * C rounded once (through float, as the reference stores a double). Products of two FP16/BF16 values are exact
     * in double and so are their sums unless they span more than about 30 binary orders of magnitude, so C gets the
     * reference loop's values, in any summation order; cuBLAS and PyTorch's CPU kernels accumulate in FP32 instead.
     */
    private void widened(double alpha, Memory a, Layout aLayout, Memory b, Layout bLayout, double beta, Memory c,
                         Layout cLayout, DType dtype, GemmShape s) {
        Layout wa = denseLike(aLayout);
        Layout wb = denseLike(bLayout);
        Layout wc = denseLike(cLayout);
        io.nabla.backend.HostAllocator host = io.nabla.backend.HostAllocator.instance();
        try (Memory a64 = host.allocate(wa.numel() * Double.BYTES, false);
             Memory b64 = host.allocate(wb.numel() * Double.BYTES, false);
             Memory c64 = host.allocate(wc.numel() * Double.BYTES, false)) {
            COPY.copy(a, aLayout, dtype, a64, wa, DType.FP64);
            COPY.copy(b, bLayout, dtype, b64, wb, DType.FP64);
            if (beta != 0) {
                COPY.copy(c, cLayout, dtype, c64, wc, DType.FP64);
            }
            compute(alpha, a64, wa, b64, wb, beta, c64, wc, DType.FP64, s);
            COPY.copy(c64, wc, DType.FP64, c, cLayout, dtype);
        }
    }

    /**
     * A dense layout of {@code l}'s shape whose dims are laid out in the order of {@code l}'s strides (largest
     * outermost), so that copying a transposed operand into it reads and writes in memory order, and BLAS takes
     * it transposed as it would the original.
     */
    static Layout denseLike(Layout l) {
        int r = l.rank();
        Integer[] order = new Integer[r];
        for (int i = 0; i < r; i++) {
            order[i] = i;
        }
        int[] st = l.strides();
        // broadcast (stride 0) dims outermost, then by falling stride, ties in dim order
        java.util.Arrays.sort(order, (x, y) -> st[x] != st[y] ? Long.compare(outerness(st[y]), outerness(st[x]))
                : Integer.compare(x, y));
        int[] strides = new int[r];
        long step = 1;
        for (int k = r - 1; k >= 0; k--) {
            strides[order[k]] = Math.toIntExact(step);
            step *= Math.max(1, l.shape()[order[k]]);
        }
        return new Layout(l.shape(), strides, 0);
    }

    private static long outerness(int stride) {
        return stride == 0 ? Long.MAX_VALUE : Math.abs((long) stride);
    }

    /**
     * How a product's C is cut: {@code pm} row blocks times {@code pn} column blocks of nearly equal size, chosen
     * from the sizes alone. Products up to {@link #TASK_MNK} multiply-adds stay whole; larger ones get tiles of at
     * most {@link #EDGE} rows and columns, and at least {@link #MIN_TILES} tiles while a tile keeps
     * {@link #TASK_MNK} multiply-adds and 16 rows or columns. Every tile packs its own slices of A and B, so tiles
     * are as large as balance allows: on 2 cores, 4x4 tiles of a 1024 product ran at 132 GFLOP/s, 2x2 at 156-165.
     */
    record Tiles(int m, int n, int pm, int pn) {

        static final long TASK_MNK = 1L << 18;
        static final int EDGE = 1024;
        static final int MIN_TILES = 4;

        static Tiles of(int m, int n, int k) {
            long mnk = (long) m * n * k;
            if (mnk <= TASK_MNK) {
                return new Tiles(m, n, 1, 1);
            }
            int pm = (m + EDGE - 1) / EDGE;
            int pn = (n + EDGE - 1) / EDGE;
            while ((long) pm * pn < MIN_TILES) {
                boolean rows = (long) m * pn >= (long) n * pm; // split the longer tile side
                int npm = rows ? pm + 1 : pm;
                int npn = rows ? pn : pn + 1;
                if ((rows ? m / npm : n / npn) < 16 || mnk / ((long) npm * npn) < TASK_MNK) {
                    break;
                }
                pm = npm;
                pn = npn;
            }
            return new Tiles(m, n, pm, pn);
        }

        int count() {
            return pm * pn;
        }

        /** First row of row block {@code i} (i in [0, pm]). */
        int row(int i) {
            return (int) ((long) m * i / pm);
        }

        int col(int j) {
            return (int) ((long) n * j / pn);
        }
    }

    /**
     * The BLAS calls of one batched product; task {@code t} is tile {@code t % tiles} of batch entry
     * {@code t / tiles}. {@code strides} are A's row stride, B's column stride and C's row and column strides.
     */
    private record Product(OpenBlas.Call call, DType dtype, double alpha, double beta, HostMemory a, HostMemory b,
                           HostMemory c, long[][] off, Tiles tiles, long[] strides) {

        void run(long from, long to) {
            if (dtype == DType.FP32) {
                FloatPointer pa = new FloatPointer(a.pointer());
                FloatPointer pb = new FloatPointer(b.pointer());
                FloatPointer pc = new FloatPointer(c.pointer());
                for (long t = from; t < to; t++) {
                    OpenBlas.Call g = tile(t, pa, pb, pc);
                    OpenBlas.sgemm(g, (float) alpha, pa, pb, (float) beta, pc);
                }
            } else {
                DoublePointer pa = new DoublePointer(a.pointer());
                DoublePointer pb = new DoublePointer(b.pointer());
                DoublePointer pc = new DoublePointer(c.pointer());
                for (long t = from; t < to; t++) {
                    OpenBlas.Call g = tile(t, pa, pb, pc);
                    OpenBlas.dgemm(g, alpha, pa, pb, beta, pc);
                }
            }
        }

        /** Positions the pointers at task {@code t}'s tile and returns its call. */
        private OpenBlas.Call tile(long t, org.bytedeco.javacpp.Pointer pa, org.bytedeco.javacpp.Pointer pb,
                                   org.bytedeco.javacpp.Pointer pc) {
            int entry = (int) (t / tiles.count());
            int i = (int) (t % tiles.count()) / tiles.pn();
            int j = (int) (t % tiles.count()) % tiles.pn();
            int r0 = tiles.row(i);
            int c0 = tiles.col(j);
            pa.position(off[0][entry] + r0 * strides[0]);
            pb.position(off[1][entry] + c0 * strides[1]);
            pc.position(off[2][entry] + r0 * strides[2] + c0 * strides[3]);
            return tiles.count() == 1 ? call : call.tile(tiles.row(i + 1) - r0, tiles.col(j + 1) - c0);
        }
    }
}
