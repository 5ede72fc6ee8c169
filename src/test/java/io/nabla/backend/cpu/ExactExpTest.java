package io.nabla.backend.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import io.nabla.backend.ElementwiseMath;
import java.nio.FloatBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * {@link ExactExp} gives exactly {@code (float) Math.exp(x)}, {@code (float) ElementwiseMath.sigmoid(x)},
 * {@code (float) ElementwiseMath.silu(x)} and {@code (float) Math.tanh(x)}, and {@link ExactGelu}
 * {@code (float) ElementwiseMath.gelu(x)} and {@code (float) ElementwiseMath.geluTanh(x)}: on a sample of every float bit pattern
 * (each 4099th, about a million), on the edges of its polynomial range and special values, and across block
 * boundaries of the buffer entry points; the silu, gelu and tanh-gelu gradients also over gradients from tiny to near the float
 * overflow.
 * Bit for bit means {@link Float#floatToIntBits}: every NaN counts as one (payloads differ between compiled and
 * interpreted code, as in the conformance tests). Every one of the 2^32 floats, for each op:
 * {@code ./mvnw test -Dtest=ExactExpTest -Dnabla.exhaustive=true} (about 27 minutes on the development machine).
 */
class ExactExpTest {

    private static final int BLOCK = 1024;

    /** The ops: what the fast path computes on a block, and the reference it must equal. */
    enum Op {
        EXP, SIGMOID, SILU, TANH, GELU, GELU_TANH;

        void fast(float[] x, float[] y, double[] t, double[] p, int n) {
            switch (this) {
                case EXP -> ExactExp.block(x, y, t, p, n);
                case SIGMOID -> ExactExp.sigmoidBlock(x, y, t, p, n);
                case SILU -> ExactExp.siluBlock(x, y, t, p, n);
                case TANH -> ExactExp.tanhBlock(x, y, t, p, n);
                case GELU -> ExactGelu.geluBlock(x, y, t, p, new double[n], n);
                case GELU_TANH -> ExactGelu.geluTanhBlock(x, y, t, p, n);
            }
        }

        float reference(float x) {
            return (float) switch (this) {
                case EXP -> Math.exp(x);
                case SIGMOID -> ElementwiseMath.sigmoid(x);
                case SILU -> ElementwiseMath.silu(x);
                case TANH -> Math.tanh(x);
                case GELU -> ElementwiseMath.gelu(x);
                case GELU_TANH -> ElementwiseMath.geluTanh(x);
            };
        }
    }

    @Test
    void aSampleOfAllFloatsMatchesTheReferenceBitForBit() {
        for (Op op : Op.values()) {
            assertAllMatch(op, 4099);
        }
    }

    @Test
    @EnabledIfSystemProperty(named = "nabla.exhaustive", matches = "true",
            disabledReason = "exhaustive run only on request: -Dnabla.exhaustive=true (a few minutes)")
    void everyFloatMatchesTheReferenceBitForBit() {
        for (Op op : Op.values()) {
            if (chosen(op.name())) {
                assertAllMatch(op, 1);
            }
        }
    }

    /** Whether the exhaustive runs take op {@code name}: all, or those listed in -Dnabla.exhaustive.ops=GELU,... */
    static boolean chosen(String name) {
        String ops = System.getProperty("nabla.exhaustive.ops", "");
        return ops.isEmpty() || java.util.Arrays.asList(ops.split(",")).contains(name);
    }

    @Test
    void edgesAndSpecialValues() {
        float[] v = {0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE,
            -Float.MIN_VALUE, Float.MIN_NORMAL, Float.MAX_VALUE, -Float.MAX_VALUE, 1f, -1f, 0.5f, -0.5f,
            0.34657359f, -0.34657359f, 0.3465736f, -87f, Math.nextDown(-87f), Math.nextUp(-87f), 88f,
            Math.nextUp(88f), Math.nextDown(88f), 88.72283f, 88.72284f, -103.97208f, -103.97209f, -87.33655f,
            (float) Math.log(2), (float) -Math.log(2), 1e-8f, -1e-8f, 20f, -20f, Math.nextUp(20f), 0.125f,
            Math.nextDown(0.125f), -0.125f, 9.010913f, -9.010913f, 1e-38f, -1e-38f,
            // gelu: |x / sqrt 2| = 6 (where 1 + erf saturates), the fallback threshold near -2.9, large |x|
            8.485281f, -8.485281f, Math.nextUp(8.485281f), Math.nextDown(8.485281f), -2.88f, -2.9f, -2.95f, 3f,
            -3f, 10f, -10f, 43.5f, -43.5f, 1e10f, -1e10f, 1e-30f, -1e-30f};
        float[] y = new float[v.length];
        for (Op op : Op.values()) {
            op.fast(v, y, new double[v.length], new double[v.length], v.length);
            for (int i = 0; i < v.length; i++) {
                float expected = op.reference(v[i]);
                assertThat(Float.floatToIntBits(y[i])).as("%s(%s) = %s, expected %s", op, v[i], y[i], expected)
                        .isEqualTo(Float.floatToIntBits(expected));
            }
        }
    }

    @Test
    void buffersOfAnyLengthAcrossBlocks() {
        for (int n : new int[] {0, 1, 5, BLOCK - 1, BLOCK, BLOCK + 1, 3 * BLOCK + 17}) {
            FloatBuffer x = direct(n);
            FloatBuffer y = direct(n);
            for (int i = 0; i < n; i++) {
                x.put(i, (float) Math.sin(i) * 30f);
                y.put(i, Float.NaN);
            }
            ExactExp.exp(x, y, n);
            for (int i = 0; i < n; i++) {
                assertThat(y.get(i)).as("exp n=%d, [%d]", n, i).isEqualTo((float) Math.exp(x.get(i)));
            }
            for (boolean silu : new boolean[] {false, true}) {
                ExactExp.sigmoid(silu, x, y, n);
                Op op = silu ? Op.SILU : Op.SIGMOID;
                for (int i = 0; i < n; i++) {
                    assertThat(y.get(i)).as("%s n=%d, [%d]", op, n, i).isEqualTo(op.reference(x.get(i)));
                }
            }
            ExactExp.tanh(x, y, n);
            for (int i = 0; i < n; i++) {
                assertThat(y.get(i)).as("tanh n=%d, [%d]", n, i).isEqualTo(Op.TANH.reference(x.get(i)));
            }
            ExactGelu.gelu(x, y, n);
            for (int i = 0; i < n; i++) {
                assertThat(y.get(i)).as("gelu n=%d, [%d]", n, i).isEqualTo(Op.GELU.reference(x.get(i)));
            }
            ExactGelu.geluTanh(x, y, n);
            for (int i = 0; i < n; i++) {
                assertThat(y.get(i)).as("gelu tanh n=%d, [%d]", n, i).isEqualTo(Op.GELU_TANH.reference(x.get(i)));
            }
        }
    }

    /** The gradients with a fast path: silu's ({@link ExactExp}) and gelu's ({@link ExactGelu}). */
    enum GradOp {
        SILU, GELU, GELU_TANH;

        void fast(float[] g, float[] x, float[] y, int n) {
            switch (this) {
                case SILU -> ExactExp.siluGradBlock(g, x, y, new double[n], new double[n], n);
                case GELU -> ExactGelu.geluGradBlock(g, x, y, new double[n], new double[n], new double[n], n);
                case GELU_TANH -> ExactGelu.geluTanhGradBlock(g, x, y, new double[n], new double[n], new double[n], n);
            }
        }

        void fast(FloatBuffer g, FloatBuffer x, FloatBuffer y, int n) {
            switch (this) {
                case SILU -> ExactExp.siluGrad(g, x, y, n);
                case GELU -> ExactGelu.geluGrad(g, x, y, n);
                case GELU_TANH -> ExactGelu.geluTanhGrad(g, x, y, n);
            }
        }

        float reference(float g, float x) {
            return (float) switch (this) {
                case SILU -> ElementwiseMath.siluGrad(g, x);
                case GELU -> ElementwiseMath.geluGrad(g, x);
                case GELU_TANH -> ElementwiseMath.geluTanhGrad(g, x);
            };
        }

        /** Where the gradient crosses zero (its factor cancels there). */
        float zero() {
            return switch (this) {
                case SILU -> -1.2784645f;
                case GELU -> -0.7517916f;
                case GELU_TANH -> -0.7524614f;
            };
        }
    }

    /** Gradients the fast gradients are checked with: ordinary, tiny, huge (near the float overflow), negative. */
    private static final float[] GRADIENTS = {1f, -0.37f, 3.5e-3f, 7.25f, -2e-30f, 1e30f, -3e38f, 1e-38f};

    @Test
    void gradientsOnASampleOfAllFloatsMatchTheReferenceBitForBit() {
        for (GradOp op : GradOp.values()) {
            for (float g : GRADIENTS) {
                assertGradMatches(op, g, 4099);
            }
        }
    }

    @Test
    @EnabledIfSystemProperty(named = "nabla.exhaustive", matches = "true",
            disabledReason = "exhaustive run only on request: -Dnabla.exhaustive=true (about 18 minutes)")
    void gradientsOnEveryFloatMatchTheReferenceBitForBit() {
        for (GradOp op : GradOp.values()) {
            for (float g : new float[] {1f, -0.37f}) {
                if (chosen(op.name() + "_GRAD")) {
                    assertGradMatches(op, g, 1);
                }
            }
        }
    }

    @Test
    void gradientsOnRandomPairsAndSpecialValues() {
        java.util.Random rnd = new java.util.Random(7);
        int n = 1 << 20;
        float[] g = new float[n];
        float[] x = new float[n];
        float[] special = {0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MAX_VALUE,
            -Float.MAX_VALUE, Float.MIN_VALUE, Float.MIN_NORMAL, -1.2784645f, -1.27846f, -1.2785f, 88f, -87f, 100f,
            -0.7517916f, -0.7524614f, 12f, Math.nextUp(12f), -12f, 8.485281f, -2.6f, 9.5f, -9.5f, 30f, -30f};
        for (int i = 0; i < n; i++) {
            g[i] = i % 97 == 0 ? special[rnd.nextInt(special.length)] : (float) (rnd.nextGaussian() * Math.exp(
                    rnd.nextGaussian() * 5));
            x[i] = i % 89 == 0 ? special[rnd.nextInt(special.length)] : (float) (rnd.nextGaussian() * 3);
        }
        FloatBuffer gb = direct(n);
        FloatBuffer xb = direct(n);
        FloatBuffer yb = direct(n);
        gb.put(0, g);
        xb.put(0, x);
        for (GradOp op : GradOp.values()) {
            assertGradMatches(op, g, x);
            op.fast(gb, xb, yb, n);
            for (int i = 0; i < n; i++) {
                float expected = op.reference(g[i], x[i]);
                assertThat(Float.floatToIntBits(yb.get(i))).as("%s'(g=%s, x=%s)", op, g[i], x[i])
                        .isEqualTo(Float.floatToIntBits(expected));
            }
        }
    }

    @Test
    void gradientsAroundTheirZero() {
        // the gradient's last factor crosses zero there (silu: 1 + x (1 - s); gelu: cdf + x pdf): every float
        // within 0.01 of it, where the cancellation makes the fast double differ from the reference's by far more
        // than the midpoint margin
        for (GradOp op : GradOp.values()) {
            float from = op.zero() - 0.01f;
            int n = Float.floatToIntBits(from) - Float.floatToIntBits(op.zero() + 0.01f);
            float[] x = new float[n];
            for (int i = 0; i < n; i++) {
                x[i] = Float.intBitsToFloat(Float.floatToIntBits(from) - i);
            }
            for (float g : GRADIENTS) {
                float[] gs = new float[n];
                java.util.Arrays.fill(gs, g);
                assertGradMatches(op, gs, x);
            }
        }
    }

    /** The gradient for every {@code stride}-th float x, with gradient g. */
    private static void assertGradMatches(GradOp op, float g, int stride) {
        float[] x = new float[BLOCK];
        float[] gs = new float[BLOCK];
        java.util.Arrays.fill(gs, g);
        int n = 0;
        for (long bits = 0; bits <= 0xFFFFFFFFL; bits += stride) {
            x[n++] = Float.intBitsToFloat((int) bits);
            if (n == BLOCK || bits + stride > 0xFFFFFFFFL) {
                assertGradMatches(op, java.util.Arrays.copyOf(gs, n), java.util.Arrays.copyOf(x, n));
                n = 0;
            }
        }
    }

    private static void assertGradMatches(GradOp op, float[] g, float[] x) {
        int n = x.length;
        float[] y = new float[n];
        for (int o = 0; o < n; o += BLOCK) {
            int m = Math.min(BLOCK, n - o);
            float[] yb = new float[m];
            op.fast(java.util.Arrays.copyOfRange(g, o, o + m), java.util.Arrays.copyOfRange(x, o, o + m), yb, m);
            System.arraycopy(yb, 0, y, o, m);
        }
        for (int i = 0; i < n; i++) {
            float expected = op.reference(g[i], x[i]);
            if (Float.floatToIntBits(y[i]) != Float.floatToIntBits(expected)) {
                fail(op + "'(g=" + g[i] + ", x=" + x[i] + ") = " + y[i] + ", expected the reference's " + expected);
            }
        }
    }

    private static FloatBuffer direct(int n) {
        return ByteBuffer.allocateDirect(Math.max(4, 4 * n)).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    /** Every {@code stride}-th float bit pattern, from 0 through 2^32 - 1. */
    private static void assertAllMatch(Op op, int stride) {
        float[] x = new float[BLOCK];
        float[] y = new float[BLOCK];
        double[] t = new double[BLOCK];
        double[] p = new double[BLOCK];
        int n = 0;
        for (long bits = 0; bits <= 0xFFFFFFFFL; bits += stride) {
            x[n++] = Float.intBitsToFloat((int) bits);
            if (n == BLOCK || bits + stride > 0xFFFFFFFFL) {
                op.fast(x, y, t, p, n);
                for (int i = 0; i < n; i++) {
                    float expected = op.reference(x[i]);
                    if (Float.floatToIntBits(y[i]) != Float.floatToIntBits(expected)) {
                        fail(op + "(" + x[i] + ") = " + y[i] + ", expected the reference's " + expected);
                    }
                }
                n = 0;
            }
        }
    }
}
