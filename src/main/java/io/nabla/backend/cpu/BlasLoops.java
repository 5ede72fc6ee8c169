package io.nabla.backend.cpu;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasColMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * FP32 add and sub in OpenBLAS's level-1 kernels, and FP32 sums in its {@code sgemv}: long runs ({@link #sumF}) and
 * rows of 256 to 2048 floats, many per call ({@link #rowSums}).
 *
 * <p>Add and sub (AVX2/AVX-512 code chosen for the CPU at load time), called on the
 * tensors' own host memory by address: {@code y = a + alpha * b} (alpha 1 or -1) as {@code scopy} then
 * {@code saxpy} per {@link #PIECE} elements, so the piece of y is still in cache for the second call. Each element
 * is {@code a + (alpha * b)} rounded once, exactly what the scalar loops compute.
 *
 * <p>Why: C2 does not vectorise the scalar loops over off-heap memory. Measured on the development machine (one
 * thread, fastest of 15 samples, all variants in one run): an add of 256 K floats (in cache) took 48 us this way
 * against 87 us for the scalar loop and 84 us for the incubating Vector API on JDK 17; of 16 M floats 9.2 ms
 * against 10.9 and 9.3 ms. Native kernels are fast from the first call, where Vector API code runs about 100x
 * slower than scalar code until C2 has compiled it, and need no JVM flags. (Sums through {@code sdot} against a
 * vector of ones were 2x faster in cache but 20% slower on 16 M floats than the scalar loop, and add in float chains
 * as long as the piece; {@link #sumF}'s {@code sgemv} keeps chains of 16 and streams faster than both.)
 */
final class BlasLoops {

    /** Elements per level-1 call: pieces of the operands stay in the L1/L2 cache between the two add calls. */
    static final int PIECE = 4096;
    /** Runs shorter than this use the scalar loops (two native calls cost about as much as 1000 elements). */
    static final int MIN_RUN = 1024;

    /** Floats added in float before the double sum in {@link #sumF} (the columns of its matrices). */
    static final int SUM_COLUMNS = 16;
    /** The most rows of one {@link #sumF} matrix: 64 K floats per call, its results 16 KB (in L1). */
    static final int SUM_ROWS = 4096;
    /**
     * Shorter runs are summed by the scalar loop. In cache {@code sgemv} wins from about 1000 floats (0.15 against
     * 0.19 ns per float at 1024), but rows of 1024 read from memory one call each were slower (sum over dim 1 of
     * (16384, 1024): 3.2-4.2 against 2.5-2.8 ms); from 8192 on it wins in both.
     */
    static final int MIN_SUM = 8192;

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
        if ((y != a && RawMemory.overlaps(y, a, bytes)) || (y != b && RawMemory.overlaps(y, b, bytes))) {
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

    /**
     * The sum of {@code n - n % SUM_COLUMNS} floats from {@code a} (the caller adds the last {@code n % SUM_COLUMNS}),
     * for {@code n >= MIN_SUM}. Each piece of {@code SUM_COLUMNS * m} floats ({@code m <= SUM_ROWS}) is read as a
     * column-major {@code m x SUM_COLUMNS} matrix and multiplied by a vector of ones ({@code sgemv}): every one of
     * the {@code m} results adds {@code SUM_COLUMNS} floats in float (each {@code x * 1} is exact, so each step is
     * one rounded add, as in the scalar loop), and those results are added in double here. Same float chains of
     * 16 as {@link RowLoops#sumF}'s scalar loop, without its float tree of eight, and read with vector loads, which
     * one core streams from memory about 1.4x as fast as scalar ones (3.4 against 4.9 ms for 16 M floats).
     */
    static double sumF(long a, long n) {
        Sums s = SUMS.get();
        long rows = n / SUM_COLUMNS;
        double t0 = 0;
        double t1 = 0;
        double t2 = 0;
        double t3 = 0;
        for (long done = 0; done < rows; ) {
            int m = (int) Math.min(SUM_ROWS, rows - done);
            RawMemory.zero(s.y, (long) m << 2);
            openblas_nolapack.cblas_sgemv(CblasColMajor, CblasNoTrans, m, SUM_COLUMNS, 1f,
                    s.piece.at(a + ((done * SUM_COLUMNS) << 2)), m, s.ones, 1, 1f, s.out, 1);
            long y = s.y;
            int k = 0;
            for (; k + 4 <= m; k += 4) {
                long p = y + ((long) k << 2);
                t0 += RawMemory.getFloat(p);
                t1 += RawMemory.getFloat(p + 4);
                t2 += RawMemory.getFloat(p + 8);
                t3 += RawMemory.getFloat(p + 12);
            }
            for (; k < m; k++) {
                t0 += RawMemory.getFloat(y + ((long) k << 2));
            }
            done += m;
        }
        return (t0 + t1) + (t2 + t3);
    }

    /** A thread's vector of ones and result vector for {@link #sumF} (direct buffers, freed with the thread). */
    private static final class Sums {

        final ByteBuffer bytes = ByteBuffer.allocateDirect((SUM_ROWS + SUM_COLUMNS) * Float.BYTES)
                .order(ByteOrder.nativeOrder());
        final FloatPointer ones;
        final FloatPointer out;
        final long y;
        final At piece = new At();

        Sums() {
            FloatPointer all = new FloatPointer(bytes.asFloatBuffer());
            for (int i = 0; i < SUM_COLUMNS; i++) {
                all.put(SUM_ROWS + i, 1f);
            }
            y = all.address();
            out = new At().at(y);
            ones = new At().at(y + ((long) SUM_ROWS << 2));
        }
    }

    private static final ThreadLocal<Sums> SUMS = ThreadLocal.withInitial(Sums::new);

    /** Rows shorter than this are summed by the scalar loop ({@link #rowSums} is for rows of a few hundred floats on). */
    static final int MIN_ROW_SUM = 256;
    /**
     * Rows longer than this are summed by {@link RowLoops#sumF}: {@link #rowSums}'s dot products add a row in float,
     * one chain per vector lane (some 256 floats each at this length with 8-lane vectors), against the scalar loop's
     * chains of 16; up to here Fp32FastPathTest holds them within 1e-6 of the sum of magnitudes.
     */
    static final int MAX_ROW_SUM = 2048;
    /** Floats of {@link #ONES}. */
    private static final ByteBuffer ONES_BYTES = ByteBuffer.allocateDirect(MAX_ROW_SUM * Float.BYTES)
            .order(ByteOrder.nativeOrder());
    /** A vector of ones, only read (by every thread). */
    private static final long ONES;

    static {
        FloatPointer ones = new FloatPointer(ONES_BYTES.asFloatBuffer());
        for (int i = 0; i < MAX_ROW_SUM; i++) {
            ones.put(i, 1f);
        }
        ONES = ones.address();
    }

    /**
     * {@code y[r] = sum of row r}, in float, for {@code rows} contiguous rows of {@code len} floats at {@code a}
     * ({@code MIN_ROW_SUM <= len <= MAX_ROW_SUM}), into {@code rows} contiguous floats at {@code y}: one transposed
     * {@code sgemv} against ones, so each result is a dot product of its row with ones (each {@code x * 1} exact).
     * {@code y} is zeroed here and {@code beta} is 1, so the result does not depend on how the library treats
     * {@code beta = 0} over whatever y held. Measured (OpsBench, sum over dim 1 of (16384, 1024), two threads, three
     * alternated runs): 1.5-2.1 ms against 2.4-3.1 ms with the scalar loop per row (PyTorch 1.9-2.5 ms).
     */
    static void rowSums(long a, int len, int rows, long y) {
        RawMemory.zero(y, (long) rows << 2);
        At pa = new At();
        At py = new At();
        At ones = new At();
        openblas_nolapack.cblas_sgemv(CblasColMajor, CblasTrans, len, rows, 1f, pa.at(a), len, ones.at(ONES), 1, 1f,
                py.at(y), 1);
    }

}
