package io.nabla.backend.cpu;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * FP32 add and sub in OpenBLAS's level-1 kernels (AVX2/AVX-512 code chosen for the CPU at load time), called on the
 * tensors' own host memory by address: {@code y = a + alpha * b} (alpha 1 or -1) as {@code scopy} then
 * {@code saxpy} per {@link #PIECE} elements, so the piece of y is still in cache for the second call. Each element
 * is {@code a + (alpha * b)} rounded once, exactly what the scalar loops compute.
 *
 * <p>Why: C2 does not vectorise the scalar loops over off-heap memory. Measured on the development machine (one
 * thread, fastest of 15 samples, all variants in one run): an add of 256 K floats (in cache) took 48 us this way
 * against 87 us for the scalar loop and 84 us for the incubating Vector API on JDK 17; of 16 M floats 9.2 ms
 * against 10.9 and 9.3 ms. Native kernels are fast from the first call, where Vector API code runs about 100x
 * slower than scalar code until C2 has compiled it, and need no JVM flags. (Sums through {@code sdot} against a
 * vector of ones were 2x faster in cache but 20% slower on 16 M floats than the scalar {@link RowLoops#sumF}, so
 * sums stay in Java.)
 */
final class BlasLoops {

    /** Elements per level-1 call: pieces of the operands stay in the L1/L2 cache between the two add calls. */
    static final int PIECE = 4096;
    /** Runs shorter than this use the scalar loops (two native calls cost about as much as 1000 elements). */
    static final int MIN_RUN = 1024;

    private BlasLoops() {
    }

    /** A float pointer set to any address; not shared between threads. */
    private static final class At extends FloatPointer {

        At at(long address) {
            this.address = address;
            this.position = 0;
            return this;
        }
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
