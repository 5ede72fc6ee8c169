package io.nabla.autograd;

import static io.nabla.autograd.Elementwise.layoutFor;
import static io.nabla.autograd.Elementwise.resultType;
import static io.nabla.autograd.Elementwise.scalarFor;

import io.nabla.backend.BinaryOp;
import io.nabla.backend.DType;
import io.nabla.backend.ElementwiseKernels;
import io.nabla.backend.TernaryOp;
import io.nabla.backend.UnaryOp;
import io.nabla.tensor.Shape;
import io.nabla.tensor.Tensor;
import java.util.Arrays;

/**
 * In-place elementwise updates ({@code add_}, {@code mul_}, {@code addcmul_}, ...), as optimizers and users apply them
 * to parameters and buffers. Each writes into {@code self}'s view (any strides), bumps its storage's version (so a
 * saved tensor that changed is caught by backward) and returns {@code self}. The other operands broadcast to
 * {@code self}'s shape; the result type is PyTorch's and must be castable to {@code self}'s dtype.
 *
 * <p>These ops record no gradient. While grad mode is on they refuse a target that requires grad (a leaf, with
 * PyTorch's message, or a tensor in the graph) and operands that require grad; run them inside
 * {@link GradMode#disable()} (as optimizers do) or use the out-of-place ops of {@link ElementwiseOps}.
 */
public final class InPlaceOps {

    private InPlaceOps() {
    }

    /** self += other. */
    public static Tensor add_(Tensor self, Tensor other) {
        return binary("add_", BinaryOp.ADD, self, other);
    }

    /** self += alpha * other (PyTorch's {@code add_(other, alpha=...)}). */
    public static Tensor add_(Tensor self, Tensor other, double alpha) {
        if (!self.dtype().isFloatingPoint() && alpha != Math.rint(alpha)) {
            throw new IllegalArgumentException("add_: for integral input tensors, argument alpha must not be a "
                    + "floating point number (got " + alpha + ")");
        }
        return ternary("add_", TernaryOp.ADDCMUL, alpha, self, other, scalarFor(self, 1L));
    }

    public static Tensor add_(Tensor self, double value) {
        return add_(self, scalarFor(self, value));
    }

    /** self -= other. */
    public static Tensor sub_(Tensor self, Tensor other) {
        return binary("sub_", BinaryOp.SUB, self, other);
    }

    /** self -= alpha * other. */
    public static Tensor sub_(Tensor self, Tensor other, double alpha) {
        return add_(self, other, -alpha);
    }

    public static Tensor sub_(Tensor self, double value) {
        return sub_(self, scalarFor(self, value));
    }

    /** self *= other. */
    public static Tensor mul_(Tensor self, Tensor other) {
        return binary("mul_", BinaryOp.MUL, self, other);
    }

    public static Tensor mul_(Tensor self, double value) {
        return mul_(self, scalarFor(self, value));
    }

    /** self /= other (true division: integer targets are refused). */
    public static Tensor div_(Tensor self, Tensor other) {
        return binary("div_", BinaryOp.DIV, self, other);
    }

    public static Tensor div_(Tensor self, double value) {
        return div_(self, scalarFor(self, value));
    }

    /** self += value * t1 * t2, computed left to right as PyTorch does. */
    public static Tensor addcmul_(Tensor self, Tensor t1, Tensor t2, double value) {
        return ternary("addcmul_", TernaryOp.ADDCMUL, value, self, t1, t2);
    }

    /** self += value * t1 / t2, computed left to right as PyTorch does. */
    public static Tensor addcdiv_(Tensor self, Tensor t1, Tensor t2, double value) {
        return ternary("addcdiv_", TernaryOp.ADDCDIV, value, self, t1, t2);
    }

    /** Clamps self into [min, max] in place; a null bound is absent. */
    public static Tensor clamp_(Tensor self, Double min, Double max) {
        if (min == null && max == null) {
            throw new IllegalArgumentException("clamp_: At least one of 'min' or 'max' must not be None");
        }
        double lo = min == null ? Double.NaN : min;
        double hi = max == null ? Double.NaN : max;
        boolean whole = (min == null || lo == Math.rint(lo)) && (max == null || hi == Math.rint(hi));
        Elementwise.checkCast("clamp_", self.dtype().isFloatingPoint() || whole ? self.dtype() : DType.FP32,
                self.dtype());
        checkTarget("clamp_", self);
        self.backend().elementwise().unary(UnaryOp.CLAMP, lo, hi, self.memory(), self.layout(), self.memory(),
                self.layout(), self.dtype());
        self.bumpVersion();
        return self;
    }

    /** {@link #clamp_(Tensor, Double, Double)} with both bounds (accepts int literals). */
    public static Tensor clamp_(Tensor self, double min, double max) {
        return clamp_(self, Double.valueOf(min), Double.valueOf(max));
    }

    // ---- plumbing ---------------------------------------------------------------------------------------------

    private static Tensor binary(String name, BinaryOp op, Tensor self, Tensor other) {
        DType t = resultType(self, other);
        if (op == BinaryOp.DIV) {
            t = t.floatingOrDefault();
        } else if (op == BinaryOp.SUB && t == DType.BOOL) {
            throw new IllegalArgumentException("Subtraction, the `-` operator, with two bool tensors is not "
                    + "supported. Use the `^` or `logical_xor()` operator instead.");
        }
        Elementwise.checkCast(name, t, self.dtype());
        checkTarget(name, self, other);
        Tensor a = self.dataAs(t);
        Tensor b = operand(other, self, t);
        int[] shape = self.shape();
        kernels(self).binary(op, a.memory(), a.layout(), b.memory(), layoutFor(b, shape), t, self.memory(),
                self.layout(), self.dtype());
        self.bumpVersion();
        return self;
    }

    private static Tensor ternary(String name, TernaryOp op, double value, Tensor self, Tensor t1, Tensor t2) {
        DType t = resultType(self, t1, t2);
        if (op == TernaryOp.ADDCDIV && !t.isFloatingPoint()) {
            throw new IllegalArgumentException(name + ": integer division with addcdiv is no longer supported; "
                    + "got " + self.dtype().torchName() + ", " + t1.dtype().torchName() + " and "
                    + t2.dtype().torchName() + " tensors");
        }
        Elementwise.checkCast(name, t, self.dtype());
        checkTarget(name, self, t1, t2);
        Tensor a = self.dataAs(t);
        Tensor b = operand(t1, self, t);
        Tensor c = operand(t2, self, t);
        int[] shape = self.shape();
        kernels(self).ternary(op, value, a.memory(), a.layout(), b.memory(), layoutFor(b, shape), c.memory(),
                layoutFor(c, shape), t, self.memory(), self.layout(), self.dtype());
        self.bumpVersion();
        return self;
    }

    /** Checks the target and the operands: grad mode, device, broadcast to self's shape, no self-overlap. */
    private static void checkTarget(String name, Tensor self, Tensor... others) {
        if (GradMode.isEnabled()) {
            if (self.requiresGrad() && self.isLeaf()) {
                throw new IllegalArgumentException("a leaf Variable that requires grad is being used in an in-place "
                        + "operation.");
            }
            boolean graph = self.requiresGrad();
            for (Tensor o : others) {
                graph |= o.requiresGrad();
            }
            if (graph) {
                throw new IllegalArgumentException(name + " records no gradient, but grad mode is on and an operand "
                        + "requires grad; use the out-of-place op, or run it inside GradMode.disable()");
            }
        }
        Tensor[] all = new Tensor[others.length + 1];
        all[0] = self;
        System.arraycopy(others, 0, all, 1, others.length);
        Elementwise.sameDevice(name, all);
        int[] shape = self.shape();
        for (Tensor o : others) {
            int[] b = Elementwise.broadcastShape(name, self, o);
            if (!Arrays.equals(b, shape)) {
                throw new IllegalArgumentException(name + ": output with shape " + Shape.format(shape)
                        + " doesn't match the broadcast shape " + Shape.format(b));
            }
        }
        int[] strides = self.strides();
        for (int d = 0; d < shape.length; d++) {
            if (strides[d] == 0 && shape[d] > 1) {
                throw new IllegalArgumentException(name + ": unsupported operation: more than one element of the "
                        + "written-to tensor " + Shape.format(shape) + " (strides " + Shape.format(strides)
                        + ") refers to a single memory location. Please clone() the tensor before performing the "
                        + "operation.");
            }
        }
    }

    /** An operand in the compute dtype, copied first when it shares self's memory through a different view. */
    private static Tensor operand(Tensor o, Tensor self, DType t) {
        boolean sameView = o.offset() == self.offset() && Arrays.equals(o.shape(), self.shape())
                && Arrays.equals(o.strides(), self.strides()) && o.dtype() == self.dtype();
        if (o.storage() == self.storage() && !sameView) {
            return o.dtype() == t ? o.dataCopy() : o.dataAs(t);
        }
        return o.dataAs(t);
    }

    private static ElementwiseKernels kernels(Tensor self) {
        return self.backend().elementwise();
    }
}
