package io.nabla.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.math.BigDecimal;
import java.math.MathContext;
import org.junit.jupiter.api.Test;

/** {@link Erf} against its Taylor series evaluated in 60-digit decimal arithmetic. */
class ErfTest {

    private static final MathContext MC = new MathContext(60);
    private static final BigDecimal PI = new BigDecimal("3.14159265358979323846264338327950288419716939937510"
            + "58209749445923078164062862089986280348253421170679");
    private static final BigDecimal TWO_OVER_SQRT_PI = BigDecimal.valueOf(2).divide(PI.sqrt(MC), MC);

    /** erf(x) = 2/sqrt(pi) * sum_n (-1)^n x^(2n+1) / (n! (2n+1)), exact to far beyond double precision here. */
    private static double exactErf(double x) {
        BigDecimal bx = new BigDecimal(x);
        BigDecimal x2 = bx.multiply(bx, MC);
        BigDecimal term = bx; // (-1)^n x^(2n+1) / n!
        BigDecimal sum = BigDecimal.ZERO;
        BigDecimal negligible = new BigDecimal("1e-40");
        for (int n = 0; n < 400 && (n < 2 * x * x + 2 || term.abs().compareTo(sum.abs().multiply(negligible)) > 0); n++) {
            sum = sum.add(term.divide(BigDecimal.valueOf(2L * n + 1), MC), MC);
            term = term.multiply(x2, MC).divide(BigDecimal.valueOf(-(n + 1L)), MC);
        }
        return sum.multiply(TWO_OVER_SQRT_PI, MC).doubleValue();
    }

    @Test
    void withinOneUlpOfTheSeriesAcrossEveryBranch() {
        double[] special = {1e-300, 1e-20, 3.7e-9, 1e-3, 0.5, 0.84374, 0.84375, 0.84376, 1.0, 1.2499, 1.25, 1.2501,
                2.0, 2.857, 2.8572, 3.5, 4.5, 5.5, 5.99};
        for (double x : special) {
            check(x);
            check(-x);
        }
        for (double x = -5.9; x < 5.9; x += 0.0311) {
            check(x);
        }
    }

    private static void check(double x) {
        double want = exactErf(x);
        double got = Erf.erf(x);
        if (Math.abs(got - want) > Math.ulp(want)) {
            fail("erf(" + x + ") = " + got + ", exact " + want + " (" + Math.abs(got - want) / Math.ulp(want)
                    + " ulp)");
        }
    }

    @Test
    void specialValues() {
        assertThat(Erf.erf(0.0)).isEqualTo(0.0);
        assertThat(Double.doubleToRawLongBits(Erf.erf(-0.0))).isEqualTo(Double.doubleToRawLongBits(-0.0));
        assertThat(Erf.erf(Double.POSITIVE_INFINITY)).isEqualTo(1.0);
        assertThat(Erf.erf(Double.NEGATIVE_INFINITY)).isEqualTo(-1.0);
        assertThat(Erf.erf(Double.NaN)).isNaN();
        assertThat(Erf.erf(6.0)).isEqualTo(1.0);
        assertThat(Erf.erf(-30.0)).isEqualTo(-1.0);
        assertThat(Erf.erf(Double.MIN_VALUE)).isGreaterThanOrEqualTo(Double.MIN_VALUE);
    }
}
