package io.nabla.autograd;

import static io.nabla.autograd.Elementwise.resultType;
import static io.nabla.autograd.Elementwise.scalarFor;

import io.nabla.autograd.Elementwise.Target;
import io.nabla.backend.BinaryOp;
import io.nabla.backend.DType;
import io.nabla.backend.UnaryOp;
import io.nabla.tensor.Tensor;

/**
 * Elementwise arithmetic with PyTorch's names and semantics: broadcasting, type promotion ({@code torch.result_type};
 * a {@code double} scalar acts as a Python float, a {@code long} as a Python int), and the gradient of every
 * differentiable op, recorded next to its forward computation. Comparisons return BOOL and record nothing.
 * Unary ops keep the input's dtype, except the floating ones ({@link UnaryOp#needsFloat()}), which compute integer
 * inputs in FP32. Their backward formulas are the gradient kernels ({@link io.nabla.backend.ElementwiseMath#unaryGrad}).
 * In-place forms are in {@link InPlaceOps}.
 *
 * <p>This file is longer than most: it is the table of the elementwise forward ops and their backward rules.
 */
public final class ElementwiseOps {

    private ElementwiseOps() {
    }

    // ---- binary arithmetic --------------------------------------------------------------------------------------

    public static Tensor add(Tensor a, Tensor b) {
        Tensor out = Elementwise.binary(BinaryOp.ADD, a, b, resultType(a, b));
        if (!Autograd.needsGrad(a, b)) {
            return out;
        }
        Target ta = Target.of(a);
        Target tb = Target.of(b);
        return Autograd.record("AddBackward", out, new Tensor[] {a, b}, new Tensor[0], (n, g) -> new Tensor[] {
            n.needsInputGrad(0) ? ta.reduce(g) : null,
            n.needsInputGrad(1) ? tb.reduce(g) : null});
    }

    public static Tensor sub(Tensor a, Tensor b) {
        DType t = resultType(a, b);
        if (t == DType.BOOL) {
            throw new IllegalArgumentException("Subtraction, the `-` operator, with two bool tensors is not "
                    + "supported. Use the `^` or `logical_xor()` operator instead.");
        }
        Tensor out = Elementwise.binary(BinaryOp.SUB, a, b, t);
        if (!Autograd.needsGrad(a, b)) {
            return out;
        }
        Target ta = Target.of(a);
        Target tb = Target.of(b);
        return Autograd.record("SubBackward", out, new Tensor[] {a, b}, new Tensor[0], (n, g) -> new Tensor[] {
            n.needsInputGrad(0) ? ta.reduce(g) : null,
            n.needsInputGrad(1) ? tb.reduce(neg(g)) : null});
    }

    public static Tensor mul(Tensor a, Tensor b) {
        Tensor out = Elementwise.binary(BinaryOp.MUL, a, b, resultType(a, b));
        if (!Autograd.needsGrad(a, b)) {
            return out;
        }
        Target ta = Target.of(a);
        Target tb = Target.of(b);
        // d/da = g * b, d/db = g * a
        return Autograd.record("MulBackward", out, new Tensor[] {a, b}, new Tensor[] {a, b}, (n, g) -> new Tensor[] {
            n.needsInputGrad(0) ? ta.reduce(mul(g, n.saved(1))) : null,
            n.needsInputGrad(1) ? tb.reduce(mul(g, n.saved(0))) : null});
    }

    /** True division: integer inputs give FP32. */
    public static Tensor div(Tensor a, Tensor b) {
        DType t = resultType(a, b).floatingOrDefault();
        Tensor out = Elementwise.binary(BinaryOp.DIV, a, b, t);
        if (!Autograd.needsGrad(a, b)) {
            return out;
        }
        Target ta = Target.of(a);
        Target tb = Target.of(b);
        // d/da = g / b, d/db = -g * ((a / b) / b)
        return Autograd.record("DivBackward", out, new Tensor[] {a, b}, new Tensor[] {a, b}, (n, g) -> new Tensor[] {
            n.needsInputGrad(0) ? ta.reduce(div(g, n.saved(1))) : null,
            n.needsInputGrad(1) ? tb.reduce(mul(neg(g), div(div(n.saved(0), n.saved(1)), n.saved(1)))) : null});
    }

    /** a ** b elementwise; integer tensors stay integers. */
    public static Tensor pow(Tensor a, Tensor b) {
        Tensor out = Elementwise.binary(BinaryOp.POW, a, b, resultType(a, b));
        if (!Autograd.needsGrad(a, b)) {
            return out;
        }
        Target ta = Target.of(a);
        Target tb = Target.of(b);
        return Autograd.record("PowBackward", out, new Tensor[] {a, b}, new Tensor[] {a, b, out},
                (n, g) -> new Tensor[] {
                    n.needsInputGrad(0) ? ta.reduce(powBaseGrad(g, n.saved(0), n.saved(1))) : null,
                    n.needsInputGrad(1) ? tb.reduce(powExponentGrad(g, n.saved(0), n.saved(1), n.saved(2))) : null});
    }

    /** where(b == 0, 0, g * b * a^(b-1)). */
    private static Tensor powBaseGrad(Tensor g, Tensor a, Tensor b) {
        Tensor d = mul(g, mul(b, pow(a, sub(b, 1.0))));
        return where(eq(b, 0.0), 0.0, d);
    }

    /** g * where(a == 0 and b >= 0, 0, y * log(a)). */
    private static Tensor powExponentGrad(Tensor g, Tensor a, Tensor b, Tensor y) {
        Tensor zeroBase = logicalAnd(eq(a, 0.0), ge(b, 0.0));
        return mul(g, where(zeroBase, 0.0, mul(y, log(a))));
    }

    /** Elementwise maximum; at ties each input gets half the gradient, as in PyTorch. */
    public static Tensor maximum(Tensor a, Tensor b) {
        return minMax("MaximumBackward", BinaryOp.MAXIMUM, a, b);
    }

    /** Elementwise minimum; at ties each input gets half the gradient, as in PyTorch. */
    public static Tensor minimum(Tensor a, Tensor b) {
        return minMax("MinimumBackward", BinaryOp.MINIMUM, a, b);
    }

    private static Tensor minMax(String name, BinaryOp op, Tensor a, Tensor b) {
        Tensor out = Elementwise.binary(op, a, b, resultType(a, b));
        if (!Autograd.needsGrad(a, b)) {
            return out;
        }
        Target ta = Target.of(a);
        Target tb = Target.of(b);
        boolean max = op == BinaryOp.MAXIMUM;
        return Autograd.record(name, out, new Tensor[] {a, b}, new Tensor[] {a, b}, (n, g) -> {
            Tensor x = n.saved(0);
            Tensor y = n.saved(1);
            Tensor shared = where(eq(x, y), mul(g, 0.5), g);
            return new Tensor[] {
                n.needsInputGrad(0) ? ta.reduce(where(max ? lt(x, y) : gt(x, y), 0.0, shared)) : null,
                n.needsInputGrad(1) ? tb.reduce(where(max ? gt(x, y) : lt(x, y), 0.0, shared)) : null};
        });
    }

    // ---- scalar forms (a double acts as a Python float, a long as a Python int) -----------------------------------

    public static Tensor add(Tensor a, double b) {
        return add(a, scalarFor(a, b));
    }

    public static Tensor add(Tensor a, long b) {
        return add(a, scalarFor(a, b));
    }

    public static Tensor sub(Tensor a, double b) {
        return sub(a, scalarFor(a, b));
    }

    public static Tensor sub(Tensor a, long b) {
        return sub(a, scalarFor(a, b));
    }

    /** {@code a - b} for a scalar {@code a} (PyTorch's rsub). */
    public static Tensor sub(double a, Tensor b) {
        return sub(scalarFor(b, a), b);
    }

    public static Tensor mul(Tensor a, double b) {
        return mul(a, scalarFor(a, b));
    }

    public static Tensor mul(Tensor a, long b) {
        return mul(a, scalarFor(a, b));
    }

    public static Tensor div(Tensor a, double b) {
        return div(a, scalarFor(a, b));
    }

    /** {@code a / b} for a scalar {@code a}. */
    public static Tensor div(double a, Tensor b) {
        return div(scalarFor(b, a), b);
    }

    /** {@code x ** exponent}; integer inputs give FP32 (a float exponent). */
    public static Tensor pow(Tensor x, double exponent) {
        return unaryOp("PowBackward", UnaryOp.POW, exponent, 0, x.dtype().isFloatingPoint() ? x : x.dataAs(DType.FP32));
    }

    /** {@code x ** exponent}; integer inputs stay integers (bool becomes int64). */
    public static Tensor pow(Tensor x, long exponent) {
        if (x.dtype().isFloatingPoint()) {
            return pow(x, (double) exponent);
        }
        if (exponent < 0) {
            throw new IllegalArgumentException("Integers to negative integer powers are not allowed (got exponent "
                    + exponent + " for a " + x.dtype().torchName() + " tensor)");
        }
        return Elementwise.unary(UnaryOp.POW, exponent, 0, x.dataAs(Elementwise.scalarType(x.dtype(), false)));
    }

    // ---- comparisons and logical ops (BOOL, no gradient) --------------------------------------------------------

    public static Tensor eq(Tensor a, Tensor b) {
        return compare(BinaryOp.EQ, a, b);
    }

    public static Tensor ne(Tensor a, Tensor b) {
        return compare(BinaryOp.NE, a, b);
    }

    public static Tensor lt(Tensor a, Tensor b) {
        return compare(BinaryOp.LT, a, b);
    }

    public static Tensor le(Tensor a, Tensor b) {
        return compare(BinaryOp.LE, a, b);
    }

    public static Tensor gt(Tensor a, Tensor b) {
        return compare(BinaryOp.GT, a, b);
    }

    public static Tensor ge(Tensor a, Tensor b) {
        return compare(BinaryOp.GE, a, b);
    }

    /**
     * Comparisons with a scalar. A whole-number scalar compared with an integer tensor compares exactly as an
     * integer (PyTorch would compare a Python float in FP32, which agrees wherever FP32 is exact).
     */
    public static Tensor eq(Tensor a, double b) {
        return compare(BinaryOp.EQ, a, comparand(a, b));
    }

    public static Tensor ne(Tensor a, double b) {
        return compare(BinaryOp.NE, a, comparand(a, b));
    }

    public static Tensor lt(Tensor a, double b) {
        return compare(BinaryOp.LT, a, comparand(a, b));
    }

    public static Tensor le(Tensor a, double b) {
        return compare(BinaryOp.LE, a, comparand(a, b));
    }

    public static Tensor gt(Tensor a, double b) {
        return compare(BinaryOp.GT, a, comparand(a, b));
    }

    public static Tensor ge(Tensor a, double b) {
        return compare(BinaryOp.GE, a, comparand(a, b));
    }

    public static Tensor logicalAnd(Tensor a, Tensor b) {
        return compare(BinaryOp.LOGICAL_AND, a, b);
    }

    public static Tensor logicalOr(Tensor a, Tensor b) {
        return compare(BinaryOp.LOGICAL_OR, a, b);
    }

    private static Tensor compare(BinaryOp op, Tensor a, Tensor b) {
        return Elementwise.binary(op, a, b, resultType(a, b));
    }

    private static Tensor comparand(Tensor a, double b) {
        boolean whole = b == Math.rint(b) && Math.abs(b) < 0x1p62;
        return !a.dtype().isFloatingPoint() && whole ? scalarFor(a, (long) b) : scalarFor(a, b);
    }

    // ---- where --------------------------------------------------------------------------------------------------

    /** {@code condition ? a : b} elementwise (condition is BOOL), broadcasting all three. */
    public static Tensor where(Tensor condition, Tensor a, Tensor b) {
        Tensor out = Elementwise.where(condition, a, b, resultType(a, b));
        if (!Autograd.needsGrad(a, b)) {
            return out;
        }
        Target ta = Target.of(a);
        Target tb = Target.of(b);
        return Autograd.record("WhereBackward", out, new Tensor[] {condition, a, b}, new Tensor[] {condition},
                (n, g) -> new Tensor[] {
                    null,
                    n.needsInputGrad(1) ? ta.reduce(where(n.saved(0), g, 0.0)) : null,
                    n.needsInputGrad(2) ? tb.reduce(where(n.saved(0), 0.0, g)) : null});
    }

    public static Tensor where(Tensor condition, Tensor a, double b) {
        return where(condition, a, scalarFor(a, b));
    }

    public static Tensor where(Tensor condition, double a, Tensor b) {
        return where(condition, scalarFor(b, a), b);
    }

    // ---- unary math -----------------------------------------------------------------------------------------------

    public static Tensor neg(Tensor x) {
        return unaryOp("NegBackward", UnaryOp.NEG, 0, 0, x);
    }

    public static Tensor abs(Tensor x) {
        return unaryOp("AbsBackward", UnaryOp.ABS, 0, 0, x);
    }

    public static Tensor exp(Tensor x) {
        return unaryOp("ExpBackward", UnaryOp.EXP, 0, 0, x);
    }

    public static Tensor log(Tensor x) {
        return unaryOp("LogBackward", UnaryOp.LOG, 0, 0, x);
    }

    public static Tensor sqrt(Tensor x) {
        return unaryOp("SqrtBackward", UnaryOp.SQRT, 0, 0, x);
    }

    public static Tensor rsqrt(Tensor x) {
        return unaryOp("RsqrtBackward", UnaryOp.RSQRT, 0, 0, x);
    }

    public static Tensor sin(Tensor x) {
        return unaryOp("SinBackward", UnaryOp.SIN, 0, 0, x);
    }

    public static Tensor cos(Tensor x) {
        return unaryOp("CosBackward", UnaryOp.COS, 0, 0, x);
    }

    public static Tensor reciprocal(Tensor x) {
        return unaryOp("ReciprocalBackward", UnaryOp.RECIPROCAL, 0, 0, x);
    }

    public static Tensor square(Tensor x) {
        return unaryOp("PowBackward", UnaryOp.SQUARE, 0, 0, x);
    }

    /** -1, 0 or 1 by sign (0 for NaN); its gradient is 0. */
    public static Tensor sign(Tensor x) {
        return unaryOp("SignBackward", UnaryOp.SIGN, 0, 0, x);
    }

    /**
     * Clamps into [min, max]; a null bound is absent (at least one must be given). The gradient passes where
     * min &lt;= x &lt;= max. Integer tensors stay integers when the given bounds are whole numbers, else compute in FP32.
     */
    public static Tensor clamp(Tensor x, Double min, Double max) {
        if (min == null && max == null) {
            throw new IllegalArgumentException("torch.clamp: At least one of 'min' or 'max' must not be None");
        }
        double lo = min == null ? Double.NaN : min;
        double hi = max == null ? Double.NaN : max;
        boolean whole = (min == null || lo == Math.rint(lo)) && (max == null || hi == Math.rint(hi));
        Tensor in = x.dtype().isFloatingPoint() || (whole && x.dtype() != DType.BOOL) ? x : x.dataAs(DType.FP32);
        return unaryOp("ClampBackward", UnaryOp.CLAMP, lo, hi, in);
    }

    /** {@link #clamp(Tensor, Double, Double)} with both bounds (accepts int literals). */
    public static Tensor clamp(Tensor x, double min, double max) {
        return clamp(x, Double.valueOf(min), Double.valueOf(max));
    }

    public static Tensor clampMin(Tensor x, double min) {
        return clamp(x, min, null);
    }

    public static Tensor clampMax(Tensor x, double max) {
        return clamp(x, null, max);
    }

    /**
     * Runs a unary op and records its gradient, computed by the op's gradient kernel from the saved input (or
     * output, see {@link UnaryOp#gradFromOutput()}). Floating ops compute integer inputs in FP32.
     */
    static Tensor unaryOp(String name, UnaryOp op, double p0, double p1, Tensor x) {
        Tensor in = x;
        if (op.needsFloat() && !x.dtype().isFloatingPoint()) {
            in = x.dataAs(DType.FP32);
        } else if (!x.dtype().isFloatingPoint() && x.dtype() == DType.BOOL) {
            throw new IllegalArgumentException(name.replace("Backward", "").toLowerCase()
                    + " is not supported on bool tensors");
        }
        Tensor out = Elementwise.unary(op, p0, p1, in);
        if (!Autograd.needsGrad(x)) {
            return out;
        }
        if (op == UnaryOp.NEG) {
            return Autograd.record(name, out, new Tensor[] {x}, new Tensor[0], (n, g) -> new Tensor[] {neg(g)});
        }
        Tensor saved = op.gradFromOutput() ? out : x;
        return Autograd.record(name, out, new Tensor[] {x}, new Tensor[] {saved}, (n, g) -> new Tensor[] {
            Elementwise.unaryBackward(op, p0, p1, g, n.saved(0))});
    }
}
