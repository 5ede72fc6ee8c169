package io.nabla.autograd;

import io.nabla.backend.BinaryOp;
import io.nabla.backend.DType;
import io.nabla.backend.Layout;
import io.nabla.backend.UnaryOp;
import io.nabla.tensor.Shape;
import io.nabla.tensor.Tensor;

/**
 * Runs elementwise kernels on tensors without recording gradients: PyTorch's result types, broadcasting of operand
 * layouts (stride 0, no copies), output allocation and the reduction of broadcast gradients. The differentiable ops
 * in {@link ElementwiseOps}, {@link ActivationOps} and {@link InPlaceOps} are built on it.
 */
final class Elementwise {

    private Elementwise() {
    }

    // ---- result types ---------------------------------------------------------------------------------------

    /**
     * {@code torch.result_type(a, b)}: dtypes promote within the operands of the highest priority, where tensors
     * with dimensions outrank 0-dim tensors, unless a 0-dim tensor is of a higher category (bool &lt; integer &lt;
     * floating), which then decides.
     */
    static DType resultType(Tensor a, Tensor b) {
        return resultType(new Tensor[] {a, b});
    }

    /** {@link #resultType(Tensor, Tensor)} over any number of tensors. */
    static DType resultType(Tensor... ts) {
        DType dimmed = null;
        DType zero = null;
        for (Tensor t : ts) {
            if (t.dim() == 0) {
                zero = zero == null ? t.dtype() : DType.promote(zero, t.dtype());
            } else {
                dimmed = dimmed == null ? t.dtype() : DType.promote(dimmed, t.dtype());
            }
        }
        if (dimmed == null || zero == null) {
            return dimmed == null ? zero : dimmed;
        }
        return zero.kind().ordinal() > dimmed.kind().ordinal() ? zero : dimmed;
    }

    /** The dtype of {@code t op scalar}: a float scalar makes integer and bool tensors FP32, an int scalar bool ones INT64. */
    static DType scalarType(DType t, boolean floatScalar) {
        if (floatScalar) {
            return t.isFloatingPoint() ? t : DType.FP32;
        }
        return t == DType.BOOL ? DType.INT64 : t;
    }

    /** A 0-dim tensor holding a Python-float-like scalar, typed to combine with {@code like} as PyTorch does. */
    static Tensor scalarFor(Tensor like, double value) {
        return Tensor.full(value, scalarType(like.dtype(), true), like.device());
    }

    /** A 0-dim tensor holding a Python-int-like scalar, typed to combine with {@code like} as PyTorch does. */
    static Tensor scalarFor(Tensor like, long value) {
        DType t = scalarType(like.dtype(), false);
        if (t.isIntegral() && (value > (1L << 53) || value < -(1L << 53)) && like.device().isCpu()) {
            return Tensor.of(new long[] {value}).dataAs(t); // beyond doubles' exact integers
        }
        return Tensor.full(value, t, like.device());
    }

    /** PyTorch's canCast: floating results cannot be written into integer tensors, nor non-bool results into bool. */
    static void checkCast(String op, DType result, DType target) {
        boolean ok = !(result.isFloatingPoint() && !target.isFloatingPoint())
                && !(result != DType.BOOL && target == DType.BOOL);
        if (!ok) {
            throw new IllegalArgumentException(op + ": result type " + result.torchName()
                    + " can't be cast to the desired output type " + target.torchName());
        }
    }

    // ---- shapes and layouts ---------------------------------------------------------------------------------

    static void sameDevice(String op, Tensor... ts) {
        for (Tensor t : ts) {
            if (!t.device().equals(ts[0].device())) {
                throw new IllegalArgumentException(op + ": expected all tensors to be on the same device, but found "
                        + "at least two devices, " + ts[0].device() + " and " + t.device());
            }
        }
    }

    /** The broadcast shape of the operands, or an error naming the op and both shapes. */
    static int[] broadcastShape(String op, Tensor... ts) {
        int[] shape = ts[0].shape();
        for (int i = 1; i < ts.length; i++) {
            try {
                shape = Shape.broadcast(shape, ts[i].shape());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(op + ": " + e.getMessage(), e);
            }
        }
        return shape;
    }

    /** The layout of {@code t} broadcast to {@code shape}: stride 0 along new and expanded dimensions. */
    static Layout layoutFor(Tensor t, int[] shape) {
        int[] ts = t.shape();
        int[] st = t.strides();
        int lead = shape.length - ts.length;
        int[] strides = new int[shape.length];
        for (int d = lead; d < shape.length; d++) {
            int size = ts[d - lead];
            strides[d] = size == 1 && shape[d] != 1 ? 0 : st[d - lead];
        }
        return new Layout(shape.clone(), strides, t.offset());
    }

    // ---- kernels on tensors -----------------------------------------------------------------------------------

    /** {@code op(x)} into a new tensor of x's dtype and shape. */
    static Tensor unary(UnaryOp op, double p0, double p1, Tensor x) {
        Tensor out = Tensor.empty(x.dtype(), x.device(), x.shape());
        x.backend().elementwise().unary(op, p0, p1, x.memory(), x.layout(), out.memory(), out.layout(), x.dtype());
        return out;
    }

    /** The input gradient of {@code op} from the output gradient and the saved input (or output). */
    static Tensor unaryBackward(UnaryOp op, double p0, double p1, Tensor g, Tensor saved) {
        DType t = saved.dtype();
        Tensor gt = g.dataAs(t);
        Tensor out = Tensor.empty(t, saved.device(), saved.shape());
        saved.backend().elementwise().unaryBackward(op, p0, p1, gt.memory(), gt.layout(), saved.memory(),
                saved.layout(), out.memory(), out.layout(), t);
        return out;
    }

    /** {@code op(a, b)} computed in {@code compute} over the broadcast shape; comparisons give BOOL. */
    static Tensor binary(BinaryOp op, Tensor a, Tensor b, DType compute) {
        String name = op.name().toLowerCase();
        sameDevice(name, a, b);
        int[] shape = broadcastShape(name, a, b);
        Tensor x = a.dataAs(compute);
        Tensor y = b.dataAs(compute);
        DType outType = op.isComparison() ? DType.BOOL : compute;
        Tensor out = Tensor.empty(outType, a.device(), shape);
        a.backend().elementwise().binary(op, x.memory(), layoutFor(x, shape), y.memory(), layoutFor(y, shape),
                compute, out.memory(), out.layout(), outType);
        return out;
    }

    /** {@code cond ? a : b} computed in {@code compute} over the broadcast shape of all three. */
    static Tensor where(Tensor cond, Tensor a, Tensor b, DType compute) {
        if (cond.dtype() != DType.BOOL) {
            throw new IllegalArgumentException("where expected condition to be a boolean tensor, but got a tensor "
                    + "with dtype " + cond.dtype().torchName());
        }
        sameDevice("where", cond, a, b);
        int[] shape = broadcastShape("where", cond, a, b);
        Tensor x = a.dataAs(compute);
        Tensor y = b.dataAs(compute);
        Tensor out = Tensor.empty(compute, a.device(), shape);
        a.backend().elementwise().where(cond.memory(), layoutFor(cond, shape), x.memory(), layoutFor(x, shape),
                y.memory(), layoutFor(y, shape), compute, out.memory(), out.layout());
        return out;
    }

    // ---- gradients ------------------------------------------------------------------------------------------

    /** What a gradient must match: an input's shape and dtype (kept instead of the input itself). */
    record Target(int[] shape, DType dtype) {
        static Target of(Tensor t) {
            return new Target(t.shape(), t.dtype());
        }

        /** Sums a broadcast gradient down to the input's shape and converts it to the input's dtype. */
        Tensor reduce(Tensor g) {
            Tensor r = ReduceOps.sumToShape(g, shape);
            return r.dtype() == dtype ? r : r.dataAs(dtype);
        }
    }
}
