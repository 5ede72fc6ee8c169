package io.nabla.nn;

/**
 * PyTorch 1.13's {@code normal_} for contiguous float32 tensors of at least 16 elements, as its AVX2 kernel
 * ({@code normal_fill_AVX2}) computes it: every element first gets a uniform float, then each block of 16 becomes
 * 8 Box-Muller pairs (the first 8 values give the radii, the next 8 the angles; a short tail block is redrawn from
 * fresh uniforms and overlaps its predecessor). The logarithm, sine and cosine are the Cephes polynomials of
 * {@code avx_mathfun.h}, evaluated with the fused multiply-adds that GCC forms when it builds that kernel for AVX2,
 * which makes the results bit-identical to PyTorch on AVX2 machines (checked against PyTorch 1.13 in the tests).
 * PyTorch builds that pick their AVX-512 or default kernel use the C library instead and differ in the last bit.
 */
final class NormalFill {

    private static final float TWO_PI = (float) (2.0f * Math.PI);

    private NormalFill() {
    }

    /** Fills {@code data} (length at least 16) with normal samples of the given mean and standard deviation. */
    static void fill(float[] data, float mean, float std, Generator g) {
        int n = data.length;
        for (int i = 0; i < n; i++) {
            data[i] = g.uniformFloat(0f, 1f);
        }
        for (int i = 0; i < n - 15; i += 16) {
            block(data, i, mean, std);
        }
        if (n % 16 != 0) {
            int o = n - 16;
            for (int i = 0; i < 16; i++) {
                data[o + i] = g.uniformFloat(0f, 1f);
            }
            block(data, o, mean, std);
        }
    }

    private static void block(float[] d, int o, float mean, float std) {
        for (int j = 0; j < 8; j++) {
            float u1 = 1f - d[o + j];
            float u2 = d[o + j + 8];
            float radius = (float) Math.sqrt(-2f * log(u1));
            float theta = TWO_PI * u2;
            d[o + j] = Math.fma(radius * cos(theta), std, mean);
            d[o + j + 8] = Math.fma(radius * sin(theta), std, mean);
        }
    }

    /** {@code log256_ps} for one lane; u is in (0, 1]. */
    static float log(float x) {
        if (x <= 0f) {
            return Float.NaN;
        }
        x = Math.max(x, Float.intBitsToFloat(0x00800000));
        int bits = Float.floatToRawIntBits(x);
        float e = (float) ((bits >>> 23) - 0x7f) + 1f;
        x = Float.intBitsToFloat((bits & ~0x7f800000) | Float.floatToRawIntBits(0.5f));
        boolean small = x < 0.707106781186547524f;
        float tmp = small ? x : 0f;
        x = x - 1f;
        e = e - (small ? 1f : 0f);
        x = x + tmp;
        float z = x * x;
        float y = 7.0376836292E-2f;
        y = Math.fma(y, x, -1.1514610310E-1f);
        y = Math.fma(y, x, 1.1676998740E-1f);
        y = Math.fma(y, x, -1.2420140846E-1f);
        y = Math.fma(y, x, 1.4249322787E-1f);
        y = Math.fma(y, x, -1.6668057665E-1f);
        y = Math.fma(y, x, 2.0000714765E-1f);
        y = Math.fma(y, x, -2.4999993993E-1f);
        y = Math.fma(y, x, 3.3333331174E-1f);
        y = y * x;
        y = Math.fma(y, z, e * -2.12194440e-4f);
        y = Math.fma(-z, 0.5f, y);
        x = x + y;
        return Math.fma(e, 0.693359375f, x);
    }

    static float sin(float x) {
        return sincos(x, true);
    }

    static float cos(float x) {
        return sincos(x, false);
    }

    /** One lane of {@code sincos256_ps}. */
    private static float sincos(float xin, boolean wantSin) {
        float x = Math.abs(xin);
        int signSin = Float.floatToRawIntBits(xin) & 0x80000000;
        int j = ((int) (x * 1.27323954473516f) + 1) & ~1;
        float y = (float) j;
        signSin ^= (j & 4) << 29;
        int signCos = (~(j - 2) & 4) << 29;
        boolean sinPoly = (j & 2) == 0;
        x = Math.fma(y, -0.78515625f, x);
        x = Math.fma(y, -2.4187564849853515625e-4f, x);
        x = Math.fma(y, -3.77489497744594108e-8f, x);
        float z = x * x;
        float c = 2.443315711809948E-005f;
        c = Math.fma(c, z, -1.388731625493765E-003f);
        c = Math.fma(c, z, 4.166664568298827E-002f);
        c = c * z;
        c = Math.fma(c, z, -(z * 0.5f));
        c = c + 1f;
        float s = -1.9515295891E-4f;
        s = Math.fma(s, z, 8.3321608736E-3f);
        s = Math.fma(s, z, -1.6666654611E-1f);
        s = s * z;
        s = Math.fma(s, x, x);
        if (wantSin) {
            float v = sinPoly ? s : c;
            return Float.intBitsToFloat(Float.floatToRawIntBits(v) ^ signSin);
        }
        float v = sinPoly ? c : s;
        return Float.intBitsToFloat(Float.floatToRawIntBits(v) ^ signCos);
    }
}
