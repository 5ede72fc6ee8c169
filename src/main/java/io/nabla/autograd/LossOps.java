package io.nabla.autograd;

import io.nabla.backend.DType;
import io.nabla.backend.Layout;
import io.nabla.backend.LossKernels;
import io.nabla.backend.LossKernels.Operand;
import io.nabla.backend.PointwiseLoss;
import io.nabla.tensor.Shape;
import io.nabla.tensor.Tensor;
import java.util.Arrays;

/**
 * Loss functions with the semantics of PyTorch's {@code torch.nn.functional}: mse_loss, l1_loss, smooth_l1_loss,
 * binary_cross_entropy_with_logits, kl_div, cross_entropy and nll_loss. Each is one fused kernel forward and one
 * backward, computed and reduced in double; {@code reduction} is {@code "mean"}, {@code "sum"} or {@code "none"}
 * ({@code kl_div} also takes {@code "batchmean"}). Input and target of the regression losses broadcast as in
 * PyTorch and both get gradients where they require them; class weights and {@code pos_weight} get none.
 * The classification losses are implemented in {@link ClassLossOps}.
 */
public final class LossOps {

    /** PyTorch's default {@code ignore_index}. */
    public static final long DEFAULT_IGNORE_INDEX = -100;

    private LossOps() {
    }

    // ---- regression losses -------------------------------------------------------------------------------------

    /** {@code mean((input - target)^2)}. */
    public static Tensor mseLoss(Tensor input, Tensor target) {
        return mseLoss(input, target, "mean");
    }

    public static Tensor mseLoss(Tensor input, Tensor target, String reduction) {
        return pointwise("mse_loss", "MseLossBackward", PointwiseLoss.MSE, 0, input, target, null, null,
                Reduction.parse("mse_loss", reduction, false));
    }

    /** {@code mean(|input - target|)}. */
    public static Tensor l1Loss(Tensor input, Tensor target) {
        return l1Loss(input, target, "mean");
    }

    public static Tensor l1Loss(Tensor input, Tensor target, String reduction) {
        return pointwise("l1_loss", "L1LossBackward", PointwiseLoss.L1, 0, input, target, null, null,
                Reduction.parse("l1_loss", reduction, false));
    }

    /** Smooth L1 with {@code beta = 1}, mean reduction. */
    public static Tensor smoothL1Loss(Tensor input, Tensor target) {
        return smoothL1Loss(input, target, "mean", 1.0);
    }

    /** Quadratic below {@code beta}, linear above; {@code beta = 0} is exactly {@link #l1Loss}, as in PyTorch. */
    public static Tensor smoothL1Loss(Tensor input, Tensor target, String reduction, double beta) {
        Reduction r = Reduction.parse("smooth_l1_loss", reduction, false);
        if (!(beta >= 0) || Double.isInfinite(beta)) {
            throw new IllegalArgumentException("smooth_l1_loss expects a finite beta >= 0, got " + beta);
        }
        PointwiseLoss loss = beta == 0 ? PointwiseLoss.L1 : PointwiseLoss.SMOOTH_L1;
        return pointwise("smooth_l1_loss", "SmoothL1LossBackward", loss, beta, input, target, null, null, r);
    }

    /** BCE of {@code sigmoid(input)} against {@code target}, mean reduction, no weights. */
    public static Tensor binaryCrossEntropyWithLogits(Tensor input, Tensor target) {
        return binaryCrossEntropyWithLogits(input, target, null, null, "mean");
    }

    /**
     * {@code weight * ((1 - t) x + (1 + (pos_weight - 1) t) softplus(-x))} in its overflow-free form. {@code target}
     * has the input's shape; {@code weight} and {@code posWeight} (per class, along the last dimension) may be null
     * and must broadcast to the input's shape.
     */
    public static Tensor binaryCrossEntropyWithLogits(Tensor input, Tensor target, Tensor weight, Tensor posWeight,
                                                      String reduction) {
        String name = "binary_cross_entropy_with_logits";
        Reduction r = Reduction.parse(name, reduction, false);
        requireTensor(name, "input", input);
        requireTensor(name, "target", target);
        if (!Arrays.equals(input.shape(), target.shape())) {
            throw new IllegalArgumentException(name + " expects target of the input's shape "
                    + Shape.format(input.shape()) + ", got " + Shape.format(target.shape()));
        }
        requireBroadcastsTo(name, "weight", weight, input.shape());
        requireBroadcastsTo(name, "pos_weight", posWeight, input.shape());
        return pointwise(name, "BinaryCrossEntropyWithLogitsBackward", PointwiseLoss.BCE_WITH_LOGITS, 0, input,
                target, weight, posWeight, r);
    }

    /** KL divergence with log-probability {@code input} and probability {@code target}, mean reduction. */
    public static Tensor klDiv(Tensor input, Tensor target) {
        return klDiv(input, target, "mean", false);
    }

    /**
     * {@code target * (log(target) - input)} (0 where target is 0), or {@code exp(target) * (target - input)} with
     * {@code logTarget}; {@code "batchmean"} divides the sum by the input's first dimension.
     */
    public static Tensor klDiv(Tensor input, Tensor target, String reduction, boolean logTarget) {
        return pointwise("kl_div", "KlDivBackward", logTarget ? PointwiseLoss.KL_DIV_LOG_TARGET : PointwiseLoss.KL_DIV,
                0, input, target, null, null, Reduction.parse("kl_div", reduction, true));
    }

    // ---- classification losses ---------------------------------------------------------------------------------

    /** Cross entropy of logits {@code (N, C)} with int64 class targets {@code (N)}, mean reduction. */
    public static Tensor crossEntropy(Tensor input, Tensor target) {
        return crossEntropy(input, target, null, DEFAULT_IGNORE_INDEX, "mean", 0.0);
    }

    /**
     * Cross entropy of logits {@code (C)}, {@code (N, C)} or {@code (N, C, d1, ...)} with int64 class targets
     * ({@code ()}, {@code (N)}, {@code (N, d1, ...)}) or with floating-point class probabilities of the input's
     * shape. {@code weight} (C) may be null; the mean is PyTorch's weighted mean {@code sum(w[y] l) / sum(w[y])} over
     * the targets that are not {@code ignoreIndex}; {@code labelSmoothing} in [0, 1].
     */
    public static Tensor crossEntropy(Tensor input, Tensor target, Tensor weight, long ignoreIndex, String reduction,
                                      double labelSmoothing) {
        input = Autocast.fp32(input);
        target = Autocast.fp32(target);
        weight = Autocast.fp32(weight);
        return ClassLossOps.crossEntropy(input, target, weight, ignoreIndex, reduction, labelSmoothing);
    }

    /** Negative log-likelihood of log-probabilities {@code (N, C)} with int64 class targets {@code (N)}. */
    public static Tensor nllLoss(Tensor input, Tensor target) {
        return nllLoss(input, target, null, DEFAULT_IGNORE_INDEX, "mean");
    }

    /** As {@link #crossEntropy} for log-probabilities, without the log-softmax and label smoothing. */
    public static Tensor nllLoss(Tensor input, Tensor target, Tensor weight, long ignoreIndex, String reduction) {
        input = Autocast.fp32(input);
        weight = Autocast.fp32(weight);
        return ClassLossOps.nllLoss(input, target, weight, ignoreIndex, reduction);
    }

    // ---- the pointwise family ----------------------------------------------------------------------------------

    private static Tensor pointwise(String name, String backwardName, PointwiseLoss loss, double beta, Tensor input,
                                    Tensor target, Tensor weight, Tensor posWeight, Reduction reduction) {
        input = Autocast.fp32(input);
        target = Autocast.fp32(target);
        weight = Autocast.fp32(weight);
        posWeight = Autocast.fp32(posWeight);
        requireTensor(name, "input", input);
        requireTensor(name, "target", target);
        DType dtype = DType.promote(input.dtype(), target.dtype());
        if (!dtype.isFloatingPoint()) {
            throw new IllegalArgumentException(name + " expects floating-point input and target, got "
                    + input.dtype().torchName() + " and " + target.dtype().torchName());
        }
        requireSameDevice(name, input, "target", target);
        requireSameDevice(name, input, "weight", weight);
        requireSameDevice(name, input, "pos_weight", posWeight);
        requireNoGrad(name, "weight", weight);
        requireNoGrad(name, "pos_weight", posWeight);
        int[] shape;
        try {
            shape = Shape.broadcast(input.shape(), target.shape());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + " expects target of a shape that broadcasts with the input's "
                    + Shape.format(input.shape()) + ", got " + Shape.format(target.shape()), e);
        }
        Tensor x = input.dataAs(dtype);
        Tensor t = target.dataAs(dtype);
        Tensor w = weight == null ? null : weight.dataAs(dtype);
        Tensor pw = posWeight == null ? null : posWeight.dataAs(dtype);
        boolean reduce = reduction != Reduction.NONE;
        double scale = reduction == Reduction.MEAN ? 1.0 / Shape.numel(shape)
                : reduction == Reduction.BATCHMEAN && input.dim() > 0 ? 1.0 / input.size(0) : 1.0;
        Tensor out = Tensor.empty(dtype, input.device(), reduce ? new int[0] : shape);
        LossKernels kernels = x.backend().loss();
        kernels.pointwise(loss, beta, expanded(x, shape), expanded(t, shape), expanded(w, shape),
                expanded(pw, shape), dtype, reduce, scale, new Operand(out.memory(), out.layout()));
        if (!Autograd.needsGrad(input, target)) {
            return out;
        }
        int[] inShape = input.shape();
        int[] targetShape = target.shape();
        DType inType = input.dtype();
        DType targetType = target.dtype();
        return Autograd.record(backwardName, out, new Tensor[] {input, target}, new Tensor[] {x, t, w, pw},
                (node, g) -> {
                    Tensor go = g.dataAs(dtype);
                    Layout gl = reduce ? new Layout(shape, new int[shape.length], go.offset()) : go.layout();
                    Tensor gi = node.needsInputGrad(0) ? Tensor.empty(dtype, go.device(), shape) : null;
                    Tensor gt = node.needsInputGrad(1) ? Tensor.empty(dtype, go.device(), shape) : null;
                    go.backend().loss().pointwiseBackward(loss, beta, new Operand(go.memory(), gl),
                            expanded(node.saved(0), shape), expanded(node.saved(1), shape),
                            expanded(node.saved(2), shape), expanded(node.saved(3), shape), dtype, scale,
                            operand(gi), operand(gt));
                    return new Tensor[] {reduceTo(gi, inShape, inType), reduceTo(gt, targetShape, targetType)};
                });
    }

    // ---- shared plumbing ---------------------------------------------------------------------------------------

    /** The reductions PyTorch's losses accept. */
    enum Reduction {
        NONE("none"), MEAN("mean"), SUM("sum"), BATCHMEAN("batchmean");

        private final String spelling;

        Reduction(String spelling) {
            this.spelling = spelling;
        }

        static Reduction parse(String op, String s, boolean batchmean) {
            for (Reduction r : values()) {
                if (r.spelling.equals(s) && (batchmean || r != BATCHMEAN)) {
                    return r;
                }
            }
            throw new IllegalArgumentException(op + ": reduction must be one of 'none', 'mean', 'sum'"
                    + (batchmean ? ", 'batchmean'" : "") + ", got " + (s == null ? "null" : "'" + s + "'"));
        }

        /** The kernel's reduction (BATCHMEAN is never passed to class losses). */
        LossKernels.Reduction kernel() {
            return this == NONE ? LossKernels.Reduction.NONE
                    : this == MEAN ? LossKernels.Reduction.MEAN : LossKernels.Reduction.SUM;
        }
    }

    /** {@code t}'s memory with a layout broadcast to {@code shape} (stride 0 in broadcast dims); null stays null. */
    static Operand expanded(Tensor t, int[] shape) {
        if (t == null) {
            return null;
        }
        int[] s = t.shape();
        int[] st = t.strides();
        int lead = shape.length - s.length;
        int[] strides = new int[shape.length];
        for (int d = lead; d < shape.length; d++) {
            strides[d] = s[d - lead] == shape[d] ? st[d - lead] : 0;
        }
        return new Operand(t.memory(), new Layout(shape.clone(), strides, t.offset()));
    }

    static Operand operand(Tensor t) {
        return t == null ? null : new Operand(t.memory(), t.layout());
    }

    /** A gradient summed down to an input's shape and given its dtype; null stays null. */
    static Tensor reduceTo(Tensor g, int[] shape, DType dtype) {
        return g == null ? null : ReduceOps.sumToShape(g, shape).dataAs(dtype);
    }

    static void requireTensor(String op, String what, Tensor t) {
        if (t == null) {
            throw new IllegalArgumentException(op + " expects " + what + " to be a tensor, got null");
        }
    }

    static void requireSameDevice(String op, Tensor input, String what, Tensor t) {
        if (t != null && !t.device().equals(input.device())) {
            throw new IllegalArgumentException(op + " expects " + what + " on the input's device " + input.device()
                    + ", got " + t.device());
        }
    }

    /** Class weights and pos_weight have no gradient in PyTorch either; refuse them rather than drop it silently. */
    static void requireNoGrad(String op, String what, Tensor t) {
        if (t != null && Autograd.needsGrad(t)) {
            throw new IllegalArgumentException(op + " has no gradient with respect to " + what + ", but " + what
                    + " requires grad; pass " + what + ".detach()");
        }
    }

    private static void requireBroadcastsTo(String op, String what, Tensor t, int[] shape) {
        if (t == null) {
            return;
        }
        boolean ok = t.dim() <= shape.length;
        for (int d = 0; ok && d < t.dim(); d++) {
            int size = t.size(d);
            ok = size == 1 || size == shape[shape.length - t.dim() + d];
        }
        if (!ok) {
            throw new IllegalArgumentException(op + " expects " + what + " broadcastable to the input's shape "
                    + Shape.format(shape) + ", got " + Shape.format(t.shape()));
        }
    }
}
