package io.nabla.backend.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.nabla.backend.BinaryOp;
import io.nabla.backend.DType;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The AVX2 loops of {@link NativeLoops} against Java's own float arithmetic, bit for bit: every op, with ordinary
 * and non-temporal stores, lengths around the 16-float step and the run threshold, every misalignment of the result
 * (the streaming stores start at its first 32-byte boundary), written over either operand, and special values.
 * The sum within its tolerance of the exact sum. Also the OpenBLAS add/sub loop ({@link BlasLoops#axpy}) that the backend uses where the library is absent.
 */
class NativeLoopsTest {

    private static final BinaryOp[] OPS = {BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL, BinaryOp.DIV};
    private static final int[] LENGTHS = {NativeLoops.MIN_RUN, 65, 79, 80, 81, 1000, 4099, 65_536 + 37};

    @Test
    void theLibraryLoadsWhereTheBuildBuiltIt() {
        assumeTrue(Boolean.getBoolean("nabla.native-loops"), "the native-loops profile did not run (no /usr/bin/g++"
                + " on the build machine, or turned off): the engine uses its Java and OpenBLAS loops");
        assertThat(NativeLoops.available()).as("NativeLoops loaded (libjniNativeLoops.so built by the native-loops"
                + " profile) on an AVX2 CPU").isTrue();
    }

    @Test
    void everyOpMatchesJavaBitForBit() {
        assumeTrue(NativeLoops.available(), "the native loops are not built or this CPU lacks AVX2");
        for (BinaryOp op : OPS) {
            for (boolean stream : new boolean[] {false, true}) {
                for (int n : LENGTHS) {
                    for (int shift = 0; shift < 8; shift++) {
                        for (String over : new String[] {"new", "a", "b"}) {
                            check(op, stream, n, shift, over);
                        }
                    }
                }
            }
        }
    }

    private static void check(BinaryOp op, boolean stream, int n, int shift, String over) {
        String what = op + (stream ? " streamed" : "") + " n=" + n + " result shifted by " + shift + " floats"
                + (over.equals("new") ? "" : " written over " + over);
        try (TensorScope scope = TensorScope.open()) {
            Random rnd = new Random(what.hashCode());
            float[] va = values(rnd, n + 8);
            float[] vb = values(rnd, n + 8);
            float[] expected = new float[n];
            for (int i = 0; i < n; i++) {
                expected[i] = java(op, va[shift + i], vb[shift + i]);
            }
            Tensor a = Tensor.of(va, n + 8);
            Tensor b = Tensor.of(vb, n + 8);
            Tensor y = over.equals("a") ? a : over.equals("b") ? b : Tensor.of(new float[n + 8], n + 8);
            long off = 4L * shift;
            assertThat(NativeLoops.binary(NativeLoops.code(op), a.memory().address() + off,
                    b.memory().address() + off, y.memory().address() + off, n, stream)).as(what).isTrue();
            float[] actual = y.toFloatArray();
            for (int i = 0; i < n; i++) {
                if (Float.compare(actual[shift + i], expected[i]) != 0) {
                    fail(what + ": [" + i + "] = " + actual[shift + i] + ", expected " + expected[i]);
                }
            }
        }
    }

    /**
     * The sum against the exact sum (in double, of floats that cannot overflow it): within {@code 1e-6} of the sum
     * of magnitudes, for lengths around its 128-float blocks and every misalignment; NaN and infinities as Java's
     * double sum gives them.
     */
    @Test
    void sumIsWithinItsToleranceOfTheExactSum() {
        assumeTrue(NativeLoops.available(), "the native loops are not built or this CPU lacks AVX2");
        float[] specials = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -0f, Float.MIN_VALUE};
        for (int n : new int[] {NativeLoops.MIN_RUN, 127, 128, 129, 255, 1000, 65_536 + 37}) {
            for (int shift = 0; shift < 8; shift++) {
                for (int special = -1; special < specials.length; special++) {
                    String what = "sum n=" + n + " shifted by " + shift + (special < 0 ? "" : " with " + specials[special]);
                    try (TensorScope scope = TensorScope.open()) {
                        Random rnd = new Random(what.hashCode());
                        float[] v = new float[n + 8];
                        double exact = 0;
                        double magnitude = 0;
                        for (int i = 0; i < v.length; i++) {
                            v[i] = (float) (rnd.nextGaussian() * 1000);
                        }
                        if (special >= 0) {
                            v[shift + rnd.nextInt(n)] = specials[special];
                        }
                        for (int i = shift; i < shift + n; i++) {
                            exact += v[i];
                            magnitude += Math.abs(v[i]);
                        }
                        Tensor t = Tensor.of(v, n + 8);
                        double actual = NativeLoops.sum(t.memory().address() + 4L * shift, n);
                        if (Double.isNaN(exact) || Double.isInfinite(exact)) {
                            assertThat(Double.compare(actual, exact)).as(what + ": " + actual).isZero();
                        } else {
                            assertThat(Math.abs(actual - exact)).as(what + ": " + actual + " against " + exact)
                                    .isLessThanOrEqualTo(1e-6 * magnitude);
                        }
                    }
                }
            }
        }
    }

    /** Four runs summed at once give each run's {@link NativeLoops#sum} bit for bit, whatever their lengths. */
    @Test
    void fourRunsAtOnceGiveEachRunsSum() {
        assumeTrue(NativeLoops.available(), "the native loops are not built or this CPU lacks AVX2");
        int[][] lengths = {{65_536, 65_536, 65_536, 65_536}, {64, 1000, 129, 65_536 + 37}, {0, 0, 0, 0},
            {128, 0, 255, 127}, {5000, 5000, 0, 64}};
        Random rnd = new Random(12);
        try (TensorScope scope = TensorScope.open()) {
            Tensor t = Tensor.of(randomFloats(rnd, 300_000), 300_000);
            Tensor out = Tensor.zeros(DType.FP64, 4);
            for (int[] n : lengths) {
                long[] a = new long[4];
                for (int k = 0; k < 4; k++) {
                    a[k] = t.memory().address() + 4L * rnd.nextInt(300_000 - 65_536 - 40);
                }
                NativeLoops.sum4(a[0], a[1], a[2], a[3], n[0], n[1], n[2], n[3], out.memory().address());
                double[] got = out.toDoubleArray();
                for (int k = 0; k < 4; k++) {
                    double expected = n[k] == 0 ? 0 : NativeLoops.sum(a[k], n[k]);
                    assertThat(Double.doubleToRawLongBits(got[k])).as("run %d of %s", k, Arrays.toString(n))
                            .isEqualTo(Double.doubleToRawLongBits(expected));
                }
            }
        }
    }

    private static float[] randomFloats(Random rnd, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (rnd.nextGaussian() * Math.exp(rnd.nextGaussian() * 4));
        }
        return v;
    }

    @Test
    void shortRunsPartialOverlapsAndOtherOpsAreLeftToTheCaller() {
        try (TensorScope scope = TensorScope.open()) {
            Tensor t = Tensor.of(new float[4096], 4096);
            long p = t.memory().address();
            int add = NativeLoops.code(BinaryOp.ADD);
            assertThat(NativeLoops.binary(add, p, p + 4096, p + 4, 1000, false)).as("y overlaps a, shifted").isFalse();
            assertThat(NativeLoops.binary(add, p + 8000, p, p + 4, 1000, true)).as("y overlaps b, shifted").isFalse();
            assertThat(NativeLoops.binary(add, p, p + 4096, p + 8192, NativeLoops.MIN_RUN - 1, false))
                    .as("a run shorter than MIN_RUN").isFalse();
            assertThat(NativeLoops.code(BinaryOp.POW)).isEqualTo(-1);
            assertThat(NativeLoops.binary(-1, p, p + 4096, p + 8192, 1000, false)).as("no native op").isFalse();
        }
    }

    @Test
    void openBlasAddAndSubMatchJavaBitForBit() {
        assumeTrue(OpenBlas.available(), "OpenBLAS is not loaded");
        for (float alpha : new float[] {1f, -1f}) {
            for (int n : new int[] {BlasLoops.MIN_RUN, BlasLoops.PIECE - 1, BlasLoops.PIECE + 1, 3 * BlasLoops.PIECE + 7}) {
                for (String over : new String[] {"new", "a", "b"}) {
                    String what = "axpy alpha=" + alpha + " n=" + n + " over " + over;
                    try (TensorScope scope = TensorScope.open()) {
                        Random rnd = new Random(what.hashCode());
                        float[] va = values(rnd, n);
                        float[] vb = values(rnd, n);
                        Tensor a = Tensor.of(va, n);
                        Tensor b = Tensor.of(vb, n);
                        Tensor y = over.equals("a") ? a : over.equals("b") ? b : Tensor.of(new float[n], n);
                        boolean done = BlasLoops.axpy(alpha, a.memory().address(), b.memory().address(),
                                y.memory().address(), n);
                        if (over.equals("b") && alpha != 1f) {
                            assertThat(done).as(what + ": y = a - y is left to the caller").isFalse();
                            continue;
                        }
                        assertThat(done).as(what).isTrue();
                        float[] actual = y.toFloatArray();
                        for (int i = 0; i < n; i++) {
                            float e = va[i] + alpha * vb[i];
                            if (Float.compare(actual[i], e) != 0) {
                                fail(what + ": [" + i + "] = " + actual[i] + ", expected " + e);
                            }
                        }
                    }
                }
            }
        }
    }

    private static float java(BinaryOp op, float x, float z) {
        return switch (op) {
            case ADD -> x + z;
            case SUB -> x - z;
            case MUL -> x * z;
            case DIV -> x / z;
            default -> throw new IllegalArgumentException(op.toString());
        };
    }

    /** Gaussian values with NaN, infinities, signed zeros, subnormals and the largest floats scattered in. */
    private static float[] values(Random rnd, int n) {
        float[] specials = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, Float.MIN_VALUE,
            -Float.MIN_NORMAL / 3, Float.MAX_VALUE, -Float.MAX_VALUE};
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = rnd.nextInt(40) == 0 ? specials[rnd.nextInt(specials.length)] : (float) rnd.nextGaussian();
        }
        return v;
    }
}
