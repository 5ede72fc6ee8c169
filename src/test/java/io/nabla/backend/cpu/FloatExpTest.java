package io.nabla.backend.cpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link FloatExp} against {@link Math#exp} rounded to float: within 1 ulp everywhere, exact at the edges. */
class FloatExpTest {

    private static double ulps(float x) {
        float want = (float) Math.exp(x);
        float got = FloatExp.exp(x);
        if (want == got) {
            return 0;
        }
        return Math.abs((double) got - want) / Math.ulp(want);
    }

    @Test
    void withinOneUlpOverTheWholeRange() {
        Random rnd = new Random(3);
        double worst = 0;
        for (int i = 0; i < 2_000_000; i++) {
            float x = (float) (rnd.nextDouble() * 200 - 100);
            worst = Math.max(worst, ulps(x));
        }
        for (int bits = Float.floatToRawIntBits(-1f); bits > Float.floatToRawIntBits(-1e-7f); bits -= 997) {
            worst = Math.max(worst, ulps(Float.intBitsToFloat(bits)));
        }
        assertThat(worst).as("max error in ulps").isLessThanOrEqualTo(1.0);
    }

    @Test
    void edgesAndSpecialValues() {
        assertThat(FloatExp.exp(0f)).isEqualTo(1f);
        assertThat(FloatExp.exp(Float.NEGATIVE_INFINITY)).isEqualTo(0f);
        assertThat(FloatExp.exp(Float.POSITIVE_INFINITY)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(FloatExp.exp(Float.NaN)).isNaN();
        assertThat(FloatExp.exp(89f)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(FloatExp.exp(-104f)).isEqualTo((float) Math.exp(-104f));
        for (float x : new float[] {-87f, -86.99f, 87.99f, 88f, -87.5f, 88.5f, 1e-8f, -1e-8f}) {
            assertThat(ulps(x)).as("exp(%s)", x).isLessThanOrEqualTo(1.0);
        }
    }

    @Test
    void blockVersionIsBitIdenticalToTheScalarOne() {
        Random rnd = new Random(5);
        int n = 1000;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (rnd.nextDouble() * 170 - 84);
        }
        float shift = 2.5f;
        float[] out = new float[n];
        FloatExp.expShifted(x, shift, out, new float[n], n);
        for (int i = 0; i < n; i++) {
            assertThat(out[i]).as("exp(%s - %s)", x[i], shift).isEqualTo(FloatExp.exp(x[i] - shift));
        }
    }
}
