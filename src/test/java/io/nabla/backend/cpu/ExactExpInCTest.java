package io.nabla.backend.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.nabla.backend.cpu.ExactExpTest.GradOp;
import io.nabla.backend.cpu.ExactExpTest.Op;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The C path of {@link ExactExp} and {@link ExactGelu} ({@link NativeLoops#expFamily}, taken for direct buffers where
 * the native loops are built and the CPU has FMA) gives the reference's floats bit for bit, as {@link ExactExpTest}
 * checks for the Java blocks: exp, sigmoid, silu, tanh, tanh-gelu and gelu on a sample of every float bit pattern (every one
 * with {@code -Dnabla.exhaustive=true}), the silu, tanh-gelu and gelu gradients over gradients from tiny to near the float
 * overflow and every float near their zero, runs of every length modulo 4 starting at every alignment, and results written over an input
 * (the elements left to the reference must still read their inputs).
 */
class ExactExpInCTest {

    private static final Op[] OPS = {Op.EXP, Op.SIGMOID, Op.SILU, Op.TANH, Op.GELU_TANH, Op.GELU};
    private static final GradOp[] GRADS = {GradOp.SILU, GradOp.GELU_TANH, GradOp.GELU};
    private static final int RUN = 1 << 16;

    @BeforeEach
    void needsTheNativeLoops() {
        assumeTrue(NativeLoops.expFamilyAvailable(), "the native loops are not built or this CPU lacks AVX2/FMA: "
                + "ExactExp runs its Java blocks (ExactExpTest)");
        assertThat(RawMemory.address(direct(4))).as("a direct buffer's address (else ExactExp stays in Java)")
                .isNotZero();
    }

    private static FloatBuffer direct(int n) {
        return ByteBuffer.allocateDirect(Math.max(4, 4 * n)).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    private static void run(Op op, FloatBuffer x, FloatBuffer y, int n) {
        switch (op) {
            case EXP -> ExactExp.exp(x, y, n);
            case SIGMOID -> ExactExp.sigmoid(false, x, y, n);
            case SILU -> ExactExp.sigmoid(true, x, y, n);
            case TANH -> ExactExp.tanh(x, y, n);
            case GELU_TANH -> ExactGelu.geluTanh(x, y, n);
            case GELU -> ExactGelu.gelu(x, y, n);
            default -> throw new IllegalArgumentException(op.toString());
        }
    }

    /** Every {@code stride}-th float bit pattern through the op, in runs of {@link #RUN}. */
    private static void assertAllMatch(Op op, int stride) {
        FloatBuffer x = direct(RUN);
        FloatBuffer y = direct(RUN);
        int n = 0;
        for (long bits = 0; bits <= 0xFFFFFFFFL; bits += stride) {
            x.put(n++, Float.intBitsToFloat((int) bits));
            if (n == RUN || bits + stride > 0xFFFFFFFFL) {
                run(op, x, y, n);
                for (int i = 0; i < n; i++) {
                    float expected = op.reference(x.get(i));
                    if (Float.floatToIntBits(y.get(i)) != Float.floatToIntBits(expected)) {
                        fail(op + " in C (" + x.get(i) + ") = " + y.get(i) + ", expected the reference's " + expected);
                    }
                }
                n = 0;
            }
        }
    }

    @Test
    void aSampleOfAllFloatsMatchesTheReferenceBitForBit() {
        for (Op op : OPS) {
            assertAllMatch(op, 4099);
        }
    }

    @Test
    @EnabledIfSystemProperty(named = "nabla.exhaustive", matches = "true",
            disabledReason = "exhaustive run only on request: -Dnabla.exhaustive=true")
    void everyFloatMatchesTheReferenceBitForBit() {
        for (Op op : OPS) {
            if (ExactExpTest.chosen(op.name())) {
                assertAllMatch(op, 1);
            }
        }
    }

    /** Every length modulo 4 from every alignment, written apart from and over the input, specials included. */
    @Test
    void runsOfEveryLengthAndAlignmentAlsoInPlace() {
        float[] special = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, 88f, -87f, 100f,
            -100f, 1e-30f, Float.MIN_VALUE, 20f, Math.nextUp(20f), 0.125f, Math.nextDown(0.125f), 88.72284f};
        Random rnd = new Random(5);
        for (Op op : OPS) {
            for (int n : new int[] {1, 2, 3, 4, 5, 7, 16, 19, 31, 33, 64, 1023, 1024, 1025, 2050}) {
                for (int shift = 0; shift < 4; shift++) {
                    float[] v = new float[n];
                    for (int i = 0; i < n; i++) {
                        v[i] = rnd.nextInt(8) == 0 ? special[rnd.nextInt(special.length)]
                                : (float) (rnd.nextGaussian() * 20);
                    }
                    for (boolean inPlace : new boolean[] {false, true}) {
                        FloatBuffer x = direct(n + 4).slice(shift, n);
                        x.put(0, v);
                        FloatBuffer y = inPlace ? x : direct(n + 4).slice(3 - shift, n);
                        run(op, x, y, n);
                        for (int i = 0; i < n; i++) {
                            float expected = op.reference(v[i]);
                            if (Float.floatToIntBits(y.get(i)) != Float.floatToIntBits(expected)) {
                                fail(op + " in C, n=" + n + " from float " + shift + (inPlace ? " in place" : "")
                                        + ", [" + i + "] (" + v[i] + ") = " + y.get(i) + ", expected " + expected);
                            }
                        }
                    }
                }
            }
        }
    }

    /** The gradient for every {@code stride}-th float x with gradient g, through buffers. */
    private static void assertGradMatches(GradOp op, float g, int stride) {
        FloatBuffer gs = direct(RUN);
        FloatBuffer x = direct(RUN);
        FloatBuffer y = direct(RUN);
        for (int i = 0; i < RUN; i++) {
            gs.put(i, g);
        }
        int n = 0;
        for (long bits = 0; bits <= 0xFFFFFFFFL; bits += stride) {
            x.put(n++, Float.intBitsToFloat((int) bits));
            if (n == RUN || bits + stride > 0xFFFFFFFFL) {
                assertGrad(op, gs, x, y, n, "");
                n = 0;
            }
        }
    }

    private static void assertGrad(GradOp op, FloatBuffer g, FloatBuffer x, FloatBuffer y, int n, String what) {
        float[] gv = new float[n];
        float[] xv = new float[n];
        g.get(0, gv);
        x.get(0, xv);
        op.fast(g, x, y, n);
        for (int i = 0; i < n; i++) {
            float expected = op.reference(gv[i], xv[i]);
            if (Float.floatToIntBits(y.get(i)) != Float.floatToIntBits(expected)) {
                fail(op + "' in C" + what + " (g=" + gv[i] + ", x=" + xv[i] + ") = " + y.get(i) + ", expected the"
                        + " reference's " + expected);
            }
        }
    }

    @Test
    void gradientsOnASampleOfAllFloatsMatchTheReferenceBitForBit() {
        for (GradOp op : GRADS) {
            for (float g : new float[] {1f, -0.37f, 3.5e-3f, 7.25f, -2e-30f, 1e30f, -3e38f, 1e-38f}) {
                assertGradMatches(op, g, 4099);
            }
        }
    }

    @Test
    @EnabledIfSystemProperty(named = "nabla.exhaustive", matches = "true",
            disabledReason = "exhaustive run only on request: -Dnabla.exhaustive=true")
    void gradientsOnEveryFloatMatchTheReferenceBitForBit() {
        for (GradOp op : GRADS) {
            for (float g : new float[] {1f, -0.37f}) {
                if (ExactExpTest.chosen(op.name() + "_GRAD")) {
                    assertGradMatches(op, g, 1);
                }
            }
        }
    }

    /** Every float within 0.01 of the gradient's zero (where its factor cancels), and written over x or over g. */
    @Test
    void gradientsAroundTheirZeroAndInPlace() {
        for (GradOp op : GRADS) {
            aroundTheZero(op);
        }
    }

    private static void aroundTheZero(GradOp op) {
        float zero = op.zero();
        float from = zero - 0.01f;
        int n = Float.floatToIntBits(from) - Float.floatToIntBits(zero + 0.01f);
        Random rnd = new Random(3);
        for (String over : new String[] {"", " over x", " over g"}) {
            FloatBuffer x = direct(n);
            FloatBuffer g = direct(n);
            for (int i = 0; i < n; i++) {
                x.put(i, Float.intBitsToFloat(Float.floatToIntBits(from) - i));
                g.put(i, (float) (rnd.nextGaussian() * Math.exp(rnd.nextGaussian() * 5)));
            }
            FloatBuffer y = over.equals(" over x") ? x : over.equals(" over g") ? g : direct(n);
            assertGrad(op, g, x, y, n, over);
        }
    }
}
