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
 * {@code (float) ElementwiseMath.silu(x)} and {@code (float) Math.tanh(x)}: on a sample of every float bit pattern
 * (each 4099th, about a million), on the edges of its polynomial range and special values, and across block
 * boundaries of the buffer entry points. Every one of the 2^32 floats, for each of the four:
 * {@code ./mvnw test -Dtest=ExactExpTest -Dnabla.exhaustive=true} (about 6 minutes on the development machine).
 */
class ExactExpTest {

    private static final int BLOCK = 1024;

    /** The three ops: what the fast path computes on a block, and the reference it must equal. */
    enum Op {
        EXP, SIGMOID, SILU, TANH;

        void fast(float[] x, float[] y, double[] t, double[] p, int n) {
            switch (this) {
                case EXP -> ExactExp.block(x, y, t, p, n);
                case SIGMOID -> ExactExp.sigmoidBlock(x, y, t, p, n);
                case SILU -> ExactExp.siluBlock(x, y, t, p, n);
                case TANH -> ExactExp.tanhBlock(x, y, t, p, n);
            }
        }

        float reference(float x) {
            return (float) switch (this) {
                case EXP -> Math.exp(x);
                case SIGMOID -> ElementwiseMath.sigmoid(x);
                case SILU -> ElementwiseMath.silu(x);
                case TANH -> Math.tanh(x);
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
            assertAllMatch(op, 1);
        }
    }

    @Test
    void edgesAndSpecialValues() {
        float[] v = {0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE,
            -Float.MIN_VALUE, Float.MIN_NORMAL, Float.MAX_VALUE, -Float.MAX_VALUE, 1f, -1f, 0.5f, -0.5f,
            0.34657359f, -0.34657359f, 0.3465736f, -87f, Math.nextDown(-87f), Math.nextUp(-87f), 88f,
            Math.nextUp(88f), Math.nextDown(88f), 88.72283f, 88.72284f, -103.97208f, -103.97209f, -87.33655f,
            (float) Math.log(2), (float) -Math.log(2), 1e-8f, -1e-8f, 20f, -20f, Math.nextUp(20f), 0.125f,
            Math.nextDown(0.125f), -0.125f, 9.010913f, -9.010913f, 1e-38f, -1e-38f};
        float[] y = new float[v.length];
        for (Op op : Op.values()) {
            op.fast(v, y, new double[v.length], new double[v.length], v.length);
            for (int i = 0; i < v.length; i++) {
                float expected = op.reference(v[i]);
                assertThat(Float.floatToRawIntBits(y[i])).as("%s(%s) = %s, expected %s", op, v[i], y[i], expected)
                        .isEqualTo(Float.floatToRawIntBits(expected));
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
                    if (Float.floatToRawIntBits(y[i]) != Float.floatToRawIntBits(expected)) {
                        fail(op + "(" + x[i] + ") = " + y[i] + ", expected the reference's " + expected);
                    }
                }
                n = 0;
            }
        }
    }
}
