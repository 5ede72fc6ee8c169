package io.nabla.backend.cpu;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasColMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.bytedeco.openblas.presets.openblas_nolapack.SetNumThreads;

/**
 * OpenBLAS (the {@code org.bytedeco:openblas} natives) for the CPU backend.
 *
 * <p>Guarantees: the library is loaded once, on first use; when it cannot be loaded every call fails with an
 * {@link IllegalStateException} naming the platform and the cause (never a bare {@link UnsatisfiedLinkError}).
 * Before a large product the caller states how many threads OpenBLAS may use ({@link #useThreads}): all compute
 * threads from an ordinary thread, one inside a {@link Parallel} task, so that the engine's pool and OpenBLAS's
 * never compete for the cores. OpenBLAS keeps a single process-wide count; it is switched through a direct
 * function pointer (JavaCPP's {@code blas_set_num_threads} costs ~0.3 ms a call) and only when it changes.
 *
 * <p>Results are reproducible for a given thread count, but OpenBLAS's threaded and single-threaded drivers cut
 * k into different blocks, so a large product can differ in the last bits between counts (seen for k = 1000).
 * The engine never switches the count in its own flows (small products run single-threaded inside OpenBLAS
 * anyway); only a large product started from inside a pool task does, and a product racing with it on another
 * thread may then run with the other count.
 */
final class OpenBlas {

    private static final SetNumThreads SET_NUM_THREADS;
    private static final Throwable LOAD_FAILURE;
    private static final Object LOCK = new Object();
    private static volatile int threads = -1;

    static {
        SetNumThreads set = null;
        Throwable failure = null;
        try {
            Loader.load(openblas_nolapack.class);
            Pointer fn = Loader.addressof("openblas_set_num_threads");
            if (fn == null || fn.isNull()) {
                throw new UnsatisfiedLinkError("symbol openblas_set_num_threads not found in the loaded OpenBLAS");
            }
            set = new SetNumThreads() { }.put(fn);
        } catch (LinkageError | RuntimeException e) {
            failure = e;
        }
        SET_NUM_THREADS = set;
        LOAD_FAILURE = failure;
    }

    private OpenBlas() {
    }

    /** Fails with a clear message when the native library could not be loaded. */
    static void ensureLoaded() {
        if (LOAD_FAILURE != null) {
            throw new IllegalStateException("OpenBLAS could not be loaded (org.bytedeco:openblas natives for "
                    + Loader.getPlatform() + " missing or unusable): " + LOAD_FAILURE, LOAD_FAILURE);
        }
    }

    /** Lets the next products run on {@code n} OpenBLAS threads. */
    static void useThreads(int n) {
        ensureLoaded();
        if (threads != n) {
            synchronized (LOCK) {
                if (threads != n) {
                    SET_NUM_THREADS.call(n);
                    threads = n;
                }
            }
        }
    }

    /** The thread count for a product started on the current thread. */
    static int threadsForCaller() {
        return java.util.concurrent.ForkJoinTask.inForkJoinPool() ? 1 : Parallel.threads();
    }

    /** One product in BLAS terms: storage order of C, transposes, sizes and leading dimensions. */
    record Call(boolean rowMajor, boolean transA, boolean transB, int m, int n, int k, int lda, int ldb, int ldc) {

        int order() {
            return rowMajor ? CblasRowMajor : CblasColMajor;
        }

        static int trans(boolean t) {
            return t ? CblasTrans : CblasNoTrans;
        }
    }

    static void sgemm(Call g, float alpha, FloatPointer a, FloatPointer b, float beta, FloatPointer c) {
        openblas_nolapack.cblas_sgemm(g.order(), Call.trans(g.transA()), Call.trans(g.transB()), g.m(), g.n(), g.k(),
                alpha, a, g.lda(), b, g.ldb(), beta, c, g.ldc());
    }

    static void dgemm(Call g, double alpha, DoublePointer a, DoublePointer b, double beta, DoublePointer c) {
        openblas_nolapack.cblas_dgemm(g.order(), Call.trans(g.transA()), Call.trans(g.transB()), g.m(), g.n(), g.k(),
                alpha, a, g.lda(), b, g.ldb(), beta, c, g.ldc());
    }
}
