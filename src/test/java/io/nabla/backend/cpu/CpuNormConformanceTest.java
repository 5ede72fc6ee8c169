package io.nabla.backend.cpu;

import static io.nabla.backend.cpu.ReductionInputs.assertClose;
import static io.nabla.backend.cpu.ReductionInputs.onReference;
import static io.nabla.backend.cpu.ReductionInputs.tolerance;

import io.nabla.autograd.Autograd;
import io.nabla.autograd.NormOps;
import io.nabla.backend.DType;
import io.nabla.backend.cpu.ReductionInputs.Kind;
import io.nabla.tensor.Shape;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The cpu norm kernels against the reference backend: softmax and log_softmax (forward and backward) over dims x
 * dtypes x layouts, and layer norm (forward and backward, with and without weight and bias).
 */
class CpuNormConformanceTest {

    private static final DType[] DTYPES = {DType.FP32, DType.FP64, DType.FP16, DType.BF16};

    @TestFactory
    Stream<DynamicTest> softmax() {
        List<DynamicTest> tests = new ArrayList<>();
        for (boolean log : new boolean[] {false, true}) {
            for (DType dt : DTYPES) {
                String name = (log ? "log_softmax " : "softmax ") + dt.torchName();
                tests.add(DynamicTest.dynamicTest(name, () -> {
                    for (Kind kind : Kind.values()) {
                        for (int dim : new int[] {0, 1, 2, -1}) {
                            check(name, dt, kind, x -> log ? NormOps.logSoftmax(x, dim) : NormOps.softmax(x, dim),
                                    "dim " + dim, 3, 5, 33);
                        }
                        if (fastPathCase(dt, kind)) {
                            check(name, dt, kind, x -> log ? NormOps.logSoftmax(x, 1) : NormOps.softmax(x, 1),
                                    "rows", 40, 1024);
                            check(name, dt, kind, x -> log ? NormOps.logSoftmax(x, -1) : NormOps.softmax(x, -1),
                                    "rows longer than a block", 3, 5000);
                            check(name, dt, kind, x -> log ? NormOps.logSoftmax(x, 1) : NormOps.softmax(x, 1),
                                    "columns in tiles", 8, 10, 600);
                        }
                    }
                }));
            }
        }
        return tests.stream();
    }

    /** Masked (-1e9, -inf), huge, NaN and infinite entries: the fast rows must fall back or propagate as PyTorch. */
    @TestFactory
    Stream<DynamicTest> softmaxSpecialValues() {
        float inf = Float.POSITIVE_INFINITY;
        float[][] rows = {
            {1, 2, -1e9f, 3, -1e9f, 0.5f},
            {1, -inf, 2, -inf, 3, 4},
            {-inf, -inf, -inf, -inf, -inf, -inf},
            {1, Float.NaN, 2, 3, 4, 5},
            {1, inf, 2, 3, 4, 5},
            {1e30f, -1e30f, 0, 1, 2, 3},
            {-80, 0, -90, -100, -87, -86.5f},
        };
        List<DynamicTest> tests = new ArrayList<>();
        for (boolean log : new boolean[] {false, true}) {
            for (int r = 0; r < rows.length; r++) {
                float[] row = rows[r];
                String what = (log ? "log_softmax " : "softmax ") + java.util.Arrays.toString(row);
                tests.add(DynamicTest.dynamicTest(what, () -> {
                    Tensor x = Tensor.of(row, 1, row.length);
                    Function<Tensor, Tensor> op = t -> log ? NormOps.logSoftmax(t, 1) : NormOps.softmax(t, 1);
                    Tensor expected = onReference(() -> op.apply(x));
                    assertClose(what, op.apply(x), expected, 2e-6, 1e-30);
                }));
            }
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> layerNorm() {
        List<DynamicTest> tests = new ArrayList<>();
        for (DType dt : DTYPES) {
            tests.add(DynamicTest.dynamicTest("layer_norm " + dt.torchName(), () -> {
                for (Kind kind : Kind.values()) {
                    for (boolean affine : new boolean[] {false, true}) {
                        checkLayerNorm(dt, kind, affine, new int[] {33}, 4, 6, 33);
                        checkLayerNorm(dt, kind, affine, new int[] {6, 33}, 4, 6, 33);
                        if (fastPathCase(dt, kind)) {
                            checkLayerNorm(dt, kind, affine, new int[] {512}, 70, 512);
                        }
                    }
                }
            }));
        }
        return tests.stream();
    }

    /** Large shapes only where the fast paths run (the other layouts take the reference loops on both backends). */
    private static boolean fastPathCase(DType dt, Kind kind) {
        return (dt == DType.FP32 || dt == DType.FP64) && (kind == Kind.CONTIGUOUS || kind == Kind.OFFSET);
    }

    private static void checkLayerNorm(DType dt, Kind kind, boolean affine, int[] normalized, int... shape) {
        Random rnd = new Random(42);
        try (TensorScope scope = TensorScope.open()) {
            Tensor w = affine ? ReductionInputs.random(rnd, dt, Kind.CONTIGUOUS, 0.5, 1, normalized) : null;
            Tensor b = affine ? ReductionInputs.random(rnd, dt, Kind.CONTIGUOUS, 0.5, 0, normalized) : null;
            String what = "layer_norm " + dt.torchName() + " " + kind + " " + Shape.format(shape) + " over "
                    + Shape.format(normalized) + (affine ? " affine" : "");
            check(what, dt, kind, p -> NormOps.layerNorm(p[0], normalized, p[1], p[2], 1e-5), "", shape, w, b);
        }
    }

    @TestFactory
    Stream<DynamicTest> batchNorm() {
        List<DynamicTest> tests = new ArrayList<>();
        for (DType dt : DTYPES) {
            for (boolean training : new boolean[] {true, false}) {
                String name = "batch_norm " + (training ? "train " : "eval ") + dt.torchName();
                tests.add(DynamicTest.dynamicTest(name, () -> {
                    for (Kind kind : Kind.values()) {
                        for (boolean affine : new boolean[] {false, true}) {
                            checkBatchNorm(name, dt, kind, training, affine, 6, 3);
                            checkBatchNorm(name, dt, kind, training, affine, 4, 3, 5, 6);
                            if (fastPathCase(dt, kind)) {
                                checkBatchNorm(name, dt, kind, training, affine, 8, 4, 32, 33);
                            }
                        }
                    }
                }));
            }
        }
        return tests.stream();
    }

    private static void checkBatchNorm(String name, DType dt, Kind kind, boolean training, boolean affine,
                                       int... shape) {
        Random rnd = new Random(43);
        int c = shape[1];
        try (TensorScope scope = TensorScope.open()) {
            Tensor w = affine ? ReductionInputs.random(rnd, dt, Kind.CONTIGUOUS, 0.5, 1, c) : null;
            Tensor b = affine ? ReductionInputs.random(rnd, dt, Kind.CONTIGUOUS, 0.5, 0, c) : null;
            Tensor rm = ReductionInputs.random(rnd, dt, Kind.CONTIGUOUS, 0.1, 0, c);
            Tensor rv = ReductionInputs.random(rnd, dt, Kind.CONTIGUOUS, 0.1, 1, c);
            Tensor rmRef = rm.dataCopy();
            Tensor rvRef = rv.dataCopy();
            String what = name + " " + kind + " " + Shape.format(shape) + (affine ? " affine" : "");
            Function<Tensor[], Tensor> cpu = p -> NormOps.batchNorm(p[0], rm, rv, p[1], p[2], training, 0.1, 1e-5);
            Function<Tensor[], Tensor> ref = p -> NormOps.batchNorm(p[0], rmRef, rvRef, p[1], p[2], training, 0.1,
                    1e-5);
            Tensor x = ReductionInputs.random(rnd, dt, kind, 2, 0.5, shape);
            Tensor up = ReductionInputs.random(rnd, dt, Kind.CONTIGUOUS, 1, 0, shape);
            Tensor[] inputs = {x, w, b};
            Tensor[] expected = onReference(() -> forwardBackward(ref, inputs, up));
            Tensor[] actual = forwardBackward(cpu, inputs, up);
            compare(what, dt, actual, expected);
            double[] tol = tolerance(dt);
            assertClose(what + " running_mean", rm, rmRef, tol[0], tol[1]);
            assertClose(what + " running_var", rv, rvRef, tol[0], tol[1]);
        }
    }

    /** Forward, then backward with a random upstream gradient: output and every input gradient must match. */
    private static void check(String name, DType dt, Kind kind, Function<Tensor[], Tensor> op, String detail,
                              int[] shape, Tensor... params) {
        String what = name + " " + kind + " " + Shape.format(shape) + " " + detail;
        try (TensorScope scope = TensorScope.open()) {
            Random rnd = new Random(what.hashCode());
            Tensor x = ReductionInputs.random(rnd, dt, kind, 2, 0, shape);
            Tensor up = ReductionInputs.random(rnd, dt, Kind.CONTIGUOUS, 1, 0, shape);
            Tensor[] inputs = new Tensor[params.length + 1];
            inputs[0] = x;
            System.arraycopy(params, 0, inputs, 1, params.length);
            Tensor[] expected = onReference(() -> forwardBackward(op, inputs, up));
            Tensor[] actual = forwardBackward(op, inputs, up);
            compare(what, dt, actual, expected);
        }
    }

    private static void check(String name, DType dt, Kind kind, Function<Tensor, Tensor> op, String detail,
                              int... shape) {
        check(name, dt, kind, p -> op.apply(p[0]), detail, shape, new Tensor[0]);
    }

    private static void compare(String what, DType dt, Tensor[] actual, Tensor[] expected) {
        double[] tol = tolerance(dt);
        assertClose(what + " forward", actual[0], expected[0], tol[0], tol[1]);
        for (int k = 1; k < actual.length; k++) {
            if (expected[k] != null) {
                assertClose(what + " gradient of input " + (k - 1), actual[k], expected[k], tol[0], tol[1]);
            }
        }
    }

    /** The output and the gradient of each (non-null) input, computed on fresh leaves. */
    private static Tensor[] forwardBackward(Function<Tensor[], Tensor> op, Tensor[] inputs, Tensor up) {
        Tensor[] leaves = new Tensor[inputs.length];
        for (int k = 0; k < inputs.length; k++) {
            if (inputs[k] != null) {
                leaves[k] = inputs[k].detach();
                leaves[k].requiresGrad(true);
            }
        }
        Tensor y = op.apply(leaves);
        Autograd.backward(y, up);
        Tensor[] out = new Tensor[inputs.length + 1];
        out[0] = y;
        for (int k = 0; k < inputs.length; k++) {
            out[k + 1] = leaves[k] == null ? null : leaves[k].grad();
        }
        return out;
    }
}
