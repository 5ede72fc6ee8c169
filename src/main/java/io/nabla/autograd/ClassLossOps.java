package io.nabla.autograd;

import static io.nabla.autograd.LossOps.operand;
import static io.nabla.autograd.LossOps.requireNoGrad;
import static io.nabla.autograd.LossOps.requireSameDevice;
import static io.nabla.autograd.LossOps.requireTensor;

import io.nabla.autograd.LossOps.Reduction;
import io.nabla.backend.DType;
import io.nabla.backend.Layout;
import io.nabla.backend.LossKernels;
import io.nabla.backend.LossKernels.Operand;
import io.nabla.tensor.Shape;
import io.nabla.tensor.Tensor;
import java.util.Arrays;

/**
 * cross_entropy and nll_loss (reached through {@link LossOps}): argument checks as PyTorch makes them, one fused
 * kernel per direction. The input is {@code (C)} (unbatched), {@code (N, C)} or {@code (N, C, d1, ...)}; the
 * kernels always see {@code (N, C, d1, ...)}, an unbatched input being viewed as {@code (1, C)}.
 */
final class ClassLossOps {

    private ClassLossOps() {
    }

    static Tensor crossEntropy(Tensor input, Tensor target, Tensor weight, long ignoreIndex, String reduction,
                               double labelSmoothing) {
        String name = "cross_entropy";
        Reduction r = Reduction.parse(name, reduction, false);
        int classes = checkInput(name, input, target);
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
            throw new IllegalArgumentException(name + " expects label_smoothing between 0.0 and 1.0, got "
                    + labelSmoothing);
        }
        Tensor w = checkWeight(name, input, weight, classes);
        if (target.dtype().isFloatingPoint() && Arrays.equals(target.shape(), input.shape())) {
            if (ignoreIndex >= 0) {
                throw new IllegalArgumentException(name + ": ignore_index is not supported for class-probability "
                        + "targets, got ignore_index " + ignoreIndex);
            }
            return probability(input, target, w, labelSmoothing, r);
        }
        checkClassTarget(name, input, target, true);
        return classIndex(name, "CrossEntropyLossBackward", true, input, target, w, ignoreIndex, labelSmoothing, r);
    }

    static Tensor nllLoss(Tensor input, Tensor target, Tensor weight, long ignoreIndex, String reduction) {
        String name = "nll_loss";
        Reduction r = Reduction.parse(name, reduction, false);
        int classes = checkInput(name, input, target);
        Tensor w = checkWeight(name, input, weight, classes);
        checkClassTarget(name, input, target, false);
        return classIndex(name, "NllLossBackward", false, input, target, w, ignoreIndex, 0.0, r);
    }

    // ---- class-index targets -----------------------------------------------------------------------------------

    private static Tensor classIndex(String name, String backwardName, boolean logSoftmax, Tensor input,
                                     Tensor target, Tensor w, long ignoreIndex, double eps, Reduction r) {
        DType dtype = input.dtype();
        boolean unbatched = input.dim() == 1;
        int[] rowShape = rows(target, unbatched).layout().shape();
        Tensor out = Tensor.empty(dtype, input.device(), r == Reduction.NONE ? target.shape() : new int[0]);
        LossKernels.Reduction kr = r.kernel();
        try {
            input.backend().loss().classIndex(logSoftmax, rows(input, unbatched), rows(target, unbatched),
                    operand(w), dtype, ignoreIndex, eps, kr, r == Reduction.NONE ? rows(out, unbatched)
                            : operand(out));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
        }
        if (!Autograd.needsGrad(input)) {
            return out;
        }
        return Autograd.record(backwardName, out, new Tensor[] {input}, new Tensor[] {input, target, w},
                (node, g) -> {
                    Tensor x = node.saved(0);
                    Tensor go = g.dataAs(dtype);
                    Operand gradOut = r == Reduction.NONE ? rows(go, unbatched)
                            : new Operand(go.memory(), new Layout(rowShape, new int[rowShape.length], go.offset()));
                    Tensor gi = Tensor.empty(dtype, x.device(), x.shape());
                    x.backend().loss().classIndexBackward(logSoftmax, gradOut, rows(x, unbatched),
                            rows(node.saved(1), unbatched), operand(node.saved(2)), dtype, ignoreIndex, eps, kr,
                            rows(gi, unbatched));
                    return new Tensor[] {gi};
                });
    }

    // ---- probability targets -----------------------------------------------------------------------------------

    private static Tensor probability(Tensor input, Tensor target, Tensor w, double eps, Reduction r) {
        DType dtype = input.dtype();
        boolean unbatched = input.dim() == 1;
        Tensor t = target.dataAs(dtype);
        int[] rowShape = rowShape(rows(input, unbatched).layout().shape());
        int[] outShape = r == Reduction.NONE ? rowShape(input.shape(), unbatched) : new int[0];
        Tensor out = Tensor.empty(dtype, input.device(), outShape);
        LossKernels.Reduction kr = r.kernel();
        input.backend().loss().classProbability(rows(input, unbatched), rows(t, unbatched), operand(w), dtype, eps,
                kr, r == Reduction.NONE ? rows(out, unbatched) : operand(out));
        if (!Autograd.needsGrad(input, target)) {
            return out;
        }
        DType targetType = target.dtype();
        return Autograd.record("CrossEntropyLossBackward", out, new Tensor[] {input, target},
                new Tensor[] {input, t, w}, (node, g) -> {
                    Tensor x = node.saved(0);
                    Tensor go = g.dataAs(dtype);
                    Operand gradOut = r == Reduction.NONE ? rows(go, unbatched)
                            : new Operand(go.memory(), new Layout(rowShape, new int[rowShape.length], go.offset()));
                    Tensor gi = node.needsInputGrad(0) ? Tensor.empty(dtype, x.device(), x.shape()) : null;
                    Tensor gt = node.needsInputGrad(1) ? Tensor.empty(dtype, x.device(), x.shape()) : null;
                    x.backend().loss().classProbabilityBackward(gradOut, rows(x, unbatched),
                            rows(node.saved(1), unbatched), operand(node.saved(2)), dtype, eps, kr,
                            gi == null ? null : rows(gi, unbatched), gt == null ? null : rows(gt, unbatched));
                    return new Tensor[] {gi, gt == null ? null : gt.dataAs(targetType)};
                });
    }

    // ---- checks and layouts ------------------------------------------------------------------------------------

    /** Checks the input and returns the class count C. */
    private static int checkInput(String name, Tensor input, Tensor target) {
        requireTensor(name, "input", input);
        requireTensor(name, "target", target);
        if (!input.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException(name + " expects floating-point input, got "
                    + input.dtype().torchName());
        }
        if (input.dim() == 0) {
            throw new IllegalArgumentException(name + " expects input of shape (C), (N, C) or (N, C, d1, ...), got "
                    + "()");
        }
        requireSameDevice(name, input, "target", target);
        return input.dim() == 1 ? input.size(0) : input.size(1);
    }

    private static Tensor checkWeight(String name, Tensor input, Tensor weight, int classes) {
        if (weight == null) {
            return null;
        }
        requireSameDevice(name, input, "weight", weight);
        requireNoGrad(name, "weight", weight);
        if (!weight.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException(name + " expects a floating-point weight, got "
                    + weight.dtype().torchName());
        }
        if (weight.dim() != 1 || weight.size(0) != classes) {
            throw new IllegalArgumentException(name + " expects weight of shape (C) = (" + classes + "), got "
                    + Shape.format(weight.shape()));
        }
        return weight.dataAs(input.dtype());
    }

    /** The target must be int64 with the input's shape less the class dimension. */
    private static void checkClassTarget(String name, Tensor input, Tensor target, boolean probabilitiesAllowed) {
        int[] expected = rowShape(input.shape(), input.dim() == 1);
        if (target.dtype() == DType.INT64 && Arrays.equals(target.shape(), expected)) {
            return;
        }
        throw new IllegalArgumentException(name + " expects int64 class targets of shape "
                + symbolicRowShape(input.dim()) + " = " + Shape.format(expected)
                + (probabilitiesAllowed ? " or floating-point class probabilities of the input's shape "
                        + Shape.format(input.shape()) : "")
                + ", got " + target.dtype().torchName() + " " + Shape.format(target.shape()));
    }

    /** The input's shape without the class dimension: () for (C), (N, d1, ...) for (N, C, d1, ...). */
    private static int[] rowShape(int[] inputShape, boolean unbatched) {
        if (unbatched) {
            return new int[0];
        }
        int[] s = new int[inputShape.length - 1];
        s[0] = inputShape[0];
        System.arraycopy(inputShape, 2, s, 1, inputShape.length - 2);
        return s;
    }

    /** The kernel's row shape of a batched input shape. */
    private static int[] rowShape(int[] batchedInputShape) {
        return rowShape(batchedInputShape, false);
    }

    private static String symbolicRowShape(int inputRank) {
        if (inputRank == 1) {
            return "()";
        }
        StringBuilder sb = new StringBuilder("(N");
        for (int d = 1; d <= inputRank - 2; d++) {
            sb.append(", d").append(d);
        }
        return sb.append(')').toString();
    }

    /** The operand the kernels see: unbatched tensors get a leading dimension of size 1. */
    private static Operand rows(Tensor t, boolean unbatched) {
        if (!unbatched) {
            return operand(t);
        }
        int[] shape = new int[t.dim() + 1];
        int[] strides = new int[t.dim() + 1];
        shape[0] = 1;
        System.arraycopy(t.shape(), 0, shape, 1, t.dim());
        System.arraycopy(t.strides(), 0, strides, 1, t.dim());
        return new Operand(t.memory(), new Layout(shape, strides, t.offset()));
    }
}
