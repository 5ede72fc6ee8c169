package io.nabla.autograd;

import io.nabla.backend.Layout;
import io.nabla.tensor.Shape;
import io.nabla.tensor.Tensor;
import java.util.Arrays;

/**
 * Matrix products with PyTorch's semantics and their gradients: {@code matmul} (vector, matrix and broadcast batched
 * operands), {@code mm}, {@code bmm} and {@code linear}. Every product is one call of the backend's batched GEMM
 * (see {@link MatrixProducts}); backward rules follow their forward op.
 */
public final class LinalgOps {

    private LinalgOps() {
    }

    // ---- matmul ------------------------------------------------------------------------------------------------

    /**
     * PyTorch's {@code matmul}: 1D·1D is a dot product (0-dim), a 1D left operand is a row vector and a 1D right
     * operand a column vector (the added dim is removed again), and operands of rank >= 3 are batches of matrices
     * whose batch dims broadcast, e.g. (2, 1, 3, 4) · (5, 4, 2) gives (2, 5, 3, 2). Under {@link Autocast},
     * computed in its lower precision.
     */
    public static Tensor matmul(Tensor a, Tensor b) {
        a = Autocast.lower(a);
        b = Autocast.lower(b);
        MatrixProducts.checkOperands("matmul", a, b);
        if (a.dim() == 0 || b.dim() == 0) {
            throw new IllegalArgumentException("both arguments to matmul need to be at least 1D, but they are "
                    + a.dim() + "D and " + b.dim() + "D");
        }
        Tensor a2 = a.dim() == 1 ? asRow(a) : a.detach();
        Tensor b2 = b.dim() == 1 ? asColumn(b) : b.detach();
        checkInner(a, b, a2.size(-1), b2.size(-2));
        int[] batch = batchShape(a, b, a2, b2);
        Tensor full = MatrixProducts.product(a2, b2); // (batch..., m, n)
        int[] outShape = matmulShape(batch, a, b, a2.size(-2), b2.size(-1));
        Tensor out = full.asStrided(outShape, Shape.contiguousStrides(outShape), 0);
        if (!Autograd.needsGrad(a, b)) {
            return out;
        }
        int[] fullShape = full.shape();
        return Autograd.record("MatmulBackward", out, new Tensor[] {a, b}, new Tensor[] {a, b}, (node, g) -> {
            Tensor g2 = ShapeOps.reshape(g, fullShape);
            Tensor x = node.saved(0);
            Tensor y = node.saved(1);
            Tensor x2 = x.dim() == 1 ? asRow(x) : x;
            Tensor y2 = y.dim() == 1 ? asColumn(y) : y;
            Tensor ga = node.needsInputGrad(0) ? leftGrad(g2, y2, x.shape()) : null;
            Tensor gb = node.needsInputGrad(1) ? rightGrad(x2, g2, y.shape()) : null;
            return new Tensor[] {ga, gb};
        });
    }

    private static int[] batchShape(Tensor a, Tensor b, Tensor a2, Tensor b2) {
        int[] ba = Arrays.copyOf(a2.shape(), a2.dim() - 2);
        int[] bb = Arrays.copyOf(b2.shape(), b2.dim() - 2);
        try {
            return Shape.broadcast(ba, bb);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot matmul " + Shape.format(a.shape()) + " by "
                    + Shape.format(b.shape()) + ": batch dims " + Shape.format(ba) + " and " + Shape.format(bb)
                    + " do not broadcast", e);
        }
    }

    private static int[] matmulShape(int[] batch, Tensor a, Tensor b, int m, int n) {
        int[] s = Arrays.copyOf(batch, batch.length + 2);
        int k = batch.length;
        if (a.dim() > 1) {
            s[k++] = m;
        }
        if (b.dim() > 1) {
            s[k++] = n;
        }
        return Arrays.copyOf(s, k);
    }

    /** d(a·b)/da for the upstream {@code g} (..., m, n): g · bᵀ summed over broadcast batch dims, in a's shape. */
    private static Tensor leftGrad(Tensor g, Tensor b2, int[] aShape) {
        Tensor ga = MatrixProducts.product(g, ShapeOps.transpose(b2, -1, -2));
        return ShapeOps.reshape(ReduceOps.sumToShape(ga, batchedShape(aShape, true)), aShape);
    }

    /** d(a·b)/db: aᵀ · g summed over broadcast batch dims, in b's shape; one product when b has no batch dims. */
    private static Tensor rightGrad(Tensor a2, Tensor g, int[] bShape) {
        if (bShape.length <= 2 && g.dim() > 2) {
            // sum over the batch of a_iᵀ g_i is one product of the batch stacked into rows: (k, B*m) x (B*m, n)
            Tensor rows = ShapeOps.reshape(ShapeOps.expand(a2, expandedLeft(a2, g)), -1, a2.size(-1));
            Tensor gRows = ShapeOps.reshape(g, -1, g.size(-1));
            return ShapeOps.reshape(MatrixProducts.product(ShapeOps.t(rows), gRows), bShape);
        }
        Tensor gb = MatrixProducts.product(ShapeOps.transpose(a2, -1, -2), g);
        return ShapeOps.reshape(ReduceOps.sumToShape(gb, batchedShape(bShape, false)), bShape);
    }

    private static int[] expandedLeft(Tensor a2, Tensor g) {
        int[] s = g.shape();
        s[s.length - 1] = a2.size(-1);
        return s;
    }

    /** The shape an operand has inside the product: a vector becomes (1, k) on the left, (k, 1) on the right. */
    private static int[] batchedShape(int[] shape, boolean left) {
        if (shape.length != 1) {
            return shape;
        }
        return left ? new int[] {1, shape[0]} : new int[] {shape[0], 1};
    }

    private static Tensor asRow(Tensor v) {
        return v.detach().asStrided(new int[] {1, v.size(0)}, new int[] {Math.max(1, v.size(0) * v.stride(0)),
                v.stride(0)}, v.offset());
    }

    private static Tensor asColumn(Tensor v) {
        return v.detach().asStrided(new int[] {v.size(0), 1}, new int[] {v.stride(0), 1}, v.offset());
    }

    private static void checkInner(Tensor a, Tensor b, int ka, int kb) {
        if (ka != kb) {
            throw new IllegalArgumentException("cannot matmul " + Shape.format(a.shape()) + " by "
                    + Shape.format(b.shape()) + ": inner dims " + ka + " != " + kb);
        }
    }

    // ---- mm, bmm -----------------------------------------------------------------------------------------------

    /** Product of two matrices (m, k) · (k, n); no broadcasting. */
    public static Tensor mm(Tensor a, Tensor b) {
        a = Autocast.lower(a);
        b = Autocast.lower(b);
        MatrixProducts.checkOperands("mm", a, b);
        if (a.dim() != 2 || b.dim() != 2) {
            throw new IllegalArgumentException("mm: expected two 2-D matrices, got " + Shape.format(a.shape())
                    + " and " + Shape.format(b.shape()));
        }
        checkInner(a, b, a.size(1), b.size(0));
        return matmul(a, b);
    }

    /** Product of two batches of matrices (B, m, k) · (B, k, n) with equal B; no broadcasting. */
    public static Tensor bmm(Tensor a, Tensor b) {
        a = Autocast.lower(a);
        b = Autocast.lower(b);
        MatrixProducts.checkOperands("bmm", a, b);
        if (a.dim() != 3 || b.dim() != 3) {
            throw new IllegalArgumentException("bmm: expected two 3-D batches of matrices, got "
                    + Shape.format(a.shape()) + " and " + Shape.format(b.shape()));
        }
        if (a.size(0) != b.size(0)) {
            throw new IllegalArgumentException("bmm: batch sizes differ: " + Shape.format(a.shape()) + " and "
                    + Shape.format(b.shape()));
        }
        checkInner(a, b, a.size(2), b.size(1));
        return matmul(a, b);
    }

    // ---- linear ------------------------------------------------------------------------------------------------

    /**
     * {@code input · weightᵀ + bias} over the last dim: input (..., in) or (in), weight (out, in), bias (out) or
     * null; the result is (..., out) or (out). Under {@link Autocast}, computed in its lower precision.
     */
    /**
     * {@code linear} with an INT8 weight, dynamically quantized as {@link io.nabla.backend.Int8} defines (what
     * {@code torch.ao.nn.quantized.dynamic.Linear} computes, with one scale per input row): {@code input} (*, k),
     * floating, is read as FP32 and quantized row by row; {@code weight} (n, k) INT8 with its row scales
     * {@code scale} (FP32, n) and row sums {@code sum} (INT32, n), {@code bias} FP32 (n) or null. The output is FP32
     * (*, n). Inference only: an input that requires its gradient is refused, as PyTorch's quantized layers have
     * none. A row holding a NaN or an infinity has no quantization: its outputs are NaN, the other rows' are not
     * affected (a NaN reaching a layer inside a model is not the caller's input's fault, so it is no error).
     */
    public static Tensor quantizedLinear(Tensor input, Tensor weight, Tensor scale, Tensor sum, Tensor bias) {
        if (!input.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("quantized linear expects a floating point input, got "
                    + input.dtype().torchName());
        }
        if (input.requiresGrad() && GradMode.isEnabled()) {
            throw new IllegalArgumentException("INT8 quantized layers run inference only: they have no gradient");
        }
        if (weight.dtype() != io.nabla.backend.DType.INT8 || weight.dim() != 2 || !weight.isContiguous()
                || weight.offset() != 0) {
            throw new IllegalArgumentException("quantized linear expects a contiguous INT8 weight (out, in), got "
                    + weight.dtype().torchName() + " " + Shape.format(weight.shape()));
        }
        int k = weight.size(1);
        int n = weight.size(0);
        if (input.dim() == 0 || input.size(input.dim() - 1) != k) {
            throw new IllegalArgumentException("quantized linear: expected an input of shape (*, " + k + "), got "
                    + Shape.format(input.shape()));
        }
        if (!input.device().equals(weight.device())) {
            throw new IllegalArgumentException("quantized linear: the input is on " + input.device()
                    + ", the weight on " + weight.device());
        }
        checkRowVector("scale", scale, io.nabla.backend.DType.FP32, n, weight);
        checkRowVector("sum", sum, io.nabla.backend.DType.INT32, n, weight);
        if (bias != null) {
            checkRowVector("bias", bias, io.nabla.backend.DType.FP32, n, weight);
        }
        Tensor x = ShapeOps.reshape(input.detach().dataAs(io.nabla.backend.DType.FP32).dataContiguous(), -1, k);
        int m = x.size(0);
        int[] outShape = input.shape();
        outShape[outShape.length - 1] = n;
        Tensor out = Tensor.empty(io.nabla.backend.DType.FP32, input.device(), m, n);
        if (m > 0) { // k >= 1: a Linear has at least one input feature
            try (io.nabla.tensor.TensorScope work = io.nabla.tensor.TensorScope.open()) {
                Tensor q = Tensor.empty(io.nabla.backend.DType.INT16, input.device(), m, k);
                Tensor sx = Tensor.empty(io.nabla.backend.DType.FP32, input.device(), m);
                Tensor zx = Tensor.empty(io.nabla.backend.DType.INT32, input.device(), m);
                io.nabla.backend.LinalgKernels kernels = out.backend().linalg();
                kernels.quantizeRows(x.memory(), x.offset(), m, k, q.memory(), sx.memory(), zx.memory());
                kernels.int8Linear(q.memory(), sx.memory(), zx.memory(), m, k, weight.memory(), scale.memory(),
                        sum.memory(), bias == null ? null : bias.memory(), out.memory(), n);
            }
        }
        return out.asStrided(outShape, Shape.contiguousStrides(outShape), 0);
    }

    /** A per-output vector of {@link #quantizedLinear}: {@code n} contiguous elements of {@code dtype} from 0. */
    private static void checkRowVector(String name, Tensor t, io.nabla.backend.DType dtype, int n, Tensor weight) {
        if (t.dtype() != dtype || t.dim() != 1 || t.size(0) != n || !t.isContiguous() || t.offset() != 0
                || !t.device().equals(weight.device())) {
            throw new IllegalArgumentException("quantized linear: " + name + " must be a contiguous "
                    + dtype.torchName() + " vector of " + n + " elements on " + weight.device() + ", got "
                    + t.dtype().torchName() + " " + Shape.format(t.shape()) + " on " + t.device());
        }
    }

    public static Tensor linear(Tensor input, Tensor weight, Tensor bias) {
        input = Autocast.lower(input);
        weight = Autocast.lower(weight);
        bias = Autocast.lower(bias);
        checkLinear(input, weight, bias);
        int in = weight.size(1);
        int outF = weight.size(0);
        int[] outShape = input.shape();
        outShape[outShape.length - 1] = outF;
        Tensor x = ShapeOps.reshape(input.detach(), -1, in); // (rows, in)
        Tensor out = Tensor.empty(input.dtype(), input.device(), x.size(0), outF); // (rows, out)
        double beta = 0;
        if (bias != null) {
            Layout rows = new Layout(out.shape(), new int[] {0, bias.stride(0)}, bias.offset());
            out.backend().elementwise().copy(bias.memory(), rows, bias.dtype(), out.memory(), out.layout(),
                    out.dtype());
            beta = 1;
        }
        MatrixProducts.productInto(x, ShapeOps.t(weight.detach()), beta, out);
        Tensor result = out.asStrided(outShape, Shape.contiguousStrides(outShape), 0);
        Tensor[] inputs = bias == null ? new Tensor[] {input, weight} : new Tensor[] {input, weight, bias};
        if (!Autograd.needsGrad(inputs)) {
            return result;
        }
        int[] inShape = input.shape();
        return Autograd.record("LinearBackward", result, inputs, new Tensor[] {x, weight}, (node, g) -> {
            Tensor g2 = ShapeOps.reshape(g, -1, outF); // (rows, out)
            Tensor[] grads = new Tensor[inputs.length];
            if (node.needsInputGrad(0)) {
                grads[0] = ShapeOps.reshape(MatrixProducts.product(g2, node.saved(1)), inShape);
            }
            if (node.needsInputGrad(1)) {
                grads[1] = MatrixProducts.product(ShapeOps.t(g2), node.saved(0));
            }
            if (inputs.length == 3 && node.needsInputGrad(2)) {
                grads[2] = ReduceOps.sum(g2, new int[] {0}, false);
            }
            return grads;
        });
    }

    private static void checkLinear(Tensor input, Tensor weight, Tensor bias) {
        MatrixProducts.checkOperands("linear", input, weight);
        if (weight.dim() != 2) {
            throw new IllegalArgumentException("linear: expected weight with 2 dims (out_features, in_features), got "
                    + Shape.format(weight.shape()));
        }
        if (input.dim() == 0 || input.size(-1) != weight.size(1)) {
            throw new IllegalArgumentException("linear: input " + Shape.format(input.shape()) + " and weight "
                    + Shape.format(weight.shape()) + " do not match: expected input (..., " + weight.size(1) + ")");
        }
        if (bias != null) {
            MatrixProducts.checkOperands("linear", input, bias);
            if (bias.dim() != 1 || bias.size(0) != weight.size(0)) {
                throw new IllegalArgumentException("linear: expected bias of shape (" + weight.size(0) + "), got "
                        + Shape.format(bias.shape()));
            }
        }
    }
}
