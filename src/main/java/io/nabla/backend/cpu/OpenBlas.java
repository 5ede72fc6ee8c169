package io.nabla.backend.cpu;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasColMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * OpenBLAS (the {@code org.bytedeco:openblas} natives) for the CPU backend, always single-threaded.
 *
 * <p>Guarantees: the library is loaded once, on first use, and its thread count is set to 1 for good; when it
 * cannot be loaded every call fails with an {@link IllegalStateException} naming the platform and the cause (never
 * a bare {@link UnsatisfiedLinkError}). Large products use several cores through the engine's one pool
 * ({@link CpuLinalgKernels} cuts them into tiles), never through OpenBLAS's own threads: those busy-wait for about
 * 2^28 cycles after each threaded call (this build spins with no yield, and the timeout is only read from the
 * environment at load), which took a core from the engine's pool after every product, and under contention a
 * 128x784x256 product took 25 ms on OpenBLAS's threads against 0.6 ms split over the pool.
 */
final class OpenBlas {

    private static final Throwable LOAD_FAILURE;

    static {
        Throwable failure = null;
        try {
            Loader.load(openblas_nolapack.class);
            openblas_nolapack.blas_set_num_threads(1);
        } catch (LinkageError | RuntimeException e) {
            failure = e;
        }
        LOAD_FAILURE = failure;
    }

    private OpenBlas() {
    }

    /** Whether the native library loaded (callers with a Java fallback test this instead of failing). */
    static boolean available() {
        return LOAD_FAILURE == null;
    }

    /** Fails with a clear message when the native library could not be loaded. */
    static void ensureLoaded() {
        if (LOAD_FAILURE != null) {
            throw new IllegalStateException("OpenBLAS could not be loaded (org.bytedeco:openblas natives for "
                    + Loader.getPlatform() + " missing or unusable): " + LOAD_FAILURE, LOAD_FAILURE);
        }
    }

    /** One product in BLAS terms: storage order of C, transposes, sizes and leading dimensions. */
    record Call(boolean rowMajor, boolean transA, boolean transB, int m, int n, int k, int lda, int ldb, int ldc) {

        int order() {
            return rowMajor ? CblasRowMajor : CblasColMajor;
        }

        static int trans(boolean t) {
            return t ? CblasTrans : CblasNoTrans;
        }

        /** The same call on an {@code m x n} tile of C. */
        Call tile(int tm, int tn) {
            return new Call(rowMajor, transA, transB, tm, tn, k, lda, ldb, ldc);
        }
    }

    static void sgemm(Call g, float alpha, FloatPointer a, FloatPointer b, float beta, FloatPointer c) {
        openblas_nolapack.cblas_sgemm(g.order(), Call.trans(g.transA()), Call.trans(g.transB()), g.m(), g.n(), g.k(),
                alpha, a, g.lda(), b, g.ldb(), beta, c, g.ldc());
    }

    /**
     * {@code y = alpha op(A) x + beta y} ({@code cblas_sgemv}): A is {@code m x n} in {@code rowMajor} order with
     * leading dimension {@code lda}, op transposes it when {@code trans}.
     */
    static void sgemv(boolean rowMajor, boolean trans, int m, int n, float alpha, FloatPointer a, int lda,
                      FloatPointer x, int incx, float beta, FloatPointer y, int incy) {
        openblas_nolapack.cblas_sgemv(rowMajor ? CblasRowMajor : CblasColMajor, Call.trans(trans), m, n, alpha, a,
                lda, x, incx, beta, y, incy);
    }

    /** {@link #sgemv} in FP64 ({@code cblas_dgemv}). */
    static void dgemv(boolean rowMajor, boolean trans, int m, int n, double alpha, DoublePointer a, int lda,
                      DoublePointer x, int incx, double beta, DoublePointer y, int incy) {
        openblas_nolapack.cblas_dgemv(rowMajor ? CblasRowMajor : CblasColMajor, Call.trans(trans), m, n, alpha, a,
                lda, x, incx, beta, y, incy);
    }

    static void dgemm(Call g, double alpha, DoublePointer a, DoublePointer b, double beta, DoublePointer c) {
        openblas_nolapack.cblas_dgemm(g.order(), Call.trans(g.transA()), Call.trans(g.transB()), g.m(), g.n(), g.k(),
                alpha, a, g.lda(), b, g.ldb(), beta, c, g.ldc());
    }
}
