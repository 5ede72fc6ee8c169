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
 * <p>Threads: a batch of small products (each at most {@link #SMALL_MNK}, which OpenBLAS always runs on the
 * calling thread) is spread over the engine's pool; large products run one after another with OpenBLAS on all
 * compute threads, or on one when called from inside a {@link Parallel} task. Results are reproducible for a
 * given thread count (see {@link OpenBlas} for why they may differ in the last bits between counts).
 */
public class CpuLinalgKernels extends ReferenceLinalgKernels {

    /** OpenBLAS runs products with m*n*k at or below this on one thread anyway (65536 * GEMM_MULTITHREAD_THRESHOLD). */
    static final long SMALL_MNK = 1L << 18;

    @Override
    protected void compute(double alpha, Memory a, Layout aLayout, Memory b, Layout bLayout, double beta,
                           Memory c, Layout cLayout, DType dtype, GemmShape s) {
        BlasMatrix ma = BlasMatrix.of(aLayout);
        BlasMatrix mb = BlasMatrix.of(bLayout);
        BlasMatrix mc = BlasMatrix.of(cLayout);
        boolean blas = (dtype == DType.FP32 || dtype == DType.FP64) && s.k() > 0
                && a instanceof HostMemory && b instanceof HostMemory && c instanceof HostMemory
                && ma != null && mb != null && mc != null;
        if (!blas) {
            super.compute(alpha, a, aLayout, b, bLayout, beta, c, cLayout, dtype, s);
            return;
        }
        // C's storage order is the call's order; an operand stored the other way is passed transposed
        OpenBlas.Call call = new OpenBlas.Call(mc.rowMajor(), ma.rowMajor() != mc.rowMajor(),
                mb.rowMajor() != mc.rowMajor(), s.m(), s.n(), s.k(), ma.ld(), mb.ld(), mc.ld());
        long[][] off = batchOffsets(s, aLayout, bLayout, cLayout);
        Product p = new Product(call, dtype, alpha, beta, (HostMemory) a, (HostMemory) b, (HostMemory) c, off);
        long mnk = (long) s.m() * s.n() * s.k();
        int count = off[0].length;
        boolean caller = !java.util.concurrent.ForkJoinTask.inForkJoinPool();
        if (count > 1 && caller && mnk <= SMALL_MNK) {
            OpenBlas.ensureLoaded();
            long grain = Math.max(1, (1L << 17) / mnk);
            Parallel.forChunks(count, grain, Math.max(1, mnk / 16), (chunk, from, to) -> p.run((int) from, (int) to));
        } else {
            OpenBlas.useThreads(OpenBlas.threadsForCaller());
            p.run(0, count);
        }
    }

    /** The BLAS calls of one batched product; {@link #run} does entries {@code [from, to)}. */
    private record Product(OpenBlas.Call call, DType dtype, double alpha, double beta,
                           HostMemory a, HostMemory b, HostMemory c, long[][] off) {

        void run(int from, int to) {
            if (dtype == DType.FP32) {
                FloatPointer pa = new FloatPointer(a.pointer());
                FloatPointer pb = new FloatPointer(b.pointer());
                FloatPointer pc = new FloatPointer(c.pointer());
                for (int t = from; t < to; t++) {
                    OpenBlas.sgemm(call, (float) alpha, pa.position(off[0][t]), pb.position(off[1][t]), (float) beta,
                            pc.position(off[2][t]));
                }
            } else {
                DoublePointer pa = new DoublePointer(a.pointer());
                DoublePointer pb = new DoublePointer(b.pointer());
                DoublePointer pc = new DoublePointer(c.pointer());
                for (int t = from; t < to; t++) {
                    OpenBlas.dgemm(call, alpha, pa.position(off[0][t]), pb.position(off[1][t]), beta,
                            pc.position(off[2][t]));
                }
            }
        }
    }
}
