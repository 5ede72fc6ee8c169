package io.nabla.backend.cpu;

import static io.nabla.backend.cpu.ReductionInputs.onReference;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.nabla.autograd.ReduceOps;
import io.nabla.autograd.ShapeOps;
import io.nabla.backend.BinaryOp;
import io.nabla.backend.DType;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The FP32 fast paths for add/sub/mul/div ({@link NativeLoops} where built, else {@link BlasLoops#axpy} through
 * OpenBLAS for add/sub) and sums ({@link RowLoops#sumF}: {@link NativeLoops#sum} where built, else blocked
 * float accumulators, and from {@link BlasLoops#MIN_SUM} floats OpenBLAS's {@code sgemv} against ones, see
 * {@link BlasLoops#sumF}; rows of {@link BlasLoops#MIN_ROW_SUM} to {@link BlasLoops#MAX_ROW_SUM} floats, many per
 * transposed {@code sgemv}, {@link BlasLoops#rowSums}) against the reference backend: lengths around their piece and block sizes (tiny, odd tails,
 * several pieces, 16 M elements), layouts (contiguous, offset, strided, broadcast, written in place over either
 * operand) and special values (NaN, infinities, signed zeros). Add/sub/mul/div must match bit for bit, sums within
 * {@code 1e-6} of the sum of magnitudes, with NaN and infinities exactly as the reference gives them.
 */
class Fp32FastPathTest {

    private static final int[] LENGTHS = {1, 7, 31, 1023, 1024, 1025, 4095, 4096, 4097, 65536 + 13, 200_003};
    private static final String[] LAYOUTS = {"contiguous", "offset", "strided", "broadcast", "in place on a",
        "in place on b", "in place on both"};

    @TestFactory
    Stream<DynamicTest> addAndSub() {
        List<DynamicTest> tests = new ArrayList<>();
        for (BinaryOp op : new BinaryOp[] {BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL, BinaryOp.DIV}) {
            for (String layout : LAYOUTS) {
                tests.add(DynamicTest.dynamicTest(op + " fp32 " + layout, () -> {
                    for (int n : LENGTHS) {
                        checkBinary(op, layout, n);
                    }
                }));
            }
        }
        return tests.stream();
    }

    private static void checkBinary(BinaryOp op, String layout, int n) {
        String what = op + " fp32 " + layout + " n=" + n;
        try (TensorScope scope = TensorScope.open()) {
            Random rnd = new Random(what.hashCode());
            Tensor a = operand(rnd, layout, n);
            Tensor b = layout.equals("in place on both") ? a
                    : layout.equals("broadcast") ? ShapeOps.expand(Tensor.of(values(rnd, 1), 1), n)
                    : operand(rnd, layout, n);
            Tensor expected = onReference(() -> apply(op, a, b, Tensor.empty(DType.FP32, n)));
            Tensor out = switch (layout) {
                case "in place on a", "in place on both" -> a;
                case "in place on b" -> b;
                default -> Tensor.empty(DType.FP32, n);
            };
            assertBitEqual(what, apply(op, a, b, out), expected);
        }
    }

    /** {@code out = a op b} through the backend's kernel, as {@code torch.add(a, b, out=out)}. */
    private static Tensor apply(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        a.backend().elementwise().binary(op, a.memory(), a.layout(), b.memory(), b.layout(), DType.FP32,
                out.memory(), out.layout(), DType.FP32);
        return out;
    }

    private static Tensor operand(Random rnd, String layout, int n) {
        return switch (layout) {
            case "offset" -> ShapeOps.narrow(Tensor.of(values(rnd, n + 3), n + 3), 0, 3, n);
            case "strided" -> ShapeOps.slice(Tensor.of(values(rnd, 2 * n), 2 * n), 0, 1, 2L * n, 2);
            default -> Tensor.of(values(rnd, n), n);
        };
    }

    /** Gaussian values with NaN, infinities and signed zeros at scattered positions. */
    private static float[] values(Random rnd, int n) {
        float[] specials = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f};
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = rnd.nextInt(50) == 0 ? specials[rnd.nextInt(specials.length)] : (float) rnd.nextGaussian();
        }
        return v;
    }

    private static void assertBitEqual(String what, Tensor actual, Tensor expected) {
        float[] x = actual.toFloatArray();
        float[] e = expected.toFloatArray();
        assertThat(x.length).as(what).isEqualTo(e.length);
        for (int i = 0; i < x.length; i++) {
            if (Float.compare(x[i], e[i]) != 0) {
                fail(what + ": [" + i + "] = " + x[i] + ", expected " + e[i]);
            }
        }
    }

    @Test
    void addOf16MillionFloatsInPlaceAndNot() {
        int n = 16 << 20;
        try (TensorScope scope = TensorScope.open()) {
            Random rnd = new Random(16);
            float[] va = values(rnd, n);
            float[] vb = values(rnd, n);
            float[] sum = new float[n];
            float[] diff = new float[n];
            for (int i = 0; i < n; i++) {
                sum[i] = va[i] + vb[i];
                diff[i] = va[i] - vb[i];
            }
            Tensor a = Tensor.of(va, n);
            Tensor b = Tensor.of(vb, n);
            assertBitEqual("add fp32 n=16M", apply(BinaryOp.ADD, a, b, Tensor.empty(DType.FP32, n)), Tensor.of(sum, n));
            // 64 MB results: written with non-temporal stores where the native loops are built
            assertBitEqual("sub fp32 n=16M in place on a", apply(BinaryOp.SUB, a, b, a), Tensor.of(diff, n));
        }
    }

    // ---- sums ---------------------------------------------------------------------------------------------------

    /** Around the scalar loop's blocks, the sgemv path's threshold, its column count and its 64 K-float pieces. */
    private static final int[] SUM_LENGTHS = {1, 7, 8, 9, 127, 128, 129, 1000, BlasLoops.MIN_SUM - 1, BlasLoops.MIN_SUM,
        BlasLoops.MIN_SUM + BlasLoops.SUM_COLUMNS - 1, 65536, 65537, 65536 + 16 * 1000 + 15, 200_003};

    @TestFactory
    Stream<DynamicTest> sums() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String layout : new String[] {"contiguous", "offset"}) {
            tests.add(DynamicTest.dynamicTest("sum fp32 all elements " + layout, () -> {
                for (int n : SUM_LENGTHS) {
                    checkSum("sum fp32 " + layout + " n=" + n, layout, 1, n, new int[0]);
                }
            }));
            tests.add(DynamicTest.dynamicTest("sum fp32 rows " + layout, () -> {
                for (int len : new int[] {7, 127, 128, 129, 1031, BlasLoops.MIN_ROW_SUM - 1, BlasLoops.MIN_ROW_SUM,
                    1024, BlasLoops.MAX_ROW_SUM, BlasLoops.MAX_ROW_SUM + 1}) {
                    checkSum("sum fp32 rows " + layout + " (37, " + len + ")", layout, 37, len, new int[] {1});
                }
                // rows of the sgemv path over several chunks of rows, the last one short
                checkSum("sum fp32 rows " + layout + " (301, 1024)", layout, 301, 1024, new int[] {1});
            }));
        }
        return tests.stream();
    }

    private static void checkSum(String what, String layout, int rows, int len, int[] dims) {
        try (TensorScope scope = TensorScope.open()) {
            Random rnd = new Random(what.hashCode());
            float[] v = new float[(rows + 1) * len];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (rnd.nextGaussian() * 3 + 1);
            }
            Tensor base = Tensor.of(v, rows + 1, len);
            // offset: rows 1.. of the storage (contiguous, offset len); contiguous: a copy of rows 0..
            Tensor in = layout.equals("offset") ? ShapeOps.narrow(base, 0, 1, rows)
                    : ShapeOps.contiguous(ShapeOps.narrow(base, 0, 0, rows));
            Tensor expected = onReference(() -> ReduceOps.sum(in, dims, false));
            Tensor magnitude = onReference(() -> ReduceOps.sum(io.nabla.autograd.ElementwiseOps.abs(in), dims, false));
            assertSumClose(what, ReduceOps.sum(in, dims, false), expected, magnitude);
        }
    }

    private static void assertSumClose(String what, Tensor actual, Tensor expected, Tensor magnitude) {
        float[] x = actual.toFloatArray();
        float[] e = expected.toFloatArray();
        float[] m = magnitude.toFloatArray();
        for (int i = 0; i < x.length; i++) {
            boolean special = !Float.isFinite(e[i]) || !Float.isFinite(x[i]);
            boolean ok = special ? Float.compare(x[i], e[i]) == 0 : Math.abs(x[i] - e[i]) <= 1e-6 * m[i];
            if (!ok) {
                fail(what + ": [" + i + "] = " + x[i] + ", expected " + e[i] + " (sum of magnitudes " + m[i] + ")");
            }
        }
    }

    @Test
    void sumsPropagateNanAndInfinities() {
        int n = 200_003;
        Object[][] cases = {
            {"NaN", new float[] {Float.NaN}, Float.NaN},
            {"+Inf", new float[] {Float.POSITIVE_INFINITY}, Float.POSITIVE_INFINITY},
            {"-Inf", new float[] {Float.NEGATIVE_INFINITY}, Float.NEGATIVE_INFINITY},
            {"+Inf and -Inf", new float[] {Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}, Float.NaN},
        };
        for (Object[] c : cases) {
            float[] specials = (float[]) c[1];
            for (int at : new int[] {0, 5, 127, 128, 65535, n - 1}) {
                try (TensorScope scope = TensorScope.open()) {
                    float[] v = new float[n];
                    java.util.Arrays.fill(v, 0.5f);
                    for (int k = 0; k < specials.length; k++) {
                        v[(at + k * 70_001) % n] = specials[k];
                    }
                    String what = "sum fp32 n=" + n + " with " + c[0] + " at " + at;
                    assertThat(Float.compare(ReduceOps.sum(Tensor.of(v, n)).toFloatArray()[0], (float) c[2])).as(what)
                            .isZero();
                    // rows of 1031 (1031 * 193 <= n): the rows holding a special value, and only those
                    Tensor rows = ShapeOps.view(ShapeOps.narrow(Tensor.of(v, n), 0, 0, 1031 * 193), 193, 1031);
                    Tensor expected = onReference(() -> ReduceOps.sum(rows, new int[] {1}, false));
                    Tensor magnitude = onReference(() -> ReduceOps.sum(io.nabla.autograd.ElementwiseOps.abs(rows),
                            new int[] {1}, false));
                    assertSumClose(what + ", rows", ReduceOps.sum(rows, new int[] {1}, false), expected, magnitude);
                }
            }
        }
    }

    @Test
    void aSumAfterANanSumIsClean() {
        // the sgemv path keeps a result vector per thread: a NaN left in it must not reach the next sum
        int n = 4 * 65536;
        float[] v = new float[n];
        java.util.Arrays.fill(v, 0.25f);
        try (TensorScope scope = TensorScope.open()) {
            Tensor clean = Tensor.of(v, n);
            v[3] = Float.NaN;
            v[n - 100] = Float.POSITIVE_INFINITY;
            Tensor dirty = Tensor.of(v, n);
            for (int round = 0; round < 3; round++) {
                assertThat(ReduceOps.sum(dirty).toFloatArray()[0]).isNaN();
                assertThat(ReduceOps.sum(clean).toFloatArray()[0]).isEqualTo(n * 0.25f);
            }
        }
    }

    @Test
    void rowSumsIgnoreWhatTheOutputHeldAndMeansDivideThem() {
        int rows = 67;
        int len = 1000;
        float[] v = new float[rows * len];
        Random rnd = new Random(3);
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rnd.nextGaussian();
        }
        try (TensorScope scope = TensorScope.open()) {
            Tensor x = Tensor.of(v, rows, len);
            Tensor y = Tensor.of(new float[rows], rows);
            for (int i = 0; i < rows; i++) {
                RawMemory.putFloat(y.memory().address() + 4L * i, Float.NaN);
            }
            BlasLoops.rowSums(x.memory().address(), len, rows, y.memory().address());
            Tensor expected = onReference(() -> ReduceOps.sum(x, new int[] {1}, false));
            Tensor magnitude = onReference(() -> ReduceOps.sum(io.nabla.autograd.ElementwiseOps.abs(x),
                    new int[] {1}, false));
            assertSumClose("rowSums over an output of NaNs", y, expected, magnitude);
            Tensor mean = ReduceOps.mean(x, new int[] {1}, false);
            Tensor expectedMean = onReference(() -> ReduceOps.mean(x, new int[] {1}, false));
            float[] got = mean.toFloatArray();
            float[] want = expectedMean.toFloatArray();
            float[] mag = magnitude.toFloatArray();
            for (int i = 0; i < rows; i++) {
                assertThat((double) Math.abs(got[i] - want[i])).as("mean of row %d", i)
                        .isLessThanOrEqualTo(1e-6 * mag[i] / len + Math.ulp(want[i]));
            }
        }
    }

    @Test
    void sumOf16MillionFloats() {
        checkSum("sum fp32 n=16M", "contiguous", 1, 16 << 20, new int[0]);
        checkSum("sum fp32 n=16M+5 offset", "offset", 1, (16 << 20) + 5, new int[0]);
    }
}
