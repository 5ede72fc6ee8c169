package io.nabla.backend.cpu;

/**
 * A fast float {@code exp}, within 1 ulp of the correctly rounded result (checked against {@link Math#exp} in the
 * tests). Range reduction {@code x = k ln2 + r} with a two-part ln2 (Cody and Waite), {@code |r| <= ln2/2}, a
 * degree-5 minimax polynomial for {@code (exp(r) - 1 - r) / r^2} (Cephes' {@code expf}), then scaling by
 * {@code 2^k} through the exponent bits. Arguments outside [-87, 88] (subnormal or infinite results, NaN) take
 * {@link Math#exp}. {@link #expShifted} computes the same values for a whole block in two loops: the first uses
 * only float arithmetic and FMAs, which C2 turns into vector instructions; the second, scalar, builds {@code 2^k}.
 */
final class FloatExp {

    private static final float LOG2E = 1.44269504088896341f;
    /** 1.5 * 2^23: adding it rounds a float of magnitude below 2^22 to an integer, kept in the low mantissa bits. */
    private static final float ROUND = 12582912f;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    private static final float P0 = 1.9875691500E-4f;
    private static final float P1 = 1.3981999507E-3f;
    private static final float P2 = 8.3334519073E-3f;
    private static final float P3 = 4.1665795894E-2f;
    private static final float P4 = 1.6666665459E-1f;
    private static final float P5 = 5.0000001201E-1f;

    private static final int ROUND_BITS = Float.floatToRawIntBits(ROUND);

    private FloatExp() {
    }

    /**
     * {@code out[i] = exp(x[i] - shift)} for {@code i < n}, bit-identical to {@link #exp}, provided that every
     * {@code x[i] - shift} lies in [-87, 88] (callers check a row's range first). {@code t} is scratch.
     */
    static void expShifted(float[] x, float shift, float[] out, float[] t, int n) {
        for (int i = 0; i < n; i++) {
            float xi = x[i] - shift;
            float ti = Math.fma(xi, LOG2E, ROUND);
            float kf = ti - ROUND;
            float r = Math.fma(kf, -LN2_HI, xi);
            r = Math.fma(kf, -LN2_LO, r);
            float p = Math.fma(P0, r, P1);
            p = Math.fma(p, r, P2);
            p = Math.fma(p, r, P3);
            p = Math.fma(p, r, P4);
            p = Math.fma(p, r, P5);
            out[i] = Math.fma(p * r, r, r) + 1f;
            t[i] = ti;
        }
        for (int i = 0; i < n; i++) {
            out[i] *= Float.intBitsToFloat((Float.floatToRawIntBits(t[i]) - ROUND_BITS + 127) << 23);
        }
    }

    static float exp(float x) {
        if (!(x >= -87f && x <= 88f)) {
            return (float) Math.exp(x);
        }
        float t = Math.fma(x, LOG2E, ROUND);
        int k = Float.floatToRawIntBits(t) - ROUND_BITS;
        float kf = t - ROUND;
        float r = Math.fma(kf, -LN2_HI, x);
        r = Math.fma(kf, -LN2_LO, r);
        float p = Math.fma(P0, r, P1);
        p = Math.fma(p, r, P2);
        p = Math.fma(p, r, P3);
        p = Math.fma(p, r, P4);
        p = Math.fma(p, r, P5);
        float e = Math.fma(p * r, r, r) + 1f;
        return e * Float.intBitsToFloat((k + 127) << 23);
    }
}
