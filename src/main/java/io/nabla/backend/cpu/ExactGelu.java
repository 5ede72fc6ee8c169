package io.nabla.backend.cpu;

import static io.nabla.backend.cpu.ExactExp.FLOAT_OVERFLOW_GUARD;
import static io.nabla.backend.cpu.ExactExp.MIN_NORMAL_FLOAT;

import io.nabla.backend.ElementwiseMath;
import java.nio.FloatBuffer;

/**
 * The FP32 {@code gelu} and tanh-approximated {@code gelu} ops and their gradients: exactly
 * {@code (float) ElementwiseMath.gelu(x)}, {@code (float) ElementwiseMath.geluTanh(x)},
 * {@code (float) ElementwiseMath.geluGrad(g, x)} and {@code (float) ElementwiseMath.geluTanhGrad(g, x)} (so bit for
 * bit what the reference backend gives), with the doubles computed by code that C2 vectorises and {@link ExactExp}'s
 * midpoint check deciding where they may be trusted.
 *
 * <p>The two ops are {@code (x / 2) * c} where {@code c} is {@code 1 + erf(x / sqrt 2)} or {@code 1 + tanh(inner)}, and the
 * reference computes {@code c} as written: for negative x, {@code erf} and {@code tanh} are close to -1 and the sum
 * cancels, so the reference's own double is only as good as {@code erf}'s or {@code tanh}'s absolute error there (at
 * most about 2.5 units of 2^-53 for values near -1) divided by {@code c}. Where
 * {@code c >= 2^-9} that is at most 1,792 units in the result's last place; the fast path's own error is a few
 * tens of units, so both stay inside {@link ExactExp#MARGIN} (4,096) and, where the fast double's low bits lie
 * farther than that from the float rounding midpoint, both round to the same float. Below {@code 2^-9} (x below
 * about -2.9, some 0.2% of standard normal arguments), for results that would be subnormal floats or come near the
 * float overflow, and for NaN, the reference decides.
 *
 * <p>The fast {@code c} has no cancellation: {@code 1 + tanh(u) = 2 / (1 + exp(-2u))} with {@link ExactExp}'s
 * polynomial {@code exp}, and {@code 1 + erf(z)} is {@code erfc(|z|)} for negative z and {@code 2 - erfc(z)} for
 * positive, where {@code erfc(w) = exp(-w^2) erfcx(w)} and the scaled complementary error function {@code erfcx} is
 * one polynomial of degree 34 in {@code w - 3} on [0, 6] (its Chebyshev series, computed with mpmath by
 * src/tools/erfcx_fit.py, which prints the constants; at most 4 units of 2^-53 relative error in FMA Horner form). For {@code |z| >= 6}, {@code erfc(z) < 2^-55}, so
 * {@code 2 - erfc} is 2 exactly, as the reference's {@code erf} is then 1.
 *
 * <p>Checked against the reference on every one of the 2^32 floats for both ops and for both gradients with g = 1
 * and g = -0.37 ({@code ExactExpTest} with {@code -Dnabla.exhaustive=true}; 2026-12-07, JDK 17.0.15: no difference),
 * and in the suite on a sample of a million, gradients from 1e-38 to 3e38 and every float within 0.01 of each
 * gradient's zero.
 *
 * <p>In C ({@link NativeLoops#expFamily}, AVX2 and FMA, for direct buffers where the native loops are built): both
 * tanh-gelus run the same double operations as here, as {@link ExactExp} does. Exact {@code gelu} and its gradient
 * take a faster route to the same floats: for |x| &lt;= 2 (95% of standard normal arguments) {@code 1 + erf} is one
 * polynomial in {@code x^2} (degree 14, Estrin's scheme, no {@code erfcx} and for the value no exp), trusted by the
 * same checks; the rest go through these blocks' operations, four vectors at a time. Its doubles differ from these
 * by a few units of 2^-53 where both are kept, so the floats are the reference's: {@code ExactExpInCTest} checks
 * every float (-Dnabla.exhaustive=true). See nabla_loops.h.
 */
final class ExactGelu {

    /** Where the fast path stops trusting itself: {@code c} below this is left to the reference, see above. */
    private static final double MIN_FACTOR = 0x1p-9;
    /** Beyond this |z|, {@code erfc(|z|)} is below 2^-55 and {@code 1 + erf(z)} is 2 (z &gt; 0) in double. */
    private static final double ERF_SATURATION = 6.0;
    /** The gradient's exp(-z^2) is clamped here (z^2 = 72.25, in the polynomial's range), beyond its trusted |x|. */
    private static final double GRAD_EXP_LIMIT = 8.5;
    /** The gradient is computed by the fast path only for |x| up to this (|z| &lt;= 8.49). */
    private static final float GRAD_MAX_ARGUMENT = 12f;
    /** The gradient's {@code cdf + x pdf} below this in magnitude is left to the reference, see geluGradBlock. */
    private static final double MIN_GRAD_FACTOR = 0x1p-5;
    /** The tanh-gelu gradient's sum is trusted where it is at least this times its error scale A, see its block. */
    private static final double MIN_TANH_GRAD_FACTOR = 0x1p-6;
    /** Arguments of the polynomial exp are clamped to this magnitude (its range; the clamped ends give 2 or fall back). */
    private static final double EXP_CLAMP = 87.0;

    // erfcx(3 + v) = sum Ej v^j for |v| <= 3
    private static final double E34 = 2.3069334014372258e-23;
    private static final double E33 = -1.3406941570508008e-22;
    private static final double E32 = -9.935884742434359e-22;
    private static final double E31 = 5.5646841553313426e-21;
    private static final double E30 = 3.0741198786781966e-20;
    private static final double E29 = -1.6745026453945213e-19;
    private static final double E28 = -3.9443772328943154e-19;
    private static final double E27 = 2.0324300117296484e-18;
    private static final double E26 = 8.055585723428144e-18;
    private static final double E25 = -4.145693295753667e-17;
    private static final double E24 = 2.541384899175605e-17;
    private static final double E23 = -1.6072188450697735e-16;
    private static final double E22 = 2.3402629095146456e-15;
    private static final double E21 = -1.1946936280783965e-14;
    private static final double E20 = 5.271972522542653e-14;
    private static final double E19 = -2.6738152739972117e-13;
    private static final double E18 = 1.367431984512322e-12;
    private static final double E17 = -6.70618704663126e-12;
    private static final double E16 = 3.230245920130771e-11;
    private static final double E15 = -1.5372374312797454e-10;
    private static final double E14 = 7.198864294832564e-10;
    private static final double E13 = -3.312986338662436e-09;
    private static final double E12 = 1.497764503490401e-08;
    private static final double E11 = -6.646673294839119e-08;
    private static final double E10 = 2.8926671643299784e-07;
    private static final double E9 = -1.2333678340733513e-06;
    private static final double E8 = 5.146436535090698e-06;
    private static final double E7 = -2.0989464400871262e-05;
    private static final double E6 = 8.355413963962249e-05;
    private static final double E5 = -0.00032412554451572274;
    private static final double E4 = 0.0012230390523744906;
    private static final double E3 = -0.0044794310183697604;
    private static final double E2 = 0.01588437115987153;
    private static final double E1 = -0.054372260007173;
    private static final double E0 = 0.17900115118138996;

    private ExactGelu() {
    }

    /** {@code y[i] = (float) ElementwiseMath.gelu(x[i])} for {@code i < n} (unit stride, absolute indices from 0). */
    static void gelu(FloatBuffer x, FloatBuffer y, int n) {
        if (ExactExp.inC(NativeLoops.GELU, x, null, y, n)) {
            return;
        }
        ExactExp.blocks(x, null, y, n, (b, m) -> geluBlock(b.in, b.out, b.t, b.p, b.q, m));
    }

    /** {@code y[i] = (float) ElementwiseMath.geluGrad(g[i], x[i])} for {@code i < n} (unit stride). */
    static void geluGrad(FloatBuffer g, FloatBuffer x, FloatBuffer y, int n) {
        if (ExactExp.inC(NativeLoops.GELU_GRAD, x, g, y, n)) {
            return;
        }
        ExactExp.blocks(x, g, y, n, (b, m) -> geluGradBlock(b.in2, b.in, b.out, b.t, b.p, b.q, m));
    }

    /** {@code y[i] = (float) ElementwiseMath.geluTanhGrad(g[i], x[i])} for {@code i < n} (unit stride). */
    static void geluTanhGrad(FloatBuffer g, FloatBuffer x, FloatBuffer y, int n) {
        if (ExactExp.inC(NativeLoops.GELU_TANH_GRAD, x, g, y, n)) {
            return;
        }
        ExactExp.blocks(x, g, y, n, (b, m) -> geluTanhGradBlock(b.in2, b.in, b.out, b.t, b.p, b.q, m));
    }

    /** {@code y[i] = (float) ElementwiseMath.geluTanh(x[i])} for {@code i < n} (unit stride). */
    static void geluTanh(FloatBuffer x, FloatBuffer y, int n) {
        if (ExactExp.inC(NativeLoops.GELU_TANH, x, null, y, n)) {
            return;
        }
        ExactExp.blocks(x, null, y, n, (b, m) -> geluTanhBlock(b.in, b.out, b.t, b.p, m));
    }

    /** {@code y[i] = (float) ElementwiseMath.gelu(x[i])} for {@code i < n}; {@code t}, {@code p} and {@code q} are scratch. */
    static void geluBlock(float[] x, float[] y, double[] t, double[] p, double[] q, int n) {
        expAndErfcx(x, t, p, q, n, ERF_SATURATION);
        for (int i = 0; i < n; i++) {
            t[i] = x[i];
        }
        for (int i = 0; i < n; i++) {
            double c = onePlusErf(t[i], p[i] * q[i]);
            p[i] = c;
            t[i] = t[i] * 0.5 * c; // the reference's order: x * 0.5 * (1 + erf)
        }
        finish(x, y, t, p, n, false);
    }

    /**
     * {@code y[i] = (float) ElementwiseMath.geluGrad(g[i], x[i])} for {@code i < n}: {@code g (cdf + x pdf)} with
     * {@code cdf = (1 + erf(z)) / 2} as in {@link #geluBlock} and {@code pdf = exp(-z^2) / sqrt(2 pi)}. The sum
     * cancels near its zero at x = -0.75, and the reference's terms carry about 5 units of 2^-53 of absolute error
     * (its {@code 1 + erf} as above), the fast ones about 15: trusted only where the sum is at least 2^-5 in
     * magnitude (their difference then stays within 640 units of the result's last place, a third of the margin)
     * and |x| &lt;= 12 (where {@code exp(-z^2)} is in the polynomial's range); elsewhere, about 5% of standard
     * normal arguments (x below about -2.6 and around -0.75), the reference decides. {@code t}, {@code p} and
     * {@code q} are scratch.
     */
    static void geluGradBlock(float[] g, float[] x, float[] y, double[] t, double[] p, double[] q, int n) {
        expAndErfcx(x, t, p, q, n, GRAD_EXP_LIMIT);
        for (int i = 0; i < n; i++) {
            t[i] = x[i];
        }
        for (int i = 0; i < n; i++) {
            double e = p[i];
            double cdf = 0.5 * onePlusErf(t[i], e * q[i]);
            p[i] = cdf + t[i] * (e * ElementwiseMath.NORMAL_PDF0); // the reference's order: cdf + x * pdf
        }
        for (int i = 0; i < n; i++) {
            q[i] = g[i];
        }
        for (int i = 0; i < n; i++) {
            t[i] = q[i] * p[i]; // g * (cdf + x * pdf)
        }
        for (int i = 0; i < n; i++) {
            double d = t[i];
            float xi = x[i];
            if (Math.abs(xi) <= GRAD_MAX_ARGUMENT && Math.abs(p[i]) >= MIN_GRAD_FACTOR && trusted(d)) {
                y[i] = (float) d;
            } else {
                y[i] = (float) ElementwiseMath.geluGrad(g[i], xi);
            }
        }
    }

    /**
     * For {@code z = x[i] / sqrt 2}: {@code p[i] = exp(-min(|z|, expLimit)^2)} and {@code q[i] = erfcx(min(|z|, 6))}
     * ({@code t} is scratch), so that {@code p[i] * q[i]} is {@code erfc(|z|)} for |z| &lt;= 6 and below 2^-55
     * beyond. The polynomial runs in three loops of a dozen steps: C2 unrolls, and so vectorises, only loops with a
     * small body (one loop of all 35 steps ran scalar, slower than the reference).
     */
    private static void expAndErfcx(float[] x, double[] t, double[] p, double[] q, int n, double expLimit) {
        for (int i = 0; i < n; i++) {
            t[i] = x[i];
        }
        for (int i = 0; i < n; i++) {
            double a = Math.abs(t[i] * ElementwiseMath.SQRT1_2);
            double w = Math.min(a, expLimit);
            q[i] = Math.min(a, ERF_SATURATION);
            t[i] = -(w * w);
        }
        ExactExp.polynomial(t, p, n);
        for (int i = 0; i < n; i++) {
            p[i] = ExactExp.scaled(t[i], p[i]);
        }
        for (int i = 0; i < n; i++) {
            double v = q[i] - 3.0;
            double h = Math.fma(E34, v, E33);
            h = Math.fma(h, v, E32);
            h = Math.fma(h, v, E31);
            h = Math.fma(h, v, E30);
            h = Math.fma(h, v, E29);
            h = Math.fma(h, v, E28);
            h = Math.fma(h, v, E27);
            h = Math.fma(h, v, E26);
            h = Math.fma(h, v, E25);
            h = Math.fma(h, v, E24);
            t[i] = Math.fma(h, v, E23);
        }
        for (int i = 0; i < n; i++) {
            double v = q[i] - 3.0;
            double h = Math.fma(t[i], v, E22);
            h = Math.fma(h, v, E21);
            h = Math.fma(h, v, E20);
            h = Math.fma(h, v, E19);
            h = Math.fma(h, v, E18);
            h = Math.fma(h, v, E17);
            h = Math.fma(h, v, E16);
            h = Math.fma(h, v, E15);
            h = Math.fma(h, v, E14);
            h = Math.fma(h, v, E13);
            h = Math.fma(h, v, E12);
            t[i] = Math.fma(h, v, E11);
        }
        for (int i = 0; i < n; i++) {
            double v = q[i] - 3.0;
            double h = Math.fma(t[i], v, E10);
            h = Math.fma(h, v, E9);
            h = Math.fma(h, v, E8);
            h = Math.fma(h, v, E7);
            h = Math.fma(h, v, E6);
            h = Math.fma(h, v, E5);
            h = Math.fma(h, v, E4);
            h = Math.fma(h, v, E3);
            h = Math.fma(h, v, E2);
            h = Math.fma(h, v, E1);
            h = Math.fma(h, v, E0);
            q[i] = h;
        }
    }

    /**
     * {@code 1 + erf(x / sqrt 2)} from {@code erfc = erfc(|x / sqrt 2|)}: {@code erfc} for x &lt;= 0, {@code 2 - erfc}
     * for x &gt; 0, without a branch on the sign (random signs made a branch cost as much as the rest): {@code h} is
     * 0 for x &lt;= 0 and 1 for x &gt; 0 (the product overflows to infinity or stays at most 0), so the result is
     * {@code erfc} exactly or {@code 2 - erfc} rounded once. NaN gives NaN.
     */
    private static double onePlusErf(double x, double erfc) {
        double h = Math.min(1.0, Math.max(0.0, x * 0x1p1000));
        return Math.fma(1.0 - 2.0 * h, erfc, 2.0 * h);
    }

    /** {@code y[i] = (float) ElementwiseMath.geluTanh(x[i])} for {@code i < n}; {@code t} and {@code p} are scratch. */
    static void geluTanhBlock(float[] x, float[] y, double[] t, double[] p, int n) {
        for (int i = 0; i < n; i++) {
            t[i] = x[i];
        }
        for (int i = 0; i < n; i++) {
            double xd = t[i];
            // the reference's inner argument, operation for operation, then -2 * inner for exp
            double inner = ElementwiseMath.GELU_TANH_BETA * (xd + ElementwiseMath.GELU_TANH_KAPPA * xd * xd * xd);
            t[i] = Math.max(-EXP_CLAMP, Math.min(EXP_CLAMP, -2.0 * inner));
        }
        ExactExp.polynomial(t, p, n);
        for (int i = 0; i < n; i++) {
            p[i] = 2.0 / (1.0 + ExactExp.scaled(t[i], p[i])); // 1 + tanh(inner)
        }
        for (int i = 0; i < n; i++) {
            t[i] = x[i];
        }
        for (int i = 0; i < n; i++) {
            t[i] = 0.5 * t[i] * p[i]; // the reference's order: 0.5 * x * (1 + tanh)
        }
        finish(x, y, t, p, n, true);
    }

    /**
     * {@code y[i] = (float) d[i]} where the fast double {@code d[i]}, with factor {@code c[i]}, is trusted; the
     * reference ({@code geluTanh} when {@code tanh}, else {@code gelu}) elsewhere.
     */
    private static void finish(float[] x, float[] y, double[] d, double[] c, int n, boolean tanh) {
        for (int i = 0; i < n; i++) {
            double di = d[i];
            if (c[i] >= MIN_FACTOR && trusted(di)) {
                y[i] = (float) di;
            } else {
                y[i] = (float) (tanh ? ElementwiseMath.geluTanh(x[i]) : ElementwiseMath.gelu(x[i]));
            }
        }
    }

    /**
     * {@code y[i] = (float) ElementwiseMath.geluTanhGrad(g[i], x[i])} for {@code i < n}:
     * {@code g ((1 + t) / 2 + (x / 2) (1 - t^2) beta (1 + 3 kappa x^2))} with {@code t = tanh(inner)}. The fast
     * path computes {@code 1 + t} and {@code 1 - t^2 = 4e / (1 + e)^2} from {@code e = exp(-2 |inner|)}, so neither
     * cancels; the reference's cancel for large |inner|, with absolute errors of about 2 and 6 units of 2^-53
     * times their coefficients. With {@code A = 0.6 + |(x / 2) beta (1 + 3 kappa x^2)|}, the reference's double lies
     * within about {@code 3 A} units of 2^-53 of the exact sum and the fast one within about {@code 9 A} (its
     * {@code 1 - t^2} carries some 5 units of relative error, the products' roundings and {@code coefficient} 3 more),
     * so it is trusted where the sum is at least {@code A / 64}: they then differ by at most about 768 units in the
     * sum's last place, under a fifth of the margin. All but about 2.7% of standard normal arguments (x below about
     * -3.1, around the zero near -0.75, and above about 12) are kept; with {@code A / 32} (until 2026-12-07) 5.4% went
     * to the reference. {@code t}, {@code p} and {@code q} are scratch.
     */
    static void geluTanhGradBlock(float[] g, float[] x, float[] y, double[] t, double[] p, double[] q, int n) {
        for (int i = 0; i < n; i++) {
            t[i] = x[i];
        }
        for (int i = 0; i < n; i++) {
            double xd = t[i];
            double x2 = xd * xd;
            // the reference's inner argument, operation for operation
            double inner = ElementwiseMath.GELU_TANH_BETA * (xd + ElementwiseMath.GELU_TANH_KAPPA * x2 * xd);
            q[i] = inner;
            t[i] = Math.max(-EXP_CLAMP, -2.0 * Math.abs(inner));
        }
        ExactExp.polynomial(t, p, n);
        for (int i = 0; i < n; i++) {
            p[i] = ExactExp.scaled(t[i], p[i]); // e = exp(-2 |inner|)
        }
        for (int i = 0; i < n; i++) {
            t[i] = x[i];
        }
        for (int i = 0; i < n; i++) {
            double xd = t[i];
            double e = p[i];
            double inv = 1.0 / (1.0 + e);
            double h = Math.min(1.0, Math.max(0.0, q[i] * 0x1p1000)); // 1 for inner > 0, else 0
            double onePlusT = 2.0 * inv * (h + (1.0 - h) * e); // 2 / (1 + e) or 2e / (1 + e)
            double oneMinusT2 = 4.0 * e * inv * inv;
            double x2 = xd * xd;
            double left = 0.5 * xd;
            double coefficient = ElementwiseMath.GELU_TANH_BETA * (1.0 + 3.0 * ElementwiseMath.GELU_TANH_KAPPA * x2);
            p[i] = 0.5 * onePlusT + left * oneMinusT2 * coefficient; // the reference's order
            q[i] = 0.6 + Math.abs(left * coefficient);
        }
        for (int i = 0; i < n; i++) {
            t[i] = g[i];
        }
        for (int i = 0; i < n; i++) {
            t[i] = t[i] * p[i]; // g * (leftDerivative + rightDerivative)
        }
        for (int i = 0; i < n; i++) {
            double d = t[i];
            if (Math.abs(p[i]) >= q[i] * MIN_TANH_GRAD_FACTOR && trusted(d)) {
                y[i] = (float) d;
            } else {
                y[i] = (float) ElementwiseMath.geluTanhGrad(g[i], x[i]);
            }
        }
    }

    /** A normal float result, away from the overflow, whose low bits lie outside the midpoint margin. */
    private static boolean trusted(double d) {
        double a = Math.abs(d);
        return a >= MIN_NORMAL_FLOAT && a <= FLOAT_OVERFLOW_GUARD
                && !ExactExp.nearMidpoint(Double.doubleToRawLongBits(d) & 0x1FFFFFFFL);
    }
}
