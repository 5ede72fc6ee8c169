package io.nabla.backend.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * {@link ExactExp} gives exactly {@code (float) Math.exp(x)}: on a sample of every float bit pattern (each 4099th,
 * about a million), on the edges of its polynomial range and special values, and across block boundaries of the
 * buffer entry point. Every one of the 2^32 floats (about a minute):
 * {@code ./mvnw test -Dtest=ExactExpTest -Dnabla.exhaustive=true}.
 */
class ExactExpTest {

    private static final int BLOCK = 1024;

    @Test
    void aSampleOfAllFloatsMatchesMathExpBitForBit() {
        assertAllMatch(4099);
    }

    @Test
    @EnabledIfSystemProperty(named = "nabla.exhaustive", matches = "true",
            disabledReason = "exhaustive run only on request: -Dnabla.exhaustive=true (about a minute)")
    void everyFloatMatchesMathExpBitForBit() {
        assertAllMatch(1);
    }

    @Test
    void edgesAndSpecialValues() {
        float[] v = {0f, -0f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MIN_VALUE,
            -Float.MIN_VALUE, Float.MIN_NORMAL, Float.MAX_VALUE, -Float.MAX_VALUE, 1f, -1f, 0.5f, -0.5f,
            0.34657359f, -0.34657359f, 0.3465736f, -87f, Math.nextDown(-87f), Math.nextUp(-87f), 88f,
            Math.nextUp(88f), Math.nextDown(88f), 88.72283f, 88.72284f, -103.97208f, -103.97209f, -87.33655f,
            (float) Math.log(2), (float) -Math.log(2), 1e-8f, -1e-8f, 20f, -20f};
        float[] y = new float[v.length];
        ExactExp.block(v, y, new double[v.length], new double[v.length], v.length);
        for (int i = 0; i < v.length; i++) {
            float expected = (float) Math.exp(v[i]);
            assertThat(Float.floatToRawIntBits(y[i])).as("exp(%s) = %s, expected %s", v[i], y[i], expected)
                    .isEqualTo(Float.floatToRawIntBits(expected));
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
                assertThat(y.get(i)).as("n=%d, [%d]", n, i).isEqualTo((float) Math.exp(x.get(i)));
            }
        }
    }

    private static FloatBuffer direct(int n) {
        return ByteBuffer.allocateDirect(Math.max(4, 4 * n)).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    /** Every {@code stride}-th float bit pattern, from 0 through 2^32 - 1. */
    private static void assertAllMatch(int stride) {
        float[] x = new float[BLOCK];
        float[] y = new float[BLOCK];
        double[] t = new double[BLOCK];
        double[] p = new double[BLOCK];
        int n = 0;
        for (long bits = 0; bits <= 0xFFFFFFFFL; bits += stride) {
            x[n++] = Float.intBitsToFloat((int) bits);
            if (n == BLOCK || bits + stride > 0xFFFFFFFFL) {
                ExactExp.block(x, y, t, p, n);
                for (int i = 0; i < n; i++) {
                    float expected = (float) Math.exp(x[i]);
                    if (Float.floatToRawIntBits(y[i]) != Float.floatToRawIntBits(expected)) {
                        fail("exp(" + x[i] + ") = " + y[i] + ", expected (float) Math.exp = " + expected);
                    }
                }
                n = 0;
            }
        }
    }
}
