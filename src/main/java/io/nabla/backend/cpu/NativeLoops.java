package io.nabla.backend.cpu;

import io.nabla.backend.BinaryOp;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * FP32 add, sub, mul and div, FP32 sums, FP32 2x2 max pooling, {@link ExactExp}'s exp, sigmoid, silu, tanh and
 * silu gradient, and {@link ExactGelu}'s gelu, tanh-gelu and their gradients over contiguous runs in C (AVX2, and FMA
 * for the last nine; {@code src/main/native/nabla_loops.h}), built into the jar by JavaCPP's build goal when the
 * build machine has a C++ compiler ({@code pom.xml}, profile
 * {@code native-loops}).
 *
 * <p>Guarantees: the library is loaded once; when it is absent (a build without {@code g++}), cannot be loaded, or
 * the CPU lacks AVX2, {@link #available()} is false and callers use their Java or OpenBLAS loops, which compute the
 * same floats (one IEEE operation per element, nothing fused). The caller checks addresses, lengths and overlaps.
 *
 * <p>Why: an elementwise op on tensors larger than the cache is bound by memory traffic, and an ordinary store
 * first reads the destination's cache line (read for ownership): {@code c = a + b} on 16 M floats moves 256 MB
 * where 192 MB are needed. Non-temporal stores write {@code c} without reading it. The JVM cannot emit them (C2
 * does not even vectorise loops over off-heap memory), OpenBLAS has none, and oneDNN's add (tried) reached only
 * PyTorch's speed; PyTorch's own add uses ordinary stores. On the development machine the same loop in C took
 * 4.99 ms with non-temporal stores against 6.40 ms with ordinary ones and 6.62 ms for {@code torch.add(out=)}
 * (medians of seven alternated rounds, {@code src/bench/memory-floor.sh}). Streaming only pays when the result is
 * not read again soon from the cache, so {@link #STREAM_BYTES} decides by the size of the whole result.
 */
@Platform(value = "linux-x86_64", include = "nabla_loops.h")
final class NativeLoops {

    /**
     * Results at least this large are written with non-temporal stores: half the last-level cache of the development
     * machine (32 MB), so a smaller result stays in the cache for the op that reads it next. Measured there on one
     * thread (ns per element, ordinary against non-temporal stores, a result written over and over): 1 M floats
     * 0.22 / 0.22, 2 M 0.25 / 0.23, 4 M 0.45 / 0.28, 8 M 0.51 / 0.35; in the L2 cache (64 K floats) streaming is 2x
     * slower (0.18 / 0.35), and OpenBLAS's scopy + saxpy took 0.25 there.
     */
    static final long STREAM_BYTES = 16L << 20;

    private static final boolean AVAILABLE = load();
    private static final boolean FMA = AVAILABLE && hasFma() == 1;

    private NativeLoops() {
    }

    private static boolean load() {
        try {
            Loader.load();
            return hasAvx2() == 1;
        } catch (LinkageError | RuntimeException e) {
            return false;
        }
    }

    /** Whether the library is loaded and this CPU runs it. */
    static boolean available() {
        return AVAILABLE;
    }

    /** The native code of an op these loops compute, or -1. */
    static int code(BinaryOp op) {
        return switch (op) {
            case ADD -> 0;
            case SUB -> 1;
            case MUL -> 2;
            case DIV -> 3;
            default -> -1;
        };
    }

    /** Runs shorter than this stay in Java: a native call costs about as much as a few dozen scalar elements. */
    static final int MIN_RUN = 64;

    /**
     * {@code y[i] = a[i] op b[i]} for {@code n} contiguous floats at these addresses ({@code op} from
     * {@link #code}, {@code stream}: non-temporal stores); false, with nothing done, when the library is not
     * {@link #available()}, the run is shorter than {@link #MIN_RUN}, or y partly overlaps a or b (y may be a or b).
     */
    static boolean binary(int op, long a, long b, long y, int n, boolean stream) {
        long bytes = (long) n << 2;
        if (!AVAILABLE || n < MIN_RUN || op < 0 || (y != a && RawMemory.overlaps(y, a, bytes))
                || (y != b && RawMemory.overlaps(y, b, bytes))) {
            return false;
        }
        binaryF(op, a, b, y, n, stream);
        return true;
    }

    /**
     * 2x2 max pooling with column stride 2 over one FP32 plane whose rows are contiguous: window (oy, ox) has its
     * top-left tap at {@code img + 4 (oy rowStep + 2 ox)} and its bottom row {@code rowStride} floats below; the
     * {@code oh x ow} outputs and their INT64 plane indices are rows of contiguous elements, {@code outRow} and
     * {@code idxRow} elements apart; {@code sh} is the window's row stride and {@code width} the plane's width.
     * The values and indices are {@link CpuConvKernels}'s Java loop's. Only when {@link #available()}.
     */
    static void maxPool2x2(long img, long rowStep, long rowStride, int oh, int ow, long out, long outRow, long idx,
                           long idxRow, int sh, long width) {
        maxPool2x2F(img, rowStep, rowStride, oh, ow, out, outRow, idx, idxRow, sh, width);
    }

    /** The sum of {@code n} contiguous floats at {@code a}; only when {@link #available()}. */
    static double sum(long a, long n) {
        return sumF(a, n);
    }

    /**
     * The sums of four runs of contiguous floats (addresses a0..a3, lengths n0..n3; a length of 0 for none), each
     * exactly as {@link #sum} gives it, written as four doubles at {@code out}; their blocks are read in turn, so one
     * core has four streams from memory in flight. Only when {@link #available()}.
     */
    static void sum4(long a0, long a1, long a2, long a3, long n0, long n1, long n2, long n3, long out) {
        sum4F(a0, a1, a2, a3, n0, n1, n2, n3, out);
    }

    /** Whether {@link #expFamily} runs here (the library is loaded and this CPU has FMA as well as AVX2). */
    static boolean expFamilyAvailable() {
        return FMA;
    }

    /** The ops of {@link #expFamily}, numbered as the C code numbers them. */
    static final int EXP = 0;
    static final int SIGMOID = 1;
    static final int SILU = 2;
    static final int TANH = 3;
    static final int SILU_GRAD = 4;
    static final int GELU_TANH = 5;
    static final int GELU_TANH_GRAD = 6;
    static final int GELU = 7;
    static final int GELU_GRAD = 8;

    /**
     * {@code y[i] = op(x[i])} ({@code op(g[i], x[i])} for the gradients) for {@code n} contiguous floats: the
     * reference's floats, with exactly the double operations of {@link ExactExp}'s and {@link ExactGelu}'s blocks
     * (exact gelu and its gradient by a faster polynomial for |x| &lt;= 2, see {@link ExactGelu}); the elements left
     * to the reference are left unwritten and their indices (relative to x, in no particular order) written as ints
     * at {@code fix}, which must hold {@code n}; returns their count. Only when {@link #expFamilyAvailable()}; y may
     * be x or g.
     */
    static int expFamily(int op, long x, long g, long y, long fix, int n) {
        return expFamilyF(op, x, g, y, fix, n);
    }

    /**
     * Quantizes {@code m} rows of {@code k} contiguous floats at {@code x} as {@link io.nabla.backend.Int8} defines
     * (UINT8 values as int16 at {@code q}, row scales at {@code scale}, zero points at {@code zp}); returns the
     * number of rows that hold a NaN or an infinity (scale NaN, values 0). Only when {@link #available()}.
     */
    static int quantizeRows(long x, int m, int k, long q, long scale, long zp) {
        return quantizeRowsF(x, m, k, q, scale, zp);
    }

    /**
     * The columns {@code j0 <= j < j1} of the {@code m x n} FP32 output of {@link io.nabla.backend.Int8}'s product
     * of rows from {@link #quantizeRows} with the INT8 weight {@code w} (row scales {@code sw}, row sums
     * {@code wsum}; {@code bias} 0 for none). Only when {@link #available()}.
     */
    static void int8Gemm(long q, long sx, long zx, int m, int k, long w, long sw, long wsum, long bias, long y, int n,
                         int j0, int j1) {
        int8GemmF(q, sx, zx, m, k, w, sw, wsum, bias, y, n, j0, j1);
    }

    private static native int quantizeRowsF(long x, int m, int k, long q, long scale, long zp);

    private static native void int8GemmF(long q, long sx, long zx, int m, int k, long w, long sw, long wsum, long bias,
                                         long y, int n, int j0, int j1);

    private static native int hasAvx2();

    private static native int hasFma();

    private static native int expFamilyF(int op, long x, long g, long y, long fix, int n);

    private static native double sumF(long a, long n);

    private static native void sum4F(long a0, long a1, long a2, long a3, long n0, long n1, long n2, long n3, long out);

    private static native void maxPool2x2F(long img, long rowStep, long rowStride, int oh, int ow, long out,
                                           long outRow, long idx, long idxRow, int sh, long width);

    private static native void binaryF(int op, long a, long b, long y, long n, boolean stream);
}
