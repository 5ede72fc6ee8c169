package io.nabla.backend.cpu;

import static org.assertj.core.api.Assertions.fail;

import io.nabla.autograd.ShapeOps;
import io.nabla.backend.Backend;
import io.nabla.backend.Backends;
import io.nabla.backend.BinaryOp;
import io.nabla.backend.DType;
import io.nabla.backend.ElementwiseKernels;
import io.nabla.backend.Layout;
import io.nabla.backend.TernaryOp;
import io.nabla.backend.UnaryOp;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The CPU elementwise kernels against the reference backend, op x dtype x layout: results must be equal bit for bit
 * (as {@code Double.compare} sees them: NaN matches NaN, -0.0 differs from 0.0). Layouts: contiguous, transposed,
 * strided slice, broadcast rows and columns (stride 0), a broadcast scalar last operand (with contiguous or
 * transposed others), 0-dim, and a large contiguous/transposed case (FP32) that is cut into parallel chunks in the
 * middle of rows.
 */
class CpuElementwiseKernelsTest {

    private static final DType[] DTYPES = {DType.FP32, DType.FP64, DType.FP16, DType.BF16, DType.INT32, DType.INT64};
    private static final String[] LAYOUTS = {"contiguous", "transposed", "sliced", "broadcast", "scalar",
        "transposed-scalar", "0-dim", "large"};

    /** Unary ops with their parameters; integer dtypes run only the ops that keep integers. */
    private static final Object[][] UNARY = {
        {UnaryOp.NEG, 0.0, 0.0}, {UnaryOp.ABS, 0.0, 0.0}, {UnaryOp.EXP, 0.0, 0.0}, {UnaryOp.LOG, 0.0, 0.0},
        {UnaryOp.SQRT, 0.0, 0.0}, {UnaryOp.RSQRT, 0.0, 0.0}, {UnaryOp.SIN, 0.0, 0.0}, {UnaryOp.COS, 0.0, 0.0},
        {UnaryOp.RECIPROCAL, 0.0, 0.0}, {UnaryOp.SQUARE, 0.0, 0.0}, {UnaryOp.TANH, 0.0, 0.0},
        {UnaryOp.SIGMOID, 0.0, 0.0}, {UnaryOp.RELU, 0.0, 0.0}, {UnaryOp.LEAKY_RELU, 0.1, 0.0},
        {UnaryOp.GELU, 0.0, 0.0}, {UnaryOp.GELU_TANH, 0.0, 0.0}, {UnaryOp.SILU, 0.0, 0.0},
        {UnaryOp.SOFTPLUS, 2.0, 1.0}, {UnaryOp.ELU, 0.7, 0.0}, {UnaryOp.CLAMP, -0.5, 0.7},
        {UnaryOp.CLAMP, Double.NaN, 0.3}, {UnaryOp.CLAMP, -0.2, Double.NaN}, {UnaryOp.POW, 3.0, 0.0},
        {UnaryOp.POW, 2.5, 0.0}, {UnaryOp.POW, -0.5, 0.0}, {UnaryOp.SIGN, 0.0, 0.0}, {UnaryOp.AFFINE, 1.5, -0.25},
    };

    @TestFactory
    Stream<DynamicTest> unary() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Object[] u : UNARY) {
            UnaryOp op = (UnaryOp) u[0];
            double p0 = (double) u[1];
            double p1 = (double) u[2];
            for (DType dt : DTYPES) {
                if (!dt.isFloatingPoint() && (op.needsFloat() || (op == UnaryOp.POW && p0 != 3.0))) {
                    continue;
                }
                for (String layout : LAYOUTS) {
                    String what = "unary " + op + "(" + p0 + ", " + p1 + ") " + dt + " " + layout;
                    tests.add(DynamicTest.dynamicTest(what, () -> compare(what, dt, layout, 1, (k, in) -> {
                        Tensor out = Tensor.empty(dt, in[0].shape());
                        k.unary(op, p0, p1, in[0].memory(), in[0].layout(), out.memory(), out.layout(), dt);
                        return out;
                    })));
                    if (dt.isFloatingPoint()) {
                        String back = "unaryBackward " + op + "(" + p0 + ", " + p1 + ") " + dt + " " + layout;
                        tests.add(DynamicTest.dynamicTest(back, () -> compare(back, dt, layout, 2, (k, in) -> {
                            Tensor out = Tensor.empty(dt, in[0].shape());
                            k.unaryBackward(op, p0, p1, in[0].memory(), in[0].layout(), in[1].memory(),
                                    in[1].layout(), out.memory(), out.layout(), dt);
                            return out;
                        })));
                    }
                }
            }
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> binary() {
        List<DynamicTest> tests = new ArrayList<>();
        for (BinaryOp op : BinaryOp.values()) {
            for (DType dt : DTYPES) {
                if (op == BinaryOp.DIV && !dt.isFloatingPoint()) {
                    continue;
                }
                for (String layout : LAYOUTS) {
                    String what = "binary " + op + " " + dt + " " + layout;
                    DType outType = op.isComparison() ? DType.BOOL : dt;
                    tests.add(DynamicTest.dynamicTest(what, () -> compare(what, dt, layout, 2, (k, in) -> {
                        Tensor out = Tensor.empty(outType, in[0].shape());
                        k.binary(op, in[0].memory(), in[0].layout(), in[1].memory(), in[1].layout(), dt,
                                out.memory(), out.layout(), outType);
                        return out;
                    })));
                }
            }
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> ternaryAndWhere() {
        List<DynamicTest> tests = new ArrayList<>();
        for (DType dt : DTYPES) {
            for (String layout : LAYOUTS) {
                for (TernaryOp op : TernaryOp.values()) {
                    if (op == TernaryOp.ADDCDIV && !dt.isFloatingPoint()) {
                        continue;
                    }
                    String what = "ternary " + op + " " + dt + " " + layout;
                    tests.add(DynamicTest.dynamicTest(what, () -> compare(what, dt, layout, 3, (k, in) -> {
                        Tensor out = Tensor.empty(dt, in[0].shape());
                        k.ternary(op, -0.3, in[0].memory(), in[0].layout(), in[1].memory(), in[1].layout(),
                                in[2].memory(), in[2].layout(), dt, out.memory(), out.layout(), dt);
                        return out;
                    })));
                }
                String what = "where " + dt + " " + layout;
                tests.add(DynamicTest.dynamicTest(what, () -> compare(what, dt, layout, 3, (k, in) -> {
                    Tensor cond = in[2].dataAs(DType.BOOL);
                    Tensor out = Tensor.empty(dt, in[0].shape());
                    k.where(cond.memory(), cond.layout(), in[0].memory(), in[0].layout(), in[1].memory(),
                            in[1].layout(), dt, out.memory(), out.layout());
                    return out;
                })));
            }
        }
        return tests.stream();
    }

    @FunctionalInterface
    private interface Run {
        Tensor apply(ElementwiseKernels kernels, Tensor[] inputs);
    }

    /** Runs {@code run} on both backends over the same inputs and asserts bitwise-equal outputs. */
    private static void compare(String what, DType dt, String layout, int arity, Run run) {
        try (TensorScope s = TensorScope.open()) {
            Random rnd = new Random(what.hashCode());
            Tensor[] in = inputs(rnd, dt, layout, arity);
            double[] ref = run.apply(Backends.reference().elementwise(), in).toDoubleArray();
            Backend cpu = Backends.cpu();
            double[] fast = run.apply(cpu.elementwise(), in).toDoubleArray();
            for (int i = 0; i < ref.length; i++) {
                if (Double.compare(ref[i], fast[i]) != 0) {
                    fail(what + ": element " + i + " is " + fast[i] + " on cpu, " + ref[i] + " on reference");
                }
            }
        }
    }

    /** Inputs of one layout, all of the output's shape (broadcast inputs carry stride 0). */
    private static Tensor[] inputs(Random rnd, DType dt, String layout, int arity) {
        if (layout.equals("large") && dt != DType.FP32 && dt != DType.FP16 && dt != DType.BF16) {
            // FP32 covers the chunking shared by the fast paths (FP16/BF16 add their blocks of Scratch.BLOCK
            // elements); keeps the reference runs short
            layout = "contiguous";
        }
        Tensor[] in = new Tensor[arity];
        for (int k = 0; k < arity; k++) {
            String l = layout;
            if (layout.endsWith("scalar")) { // the last operand is a broadcast 0-dim tensor
                l = k == arity - 1 ? "expanded-0-dim" : layout.equals("scalar") ? "contiguous" : "transposed";
            }
            in[k] = input(rnd, dt, l, k);
        }
        return in;
    }

    private static Tensor input(Random rnd, DType dt, String layout, int k) {
        switch (layout) {
            case "contiguous": return values(rnd, dt, 37, 53);
            case "transposed": return ShapeOps.transpose(values(rnd, dt, 53, 37), 0, 1);
            case "sliced": return ShapeOps.slice(values(rnd, dt, 37, 106), 1, 1, 106, 2);
            case "broadcast": // operand 0 is (37, 1), the others (1, 53), all seen as (37, 53)
                return k == 0 ? expand(values(rnd, dt, 37, 1), 37, 53) : expand(values(rnd, dt, 1, 53), 37, 53);
            case "0-dim": return values(rnd, dt);
            case "expanded-0-dim": return values(rnd, dt).asStrided(new int[] {37, 53}, new int[] {0, 0}, 0);
            case "large": return k % 2 == 0 ? values(rnd, dt, 260, 263)
                    : ShapeOps.transpose(values(rnd, dt, 263, 260), 0, 1);
            default: throw new IllegalArgumentException(layout);
        }
    }

    private static Tensor expand(Tensor t, int... shape) {
        Layout l = new Layout(shape, new int[] {t.shape()[0] == 1 ? 0 : 1, t.shape()[1] == 1 ? 0 : 1}, 0);
        return t.asStrided(l.shape(), l.strides(), 0);
    }

    /** Values on a grid of quarters in [-3, 3] (zeros, ties, exact integers) mixed with random ones. */
    private static Tensor values(Random rnd, DType dt, int... shape) {
        int n = 1;
        for (int s : shape) {
            n *= s;
        }
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            if (!dt.isFloatingPoint()) {
                v[i] = rnd.nextInt(13) - 6;
            } else {
                v[i] = rnd.nextBoolean() ? rnd.nextInt(25) * 0.25 - 3 : rnd.nextGaussian() * 2;
            }
        }
        return Tensor.of(v, dt, shape);
    }

}
