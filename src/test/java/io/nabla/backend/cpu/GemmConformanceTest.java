package io.nabla.backend.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.nabla.backend.Backend;
import io.nabla.backend.Backends;
import io.nabla.backend.DType;
import io.nabla.backend.Layout;
import io.nabla.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The CPU GEMM (OpenBLAS) against the reference triple loop, over dtypes x layouts: contiguous, transposed
 * operands, column-major output, leading dims wider than the matrix, batches with arbitrary and zero batch
 * strides, large products (OpenBLAS threads), many small ones (the engine's pool), calls from inside a pool task,
 * views no BLAS can read, k = 0 and NaN in an output that beta = 0 must ignore.
 */
class GemmConformanceTest {

    /** One product: sizes and how each operand is laid out over its storage. */
    private record Case(String name, int[] batch, int m, int n, int k, double alpha, double beta,
                        Form a, Form b, Form c) {
    }

    /** How an operand's matrices sit in memory. */
    private enum Form {
        /** dense row-major */
        ROW,
        /** stored as the transpose, viewed back (column-major) */
        COL,
        /** row-major inside a wider buffer: leading dim = cols + 3, offset 2 */
        WIDE,
        /** batch dims repeated with stride 0 */
        SHARED,
        /** batch dim innermost in memory: (batch, rows, cols) with strides (cols, batch*cols, 1) */
        INTERLEAVED,
        /** every other column: no BLAS form */
        STEP2
    }

    private static List<Case> cases() {
        List<Case> cs = new ArrayList<>();
        int[] none = {};
        cs.add(new Case("plain", none, 5, 7, 6, 1, 0, Form.ROW, Form.ROW, Form.ROW));
        cs.add(new Case("transposed A", none, 5, 7, 6, 1, 0, Form.COL, Form.ROW, Form.ROW));
        cs.add(new Case("transposed B", none, 5, 7, 6, 1, 0, Form.ROW, Form.COL, Form.ROW));
        cs.add(new Case("transposed A, B and C", none, 5, 7, 6, 1, 0, Form.COL, Form.COL, Form.COL));
        cs.add(new Case("column-major C", none, 4, 3, 5, 1, 0, Form.ROW, Form.ROW, Form.COL));
        cs.add(new Case("leading dims", none, 4, 6, 5, 0.5, 2, Form.WIDE, Form.WIDE, Form.WIDE));
        cs.add(new Case("batched alpha beta", new int[] {3}, 4, 5, 6, -1.5, 0.25, Form.ROW, Form.COL, Form.ROW));
        cs.add(new Case("shared A", new int[] {2, 3}, 4, 5, 3, 1, 0, Form.SHARED, Form.ROW, Form.ROW));
        cs.add(new Case("shared B", new int[] {4}, 3, 5, 6, 1, 1, Form.ROW, Form.SHARED, Form.WIDE));
        cs.add(new Case("interleaved batch", new int[] {3}, 4, 5, 6, 1, 0, Form.INTERLEAVED, Form.COL,
                Form.INTERLEAVED));
        cs.add(new Case("large (OpenBLAS threads)", none, 150, 170, 190, 1, 0, Form.ROW, Form.COL, Form.ROW));
        cs.add(new Case("many small (engine pool)", new int[] {64}, 8, 9, 10, 1, 0, Form.ROW, Form.ROW, Form.ROW));
        cs.add(new Case("no BLAS form", new int[] {2}, 3, 4, 5, 1, 0.5, Form.STEP2, Form.ROW, Form.ROW));
        cs.add(new Case("k = 0", new int[] {2}, 3, 4, 0, 1, 3, Form.ROW, Form.ROW, Form.ROW));
        // one row of C: matrix-vector products, in runs of 512 columns
        cs.add(new Case("one row, Linear's transposed weight", none, 1, 1100, 33, 1, 0, Form.ROW, Form.COL,
                Form.ROW));
        cs.add(new Case("one row, row-major B, alpha beta, wide C", none, 1, 600, 20, -0.5, 0.75, Form.ROW,
                Form.ROW, Form.WIDE));
        cs.add(new Case("one row, column-major A and C", none, 1, 520, 9, 1, 0, Form.COL, Form.COL, Form.COL));
        cs.add(new Case("one row, wide operands", none, 1, 70, 12, 2, 1, Form.WIDE, Form.WIDE, Form.WIDE));
        cs.add(new Case("one row batched, shared B", new int[] {3}, 1, 130, 17, 1, 1, Form.ROW, Form.SHARED,
                Form.ROW));
        cs.add(new Case("one row, interleaved batch", new int[] {2}, 1, 96, 8, 1, 0, Form.INTERLEAVED, Form.COL,
                Form.INTERLEAVED));
        return cs;
    }

    @TestFactory
    Stream<DynamicTest> cpuMatchesReference() {
        List<DynamicTest> tests = new ArrayList<>();
        for (DType dt : new DType[] {DType.FP32, DType.FP64, DType.INT64, DType.BF16, DType.FP16}) {
            for (Case c : cases()) {
                if (!dt.isFloatingPoint() && (c.alpha != Math.rint(c.alpha) || c.beta != Math.rint(c.beta))) {
                    continue;
                }
                tests.add(DynamicTest.dynamicTest(c.name + " " + dt.torchName(), () -> compare(c, dt, false)));
            }
        }
        Case big = cases().get(10);
        tests.add(DynamicTest.dynamicTest("large, inside a pool task", () -> compare(big, DType.FP32, true)));
        return tests.stream();
    }

    @Test
    void resultsDoNotDependOnTheThreadCount() {
        for (Case big : List.of(
                new Case("300x310x1000", new int[] {}, 300, 310, 1000, 1, 0, Form.ROW, Form.COL, Form.ROW),
                new Case("batched 3x(100x110x120)", new int[] {3}, 100, 110, 120, 1, 0, Form.COL, Form.ROW,
                        Form.ROW),
                new Case("one row 1x3000x700", new int[] {}, 1, 3000, 700, 1, 0, Form.ROW, Form.COL, Form.ROW))) {
            Random rnd = new Random(3);
            Operand a = operand(rnd, DType.FP32, big.batch, big.m, big.k, big.a);
            Operand b = operand(rnd, DType.FP32, big.batch, big.k, big.n, big.b);
            Operand pool = operand(rnd, DType.FP32, big.batch, big.m, big.n, big.c);
            Operand serial = new Operand(pool.data.dataCopy(), pool.layout);
            run(Backends.cpu(), big, a, b, pool, false);
            run(Backends.cpu(), big, a, b, serial, true);
            assertThat(Arrays.equals(serial.data.toFloatArray(), pool.data.toFloatArray()))
                    .as("sgemm %s: one thread and %d threads give the same bits", big.name, Parallel.threads())
                    .isTrue();
        }
    }

    @Test
    void tilesCoverTheOutputAndDependOnSizesOnly() {
        int[][] sizes = {{8, 9, 10}, {64, 64, 64}, {150, 170, 190}, {128, 256, 784}, {1024, 1024, 1024},
            {2048, 2048, 2048}, {1, 4096, 4096}, {300, 310, 1000}};
        for (int[] s : sizes) {
            CpuLinalgKernels.Tiles t = CpuLinalgKernels.Tiles.of(s[0], s[1], s[2]);
            assertThat(t.row(0) == 0 && t.row(t.pm()) == s[0] && t.col(0) == 0 && t.col(t.pn()) == s[1])
                    .as("tiles %s cover %s", t, Arrays.toString(s)).isTrue();
            long mnk = (long) s[0] * s[1] * s[2];
            assertThat(t.count() == 1 || mnk / t.count() >= CpuLinalgKernels.Tiles.TASK_MNK)
                    .as("tiles %s of %s keep enough work", t, Arrays.toString(s)).isTrue();
            assertThat(mnk <= CpuLinalgKernels.Tiles.TASK_MNK || t.count() >= 2)
                    .as("large product %s is split: %s", Arrays.toString(s), t).isTrue();
        }
    }

    @Test
    void betaZeroIgnoresNanInTheOutput() {
        betaZeroIgnoresNan(new Case("nan", new int[] {}, 3, 4, 5, 1, 0, Form.ROW, Form.ROW, Form.ROW));
        betaZeroIgnoresNan(new Case("nan, one row", new int[] {}, 1, 700, 5, 1, 0, Form.ROW, Form.COL, Form.WIDE));
    }

    private static void betaZeroIgnoresNan(Case c) {
        Random rnd = new Random(5);
        Operand a = operand(rnd, DType.FP32, c.batch, c.m, c.k, c.a);
        Operand b = operand(rnd, DType.FP32, c.batch, c.k, c.n, c.b);
        Operand out = operand(rnd, DType.FP32, c.batch, c.m, c.n, c.c);
        out.data.fill(Double.NaN);
        run(Backends.cpu(), c, a, b, out, false);
        Tensor view = out.data.asStrided(out.layout.shape(), out.layout.strides(), out.layout.offset());
        for (float v : view.toFloatArray()) {
            assertThat(Float.isNaN(v)).as("beta = 0 output element").isFalse();
        }
    }

    private static void compare(Case c, DType dt, boolean insideTask) {
        Random rnd = new Random(c.name.hashCode() + dt.ordinal());
        Operand a = operand(rnd, dt, c.batch, c.m, c.k, c.a);
        Operand b = operand(rnd, dt, c.batch, c.k, c.n, c.b);
        Operand ref = operand(rnd, dt, c.batch, c.m, c.n, c.c);
        Operand cpu = new Operand(ref.data.dataCopy(), ref.layout);
        run(Backends.reference(), c, a, b, ref, false);
        run(Backends.cpu(), c, a, b, cpu, insideTask);
        double[] want = ref.data.toDoubleArray();
        double[] got = cpu.data.toDoubleArray();
        // FP16/BF16 go through dgemm on widened operands: exact sums, so the reference's bits
        double tol = dt == DType.FP64 ? 1e-13 : dt == DType.FP32 ? 2e-6 : 0;
        for (int i = 0; i < want.length; i++) {
            if (!(Math.abs(got[i] - want[i]) <= tol * (1 + c.k) * (1 + Math.abs(want[i])))) {
                fail("gemm " + c.name + " on " + dt.torchName() + " (A " + c.a + ", B " + c.b + ", C " + c.c
                        + (insideTask ? ", inside a pool task" : "") + "): element " + i + " is " + got[i]
                        + ", reference " + want[i]);
            }
        }
    }

    private static void run(Backend backend, Case c, Operand a, Operand b, Operand out, boolean insideTask) {
        Runnable call = () -> backend.linalg().gemm(c.alpha, a.data.memory(), a.layout, b.data.memory(), b.layout,
                c.beta, out.data.memory(), out.layout, a.data.dtype());
        if (insideTask) {
            Parallel.forEach(2, (chunk, from, to) -> {
                if (chunk == 0) {
                    call.run();
                }
            });
        } else {
            call.run();
        }
    }

    /** An operand's storage (random values) and the layout of its (batch..., rows, cols) view. */
    private record Operand(Tensor data, Layout layout) {
    }

    private static Operand operand(Random rnd, DType dt, int[] batch, int rows, int cols, Form form) {
        int nb = Arrays.stream(batch).reduce(1, (x, y) -> x * y);
        int r = batch.length;
        int[] shape = Arrays.copyOf(batch, r + 2);
        shape[r] = rows;
        shape[r + 1] = cols;
        int[] strides = new int[r + 2];
        int ld = form == Form.WIDE ? cols + 3 : form == Form.STEP2 ? 2 * cols : form == Form.COL ? rows : cols;
        long extent = form == Form.COL ? (long) cols * ld : (long) rows * ld; // elements one matrix spans
        long matrix = form == Form.SHARED ? 0 : extent;
        switch (form) {
            case COL -> {
                strides[r] = 1;
                strides[r + 1] = rows;
            }
            case STEP2 -> {
                strides[r] = ld;
                strides[r + 1] = 2;
            }
            case INTERLEAVED -> {
                strides[r] = nb * cols;
                strides[r + 1] = 1;
                matrix = cols;
            }
            default -> {
                strides[r] = ld;
                strides[r + 1] = 1;
            }
        }
        long step = matrix;
        for (int d = r - 1; d >= 0; d--) {
            strides[d] = (int) step;
            step *= batch[d];
        }
        int offset = form == Form.WIDE ? 2 : 0;
        int size = offset + (int) (nb * extent) + 3;
        double[] v = new double[size];
        for (int i = 0; i < size; i++) {
            v[i] = dt.isFloatingPoint() ? rnd.nextGaussian() : rnd.nextInt(9) - 4;
        }
        return new Operand(Tensor.of(v, dt, size), new Layout(shape, strides, offset));
    }
}
