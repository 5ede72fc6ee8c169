package io.nabla.backend.cpu;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * FP32 loops that run in OpenBLAS's level-1/2 kernels (AVX2/AVX-512 code chosen for the CPU at load time), called
 * on the tensors' own host memory by address. C2 does not vectorise the scalar loops over off-heap memory; on the
 * development machine, single-threaded in cache, a sum ran about 2x and an add 1.8x faster this way, and unlike the
 * incubating Vector API (also measured) these are fast from the first call and need no JVM flags.
 *
 * <ul>
 *   <li>{@link #sum}: {@code cblas_sdot} against a vector of ones, {@link #PIECE} elements per call (the kernel
 *   adds in float across its vector lanes), the pieces added in double;</li>
 *   <li>{@link #rowSums}: {@code cblas_sgemv} of a block of rows with the ones vector;</li>
 *   <li>{@link #axpy}: {@code y = a + alpha * b} for alpha = 1 or -1 (add, sub) as {@code scopy} then
 *   {@code saxpy} per piece, so the piece of y is still in cache for the second call. Each element is
 *   {@code a + (alpha * b)} rounded once, exactly as the scalar loops compute it.</li>
 * </ul>
 * Results depend on the lengths and the kernel OpenBLAS picked for the CPU, never on the thread count (callers
 * pass fixed pieces of work). OpenBLAS runs single-threaded ({@link OpenBlas}).
 */
final class BlasLoops {

    /** Elements per level-1 call: pieces of the operands stay in the L1/L2 cache between the two add calls. */
    static final int PIECE = 4096;
    /** Longest row {@link #rowSums} takes (the length of the ones vector). */
    static final int MAX_ROW = 1 << 16;
    /** Runs shorter than this use the scalar loops (two native calls cost about as much as 1000 elements). */
    static final int MIN_RUN = 1024;

    private static final FloatPointer ONES = ones();

    private BlasLoops() {
    }

    private static FloatPointer ones() {
        OpenBlas.ensureLoaded();
        float[] v = new float[MAX_ROW];
        java.util.Arrays.fill(v, 1f);
        return new FloatPointer(v); // native memory that lives as long as the class
    }

    /** A float pointer set to any address; not shared between threads. */
    private static final class At extends FloatPointer {

        At at(long address) {
            this.address = address;
            this.position = 0;
            return this;
        }
    }

    /** The sum of {@code n} floats from address {@code a}. */
    static double sum(long a, long n) {
        At x = new At();
        double s = 0;
        for (long i = 0; i < n; i += PIECE) {
            int m = (int) Math.min(PIECE, n - i);
            s += openblas_nolapack.cblas_sdot(m, x.at(a + (i << 2)), 1, ONES, 1);
        }
        return s;
    }

    /** Writes the sums of {@code rows} rows of {@code len <= MAX_ROW} floats from {@code a} to {@code y}. */
    static void rowSums(long a, int rows, int len, long y) {
        RawMemory.zero(y, (long) rows << 2); // beta = 1 on zeros: y's old contents (NaN included) never leak in
        openblas_nolapack.cblas_sgemv(openblas_nolapack.CblasRowMajor, openblas_nolapack.CblasNoTrans, rows, len, 1f,
                new At().at(a), len, ONES, 1, 1f, new At().at(y), 1);
    }

    /**
     * {@code y[i] = a[i] + alpha * b[i]} for {@code n} contiguous floats at the given addresses; false (nothing
     * done) when y partly overlaps a or b, or y is b and alpha is not 1, or the run is short.
     */
    static boolean axpy(float alpha, long a, long b, long y, int n) {
        long bytes = (long) n << 2;
        if (n < MIN_RUN) {
            return false;
        }
        if (y == b && y != a) {
            if (alpha != 1f) {
                return false;
            }
            long t = a; // y = b + a: the same sums, and b's piece is not overwritten before it is read
            a = b;
            b = t;
        }
        if ((y != a && overlaps(y, a, bytes)) || (y != b && overlaps(y, b, bytes))) {
            return false;
        }
        At pa = new At();
        At pb = new At();
        At py = new At();
        for (long i = 0; i < n; i += PIECE) {
            int m = (int) Math.min(PIECE, n - i);
            long o = i << 2;
            if (y != a) {
                openblas_nolapack.cblas_scopy(m, pa.at(a + o), 1, py.at(y + o), 1);
            }
            openblas_nolapack.cblas_saxpy(m, alpha, pb.at(b + o), 1, py.at(y + o), 1);
        }
        return true;
    }

    private static boolean overlaps(long p, long q, long bytes) {
        return p < q + bytes && q < p + bytes;
    }
}
