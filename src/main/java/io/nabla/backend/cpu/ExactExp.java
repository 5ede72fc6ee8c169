package io.nabla.backend.cpu;

import io.nabla.backend.ElementwiseMath;
import java.nio.FloatBuffer;

/**
 * The FP32 {@code exp}, {@code sigmoid}, {@code silu} and {@code tanh} ops and the silu gradient: exactly
 * {@code (float) Math.exp(x)}, {@code (float) ElementwiseMath.sigmoid(x)}, {@code (float) ElementwiseMath.silu(x)},
 * {@code (float) Math.tanh(x)} and {@code (float) ElementwiseMath.siluGrad(g, x)} (so bit for bit what the reference
 * backend gives), 1.5 to 7 times as fast.
 *
 * <p>How: {@code exp(x)} is computed in double by a polynomial that C2 vectorises, {@code x = k ln2 + r} with a
 * two-part ln2 (Cody and Waite; {@code |r| <= ln2/2}), {@code exp(r)} by its Taylor series to degree 12 (truncation
 * below 2^-52 relative) in FMA Horner form. Its result is within a few units in the last place of the double
 * {@code Math.exp} returns (at most 2 in 20 M random arguments; {@code Math.exp} itself is within 1 of the exact
 * value). Rounding a double to float looks only at its 29 low mantissa bits: it rounds down below the midpoint
 * {@code 2^28}, up above. So where those bits lie more than {@link #MARGIN} (4096) units from the midpoint, the
 * exact value, the polynomial's and {@code Math.exp}'s all round to the same float, and the polynomial's is used;
 * otherwise (about 1 argument in 65,000) {@code Math.exp} is called. Scaling by {@code 2^k} does not change the
 * mantissa, so the check runs on {@code exp(r)}, and the float is scaled afterwards (exact: arguments outside
 * [-87, 88], whose results are subnormal or overflow, and NaN go to {@code Math.exp}).
 *
 * <p>{@code sigmoid} is {@code 1 / (1 + e)} and {@code silu} {@code x / (1 + e)} with {@code e = exp(-x)}, computed
 * in double from the same polynomial (scaled in double) in the reference's order: with no cancellation in
 * {@code 1 + e}, their doubles stay within a few units of the reference's, and the same midpoint check decides.
 * Results that would be subnormal floats (the check needs all 23 mantissa bits), arguments outside [-87, 88] and NaN
 * take the reference formula. {@code tanh} (against {@code Math.tanh}, specified within 2.5 ulps of exact) is its
 * Taylor series below 0.125 and {@code 1 - 2 / (exp(2|x|) + 1)} above, see {@link #tanhBlock}.
 *
 * <p>Checked against the reference on every one of the 2^32 floats, for each op (the silu gradient with g = 1 and
 * g = -0.37, and on samples with gradients from 1e-38 to 3e38) (2026-12-07, JDK 17.0.15: no difference;
 * {@code ExactExpTest} with {@code -Dnabla.exhaustive=true}), and in the suite on a sample of them and by the
 * elementwise conformance tests. In that run the exp polynomial alone, without the fallback, also matched on
 * all 2,237,530,112 floats in [-87, 88]: the fallback makes the guarantee follow from the error bounds rather than
 * from that measurement, for about two integer operations per element.
 *
 * <p>In C: where the native loops are built and the CPU has FMA ({@link NativeLoops#expFamily}), direct buffers
 * go through the same double operations written with AVX2 and FMA intrinsics (four lanes, contraction off, so each
 * operation rounds as here), and only the elements these blocks would give the reference come back to Java
 * ({@code ExactExpInCTest} checks that path as {@code ExactExpTest} checks these blocks, every float on request).
 */
final class ExactExp {

    /** Distance from the rounding midpoint, in units of the double's last place, below which Math.exp decides. */
    static final long MARGIN = 1L << 12;
    /** The smallest normal float, as a double: smaller results round to subnormals (fewer mantissa bits). */
    static final double MIN_NORMAL_FLOAT = Float.MIN_NORMAL;
    /** Results above this magnitude take the reference: near the float overflow the midpoint check does not apply. */
    static final double FLOAT_OVERFLOW_GUARD = Float.MAX_VALUE / 2.0;

    private static final double LOG2E = 1.4426950408889634;
    /** 1.5 * 2^52: adding it rounds a double of magnitude below 2^51 to an integer, kept in the low mantissa bits. */
    private static final double SHIFT = 0x1.8p52;
    private static final long SHIFT_BITS = Double.doubleToRawLongBits(SHIFT);
    /** ln2 split so that {@code k * LN2_HI} is exact for |k| < 2^11 (fdlibm's split). */
    private static final double LN2_HI = Double.longBitsToDouble(0x3fe62e42fee00000L);
    private static final double LN2_LO = 1.90821492927058770002e-10;
    private static final double C2 = 1.0 / 2;
    private static final double C3 = 1.0 / 6;
    private static final double C4 = 1.0 / 24;
    private static final double C5 = 1.0 / 120;
    private static final double C6 = 1.0 / 720;
    private static final double C7 = 1.0 / 5040;
    private static final double C8 = 1.0 / 40320;
    private static final double C9 = 1.0 / 362880;
    private static final double C10 = 1.0 / 3628800;
    private static final double C11 = 1.0 / 39916800;
    private static final double C12 = 1.0 / 479001600;

    /** Below this magnitude tanh takes its Taylor series. */
    private static final float TANH_SERIES = 0.125f;
    /** Above this magnitude (and for NaN) tanh takes Math.tanh (its float is then 1 or -1 anyway). */
    private static final float TANH_MAX = 20f;
    /** Taylor coefficients of tanh: 2^2n (2^2n - 1) B_2n / (2n)! for the power 2n - 1. */
    private static final double T3 = -1.0 / 3;
    private static final double T5 = 2.0 / 15;
    private static final double T7 = -17.0 / 315;
    private static final double T9 = 62.0 / 2835;
    private static final double T11 = -1382.0 / 155925;
    private static final double T13 = 21844.0 / 6081075;
    private static final double T15 = -929569.0 / 638512875;
    private static final double T17 = 6404582.0 / 10854718875.0;

    /** Elements per block: the thread's arrays below hold one. */
    private static final int BLOCK = 1024;
    private static final ThreadLocal<Block> BLOCKS = ThreadLocal.withInitial(Block::new);

    private ExactExp() {
    }

    /** A thread's arrays: the block's floats in (one or two operands) and out, its shifted k and exp(r). */
    static final class Block {
        final float[] in = new float[BLOCK];
        final float[] in2 = new float[BLOCK];
        final float[] out = new float[BLOCK];
        final double[] t = new double[BLOCK];
        final double[] p = new double[BLOCK];
        final double[] q = new double[BLOCK];
    }

    /** {@code y[i] = (float) Math.exp(x[i])} for {@code i < n} (unit stride, absolute indices from 0). */
    static void exp(FloatBuffer x, FloatBuffer y, int n) {
        if (inC(NativeLoops.EXP, x, null, y, n)) {
            return;
        }
        blocks(x, null, y, n, (b, m) -> block(b.in, b.out, b.t, b.p, m));
    }

    /** {@code y[i] = (float) Math.tanh(x[i])} for {@code i < n} (unit stride, absolute indices from 0). */
    static void tanh(FloatBuffer x, FloatBuffer y, int n) {
        if (inC(NativeLoops.TANH, x, null, y, n)) {
            return;
        }
        blocks(x, null, y, n, (b, m) -> tanhBlock(b.in, b.out, b.t, b.p, m));
    }

    /** {@code y[i] = (float) sigmoid(x[i])}, or {@code silu} when {@code silu}, for {@code i < n} (unit stride). */
    static void sigmoid(boolean silu, FloatBuffer x, FloatBuffer y, int n) {
        if (inC(silu ? NativeLoops.SILU : NativeLoops.SIGMOID, x, null, y, n)) {
            return;
        }
        blocks(x, null, y, n, silu ? (b, m) -> siluBlock(b.in, b.out, b.t, b.p, m)
                : (b, m) -> sigmoidBlock(b.in, b.out, b.t, b.p, m));
    }

    /** {@code y[i] = (float) ElementwiseMath.siluGrad(g[i], x[i])} for {@code i < n} (unit stride). */
    static void siluGrad(FloatBuffer g, FloatBuffer x, FloatBuffer y, int n) {
        if (inC(NativeLoops.SILU_GRAD, x, g, y, n)) {
            return;
        }
        blocks(x, g, y, n, (b, m) -> siluGradBlock(b.in2, b.in, b.out, b.t, b.p, m));
    }

    /**
     * Runs the op in C ({@link NativeLoops#expFamily}: the same double operations, vectorised with AVX2 and FMA),
     * block by block, computing here the elements it leaves to the reference; false (nothing done) where the native
     * loops are not built, the CPU lacks FMA, or a buffer is not a direct one in native order.
     */
    static boolean inC(int op, FloatBuffer x, FloatBuffer g, FloatBuffer y, int n) {
        if (!NativeLoops.expFamilyAvailable()) {
            return false;
        }
        long ax = nativeAddress(x);
        long ag = g == null ? 0 : nativeAddress(g);
        long ay = nativeAddress(y);
        if (ax == 0 || ay == 0 || (g != null && ag == 0)) {
            return false;
        }
        long fix = RawMemory.address(FIXES.get());
        for (int o = 0; o < n; o += BLOCK) {
            int m = Math.min(BLOCK, n - o);
            long at = (long) o << 2;
            int count = NativeLoops.expFamily(op, ax + at, g == null ? 0 : ag + at, ay + at, fix, m);
            for (int j = 0; j < count; j++) {
                int i = o + RawMemory.getInt(fix + ((long) j << 2));
                float xi = x.get(i);
                y.put(i, (float) switch (op) {
                    case NativeLoops.EXP -> Math.exp(xi);
                    case NativeLoops.SIGMOID -> ElementwiseMath.sigmoid(xi);
                    case NativeLoops.SILU -> ElementwiseMath.silu(xi);
                    case NativeLoops.TANH -> Math.tanh(xi);
                    case NativeLoops.GELU_TANH -> ElementwiseMath.geluTanh(xi);
                    case NativeLoops.GELU_TANH_GRAD -> ElementwiseMath.geluTanhGrad(g.get(i), xi);
                    case NativeLoops.GELU -> ElementwiseMath.gelu(xi);
                    case NativeLoops.GELU_GRAD -> ElementwiseMath.geluGrad(g.get(i), xi);
                    default -> ElementwiseMath.siluGrad(g.get(i), xi);
                });
            }
        }
        return true;
    }

    private static long nativeAddress(FloatBuffer b) {
        return b.order() == java.nio.ByteOrder.nativeOrder() ? RawMemory.address(b) : 0;
    }

    /** A thread's room for the indices one native block leaves to the reference ({@link #BLOCK} ints). */
    private static final ThreadLocal<java.nio.IntBuffer> FIXES = ThreadLocal.withInitial(() ->
            java.nio.ByteBuffer.allocateDirect(BLOCK * Integer.BYTES).order(java.nio.ByteOrder.nativeOrder())
                    .asIntBuffer());

    /** What one block computes, from the thread's arrays {@code in} (and {@code in2}) into {@code out}. */
    interface BlockKernel {
        void run(Block b, int m);
    }

    /** Runs {@code kernel} over {@code n} elements block by block: x (and g, when not null) in, y out. */
    static void blocks(FloatBuffer x, FloatBuffer g, FloatBuffer y, int n, BlockKernel kernel) {
        Block b = BLOCKS.get();
        for (int o = 0; o < n; o += BLOCK) {
            int m = Math.min(BLOCK, n - o);
            x.get(o, b.in, 0, m);
            if (g != null) {
                g.get(o, b.in2, 0, m);
            }
            kernel.run(b, m);
            y.put(o, b.out, 0, m);
        }
    }

    /** {@code y[i] = (float) Math.exp(x[i])} for {@code i < n}; {@code t} and {@code p} are scratch. */
    static void block(float[] x, float[] y, double[] t, double[] p, int n) {
        for (int i = 0; i < n; i++) {
            t[i] = x[i]; // apart from the polynomial: C2 does not vectorise a loop that mixes float and double
        }
        polynomial(t, p, n);
        for (int i = 0; i < n; i++) {
            double q = p[i];
            long low = Double.doubleToRawLongBits(q) & 0x1FFFFFFFL;
            float xi = x[i];
            if (nearMidpoint(low) || !inRange(xi)) {
                y[i] = (float) Math.exp(xi);
            } else {
                int k = (int) (Double.doubleToRawLongBits(t[i]) - SHIFT_BITS);
                y[i] = (float) q * Float.intBitsToFloat((k + 127) << 23);
            }
        }
    }

    /** {@code y[i] = (float) ElementwiseMath.sigmoid(x[i])} for {@code i < n}; {@code t} and {@code p} are scratch. */
    static void sigmoidBlock(float[] x, float[] y, double[] t, double[] p, int n) {
        expOfNegation(x, t, p, n);
        for (int i = 0; i < n; i++) {
            double d = 1.0 / (1.0 + scaled(t[i], p[i]));
            y[i] = exact(d, x[i]) ? (float) d : (float) ElementwiseMath.sigmoid(x[i]);
        }
    }

    /** {@code y[i] = (float) ElementwiseMath.silu(x[i])} for {@code i < n}; {@code t} and {@code p} are scratch. */
    static void siluBlock(float[] x, float[] y, double[] t, double[] p, int n) {
        expOfNegation(x, t, p, n);
        for (int i = 0; i < n; i++) {
            float xi = x[i];
            double d = xi / (1.0 + scaled(t[i], p[i]));
            y[i] = exact(d, xi) ? (float) d : (float) ElementwiseMath.silu(xi);
        }
    }

    /**
     * {@code y[i] = (float) Math.tanh(x[i])} for {@code i < n}; {@code t} and {@code p} are scratch. Below
     * {@link #TANH_SERIES} in magnitude, the Taylor series to degree 17 (next term below 2^-65 relative); above,
     * {@code 1 - 2 / (exp(2|x|) + 1)} with the sign of x, whose subtraction loses at most 3 bits there (results of
     * at least 0.124), so the double stays well inside the check's margin.
     */
    static void tanhBlock(float[] x, float[] y, double[] t, double[] p, int n) {
        for (int i = 0; i < n; i++) {
            t[i] = x[i];
        }
        for (int i = 0; i < n; i++) {
            t[i] = 2.0 * Math.abs(t[i]);
        }
        polynomial(t, p, n);
        for (int i = 0; i < n; i++) {
            float xi = x[i];
            double d;
            if (Math.abs(xi) < TANH_SERIES) {
                double xd = xi;
                double s = xd * xd;
                double q = Math.fma(T17, s, T15);
                q = Math.fma(q, s, T13);
                q = Math.fma(q, s, T11);
                q = Math.fma(q, s, T9);
                q = Math.fma(q, s, T7);
                q = Math.fma(q, s, T5);
                q = Math.fma(q, s, T3);
                d = Math.fma(xd * s, q, xd);
            } else {
                d = Math.copySign(1.0 - 2.0 / (scaled(t[i], p[i]) + 1.0), xi);
            }
            boolean ok = Math.abs(xi) <= TANH_MAX && Math.abs(d) >= MIN_NORMAL_FLOAT
                    && !nearMidpoint(Double.doubleToRawLongBits(d) & 0x1FFFFFFFL);
            y[i] = ok ? (float) d : (float) Math.tanh(xi);
        }
    }

    /**
     * {@code y[i] = (float) ElementwiseMath.siluGrad(g[i], x[i])} for {@code i < n}: {@code g * s * (1 + x (1 - s))}
     * with {@code s = 1 / (1 + exp(-x))}, in the reference's order. {@code s} is within a few units of the
     * reference's, but {@code 1 + x (1 - s)} cancels near {@code x = -1.28}, where it crosses zero: its error is at
     * most about {@code (7 |x| + 1)} units of 1 (2^-52), so the double is trusted only where that factor is at least
     * {@code (8 |x| + 2) / 1024} in magnitude (bounding the relative error by about 1,030 units, a quarter of the
     * margin); elsewhere (about 0.4% of standard normal arguments) the reference decides. Results near the float
     * overflow take the reference too.
     */
    static void siluGradBlock(float[] g, float[] x, float[] y, double[] t, double[] p, int n) {
        expOfNegation(x, t, p, n);
        for (int i = 0; i < n; i++) {
            p[i] = scaled(t[i], p[i]);
        }
        for (int i = 0; i < n; i++) {
            p[i] = 1.0 / (1.0 + p[i]);
        }
        for (int i = 0; i < n; i++) {
            float xi = x[i];
            double sig = p[i];
            double factor = 1.0 + xi * (1.0 - sig);
            double d = g[i] * sig * factor;
            boolean ok = exact(d, xi) && Math.abs(d) <= FLOAT_OVERFLOW_GUARD
                    && Math.abs(factor) >= (8.0 * Math.abs(xi) + 2.0) * 0x1p-10;
            y[i] = ok ? (float) d : (float) ElementwiseMath.siluGrad(g[i], xi);
        }
    }

    /** {@code exp(-x[i])} as {@link #polynomial} leaves it: {@code t[i] = SHIFT + k}, {@code p[i] = exp(r)}. */
    private static void expOfNegation(float[] x, double[] t, double[] p, int n) {
        for (int i = 0; i < n; i++) {
            t[i] = -x[i];
        }
        polynomial(t, p, n);
    }

    /** {@code exp(r) * 2^k} in double, from {@code t = SHIFT + k} and {@code p = exp(r)}. */
    static double scaled(double t, double p) {
        long k = Double.doubleToRawLongBits(t) - SHIFT_BITS;
        return p * Double.longBitsToDouble((k + 1023) << 52);
    }

    /**
     * Whether {@code (float) d} is the float the reference's double rounds to, for a result {@code d} computed from
     * argument {@code x} by the polynomial: an argument in range, a normal float result, low bits off the midpoint.
     */
    private static boolean exact(double d, float x) {
        return inRange(x) && Math.abs(d) >= MIN_NORMAL_FLOAT
                && !nearMidpoint(Double.doubleToRawLongBits(d) & 0x1FFFFFFFL);
    }

    static boolean nearMidpoint(long low29) {
        return Math.abs(low29 - 0x10000000L) < MARGIN;
    }

    /** Arguments whose exp (and exp of the negation) the polynomial path covers with normal float results. */
    private static boolean inRange(float x) {
        return x >= -87f && x <= 88f;
    }

    /**
     * {@code p[i] = exp(r)} and {@code t[i] = SHIFT + k} for {@code x = t[i]} on entry, {@code x = k ln2 + r}
     * ({@code t} is overwritten). Arguments outside [-88, 88] give garbage that the callers do not use.
     */
    static void polynomial(double[] t, double[] p, int n) {
        for (int i = 0; i < n; i++) {
            double xd = t[i];
            double ti = Math.fma(xd, LOG2E, SHIFT);
            double kd = ti - SHIFT;
            double r = Math.fma(kd, -LN2_HI, xd);
            r = Math.fma(kd, -LN2_LO, r);
            double q = Math.fma(C12, r, C11);
            q = Math.fma(q, r, C10);
            q = Math.fma(q, r, C9);
            q = Math.fma(q, r, C8);
            q = Math.fma(q, r, C7);
            q = Math.fma(q, r, C6);
            q = Math.fma(q, r, C5);
            q = Math.fma(q, r, C4);
            q = Math.fma(q, r, C3);
            q = Math.fma(q, r, C2);
            q = Math.fma(q, r, 1.0);
            p[i] = Math.fma(q, r, 1.0);
            t[i] = ti;
        }
    }
}
