package io.nabla.backend.cpu;

import static io.nabla.backend.cpu.ReductionInputs.assertClose;
import static io.nabla.backend.cpu.ReductionInputs.onReference;
import static io.nabla.backend.cpu.ReductionInputs.tolerance;

import io.nabla.autograd.Autograd;
import io.nabla.autograd.ReduceOps;
import io.nabla.backend.DType;
import io.nabla.backend.cpu.ReductionInputs.Kind;
import io.nabla.tensor.Shape;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The cpu reduce kernels against the reference backend, forward and input gradient: op x dtype x layout x dims x
 * keepdim, on small shapes and on shapes large enough for the segmented row path, the whole-block and the tiled
 * column paths.
 */
class CpuReduceConformanceTest {

    private record Op(String name, boolean floatOnly, boolean needsNonEmpty, Reduction f) {
    }

    @FunctionalInterface
    private interface Reduction {
        Tensor apply(Tensor x, int[] dims, boolean keepdim);
    }

    private static final List<Op> OPS = List.of(
            new Op("sum", false, false, ReduceOps::sum),
            new Op("mean", true, false, ReduceOps::mean),
            new Op("amax", false, true, ReduceOps::amax),
            new Op("amin", false, true, ReduceOps::amin),
            new Op("var", true, false, (x, d, k) -> ReduceOps.var(x, d, true, k)),
            new Op("var_biased", true, false, (x, d, k) -> ReduceOps.var(x, d, false, k)),
            new Op("std", true, false, (x, d, k) -> ReduceOps.std(x, d, true, k)),
            new Op("logsumexp", false, false, ReduceOps::logsumexp),
            new Op("prod", false, false, (x, d, k) -> d.length == 1 ? ReduceOps.prod(x, d[0], k) : ReduceOps.prod(x)),
            new Op("argmax", false, true, (x, d, k) -> d.length == 1 ? ReduceOps.argmax(x, d[0], k)
                    : ReduceOps.argmax(x)),
            new Op("argmin", false, true, (x, d, k) -> d.length == 1 ? ReduceOps.argmin(x, d[0], k)
                    : ReduceOps.argmin(x)));

    private static final DType[] DTYPES = {DType.FP32, DType.FP64, DType.FP16, DType.BF16, DType.INT32,
        DType.INT64};

    private static final int[][] DIMS_3D = {{}, {2}, {0}, {1}, {0, 2}, {-1, -2}, {0, 1}};

    @TestFactory
    Stream<DynamicTest> smallShapes() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Op op : OPS) {
            for (DType dt : DTYPES) {
                if (op.floatOnly && !dt.isFloatingPoint()) {
                    continue;
                }
                tests.add(DynamicTest.dynamicTest(op.name + " " + dt.torchName(), () -> {
                    for (Kind kind : Kind.values()) {
                        for (int k = 0; k < DIMS_3D.length; k++) {
                            check(op, dt, kind, DIMS_3D[k], (k + kind.ordinal()) % 2 == 1, 3, 5, 7);
                        }
                    }
                }));
            }
        }
        return tests.stream();
    }

    /** Shapes for the fast paths' pieces: long rows, all elements, whole column blocks and tiles. */
    @TestFactory
    Stream<DynamicTest> largeShapes() {
        int[][][] cases = {
            {{2, 70001}, {1}},          // segmented rows (len >= SEG)
            {{100, 700}, {}},           // all elements, segmented
            {{100, 700}, {0}},          // tiled columns, partial last tile
            {{3, 50, 700}, {1}},        // whole column blocks, several per piece
            {{2, 100, 700}, {1}},       // tiled columns with outer blocks
            {{40, 1031}, {1}},          // many short rows
            {{33, 4096}, {1}},          // rows of a power of two, several per piece
            {{5, 70000}, {1}},          // rows past a piece, not a multiple of one
            {{16, 8, 30, 30}, {0, 2, 3}}, // around kept dims: a convolution's bias gradient, several per task
            {{3, 2, 1, 70001}, {0, 3}},  // around kept dims, runs longer than a piece, a size-1 dim between
        };
        List<DynamicTest> tests = new ArrayList<>();
        for (Op op : OPS.subList(0, 8)) {
            for (DType dt : new DType[] {DType.FP32, DType.FP64}) {
                tests.add(DynamicTest.dynamicTest(op.name + " " + dt.torchName(), () -> {
                    for (int k = 0; k < cases.length; k++) {
                        check(op, dt, k % 2 == 0 ? Kind.OFFSET : Kind.CONTIGUOUS, cases[k][1], false, cases[k][0]);
                    }
                }));
            }
        }
        return tests.stream();
    }

    private static void check(Op op, DType dt, Kind kind, int[] dims, boolean keepdim, int... shape) {
        if ((op.name.startsWith("arg") || op.name.equals("prod")) && dims.length > 1) {
            return;
        }
        String what = op.name + " " + dt.torchName() + " " + kind + " " + Shape.format(shape) + " dims "
                + Arrays.toString(dims) + " keepdim " + keepdim;
        try (TensorScope scope = TensorScope.open()) {
            Random rnd = new Random(what.hashCode());
            boolean prod = op.name.equals("prod");
            double scale = dt.isFloatingPoint() ? (prod ? 0.3 : 1) : (prod ? 1 : 20);
            Tensor x = ReductionInputs.random(rnd, dt, kind, scale, prod && dt.isFloatingPoint() ? 1 : 0, shape);
            Function<Tensor, Tensor> f = t -> op.f.apply(t, dims, keepdim);
            Tensor expected = onReference(() -> f.apply(x));
            Tensor actual = f.apply(x);
            double[] tol = tolerance(actual.dtype());
            assertClose(what, actual, expected, tol[0], tol[1]);
            if (dt.isFloatingPoint() && !op.name.startsWith("arg")) {
                Tensor up = ReductionInputs.random(rnd, dt, Kind.CONTIGUOUS, 1, 0, actual.shape());
                Tensor gradExpected = onReference(() -> inputGradient(f, x, up));
                assertClose(what + " gradient", inputGradient(f, x, up), gradExpected, tol[0], tol[1]);
            }
        }
    }

    private static Tensor inputGradient(Function<Tensor, Tensor> f, Tensor x, Tensor up) {
        Tensor leaf = x.detach();
        leaf.requiresGrad(true);
        Autograd.backward(f.apply(leaf), up);
        return leaf.grad();
    }
}
