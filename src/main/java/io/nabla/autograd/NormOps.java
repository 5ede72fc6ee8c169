package io.nabla.autograd;

import io.nabla.backend.DType;
import io.nabla.backend.Layout;
import io.nabla.backend.NormKernels;
import io.nabla.backend.NormKernels.Operand;
import io.nabla.tensor.Shape;
import io.nabla.tensor.Tensor;
import java.util.Arrays;

/**
 * Softmax family and normalisation layers with their gradients, as {@code torch.softmax}, {@code log_softmax},
 * {@code F.layer_norm} and {@code F.batch_norm}. Statistics are computed in double by the reference backend and
 * kept for backward as FP32 (FP64 for FP64 inputs), like PyTorch's accumulate type.
 */
public final class NormOps {

    private NormOps() {
    }

    /** Softmax along {@code dim} (negative allowed). */
    public static Tensor softmax(Tensor x, int dim) {
        return softmaxFamily(x, dim, false);
    }

    /** Log-softmax along {@code dim}: {@code x - max - log(sum(exp(x - max)))}. */
    public static Tensor logSoftmax(Tensor x, int dim) {
        return softmaxFamily(x, dim, true);
    }

    private static Tensor softmaxFamily(Tensor x, int dim, boolean log) {
        x = Autocast.fp32(x);
        String name = log ? "log_softmax" : "softmax";
        requireFloating(name, x);
        int d = Shape.wrapDim(dim, x.dim());
        Tensor out = Tensor.empty(x.dtype(), x.device(), x.shape());
        NormKernels k = x.backend().norm();
        if (x.numel() > 0) {
            k.softmax(log, d, operand(x), operand(out), x.dtype());
        }
        if (!Autograd.needsGrad(x)) {
            return out;
        }
        return Autograd.record(log ? "LogSoftmaxBackward" : "SoftmaxBackward", out, new Tensor[] {x},
                new Tensor[] {out}, (n, g) -> {
                    Tensor y = n.saved(0);
                    Tensor gy = g.dataAs(y.dtype());
                    Tensor gx = Tensor.empty(y.dtype(), y.device(), y.shape());
                    if (y.numel() > 0) {
                        y.backend().norm().softmaxBackward(log, d, operand(y), operand(gy), operand(gx), y.dtype());
                    }
                    return new Tensor[] {gx};
                });
    }

    /**
     * Layer normalisation over the trailing dims given by {@code normalizedShape}, with optional elementwise
     * {@code weight} and {@code bias} of that shape (null for none). The biased variance is used, as PyTorch does.
     */
    public static Tensor layerNorm(Tensor x, int[] normalizedShape, Tensor weight, Tensor bias, double eps) {
        x = Autocast.fp32(x);
        weight = Autocast.fp32(weight);
        bias = Autocast.fp32(bias);
        requireFloating("layer_norm", x);
        checkLayerNormShapes(x, normalizedShape, weight, bias);
        int k = normalizedShape.length;
        int[] shape = x.shape();
        long rows = 1;
        for (int d = 0; d < shape.length - k; d++) {
            rows *= shape[d];
        }
        DType stats = statsType(x.dtype());
        Tensor mean = Tensor.empty(stats, x.device(), Math.toIntExact(rows));
        Tensor rstd = Tensor.empty(stats, x.device(), Math.toIntExact(rows));
        Tensor out = Tensor.empty(x.dtype(), x.device(), shape);
        x.backend().norm().layerNorm(operand(x), k, operand(weight), operand(bias), eps, operand(out),
                mean.memory(), rstd.memory(), x.dtype(), stats);
        if (!Autograd.needsGrad(x, weight, bias)) {
            return out;
        }
        return Autograd.record("NativeLayerNormBackward", out, new Tensor[] {x, weight, bias},
                new Tensor[] {x, weight, mean, rstd}, (n, g) -> {
                    Tensor xs = n.saved(0);
                    Tensor w = n.saved(1);
                    Tensor gy = g.dataAs(xs.dtype());
                    Tensor gx = n.needsInputGrad(0) ? Tensor.empty(xs.dtype(), xs.device(), xs.shape()) : null;
                    Tensor gw = n.needsInputGrad(1) ? Tensor.empty(xs.dtype(), xs.device(), normalizedShape) : null;
                    Tensor gb = n.needsInputGrad(2) ? Tensor.empty(xs.dtype(), xs.device(), normalizedShape) : null;
                    xs.backend().norm().layerNormBackward(operand(xs), k, operand(w), n.saved(2).memory(),
                            n.saved(3).memory(), operand(gy), operand(gx), operand(gw), operand(gb), xs.dtype(),
                            stats);
                    return new Tensor[] {gx, gw, gb};
                });
    }

    /**
     * Group normalisation, PyTorch's {@code F.group_norm}: the channels of {@code x} (N, C, *) are cut into
     * {@code groups} groups, each sample's group is normalised over its channels and positions together (biased
     * variance), then each channel is scaled by {@code weight} (C) and shifted by {@code bias} (C), either null for
     * none. Composed of {@link #layerNorm} over x viewed as (N, groups, -1) and a broadcast multiply and add.
     */
    public static Tensor groupNorm(Tensor x, int groups, Tensor weight, Tensor bias, double eps) {
        x = Autocast.fp32(x);
        weight = Autocast.fp32(weight);
        bias = Autocast.fp32(bias);
        requireFloating("group_norm", x);
        int[] shape = x.shape();
        if (shape.length < 2) {
            throw new IllegalArgumentException("group_norm: expected an input of at least 2 dims (N, C, *), got "
                    + Shape.format(shape));
        }
        if (groups < 1 || shape[1] % groups != 0) {
            throw new IllegalArgumentException("group_norm: expected the number of channels " + shape[1]
                    + " to be divisible by the number of groups, got " + groups + " groups");
        }
        int[] perChannel = new int[shape.length - 1]; // (C, 1, ..., 1): broadcasts over (N, C, *)
        Arrays.fill(perChannel, 1);
        perChannel[0] = shape[1];
        for (Tensor p : new Tensor[] {weight, bias}) {
            if (p != null && (p.dim() != 1 || p.size(0) != shape[1])) {
                throw new IllegalArgumentException("group_norm: expected weight and bias of shape ("
                        + shape[1] + ") (the channels), got " + Shape.format(p.shape()));
            }
        }
        long values = (long) shape[0] * (shape[1] / groups); // PyTorch's check: N * C / G * positions > 1
        for (int d = 2; d < shape.length; d++) {
            values *= shape[d];
        }
        if (values == 1) {
            throw new IllegalArgumentException("group_norm: expected more than 1 value per group, got input size "
                    + Shape.format(shape) + " with " + groups + " groups");
        }
        Tensor y = x;
        if (x.numel() > 0) {
            long perGroup = x.numel() / ((long) shape[0] * groups);
            Tensor grouped = ShapeOps.reshape(x, shape[0], groups, Math.toIntExact(perGroup));
            y = ShapeOps.reshape(layerNorm(grouped, new int[] {(int) perGroup}, null, null, eps), shape);
        }
        if (weight != null) {
            y = ElementwiseOps.mul(y, ShapeOps.view(weight, perChannel));
        }
        return bias == null ? y : ElementwiseOps.add(y, ShapeOps.view(bias, perChannel));
    }

    /**
     * Batch normalisation of {@code x} (N, C) or (N, C, *) per channel. In training, normalises with the batch
     * statistics (biased variance) and, when the running tensors are given, updates them in place with
     * {@code momentum} (the variance unbiased); in evaluation, normalises with the running statistics.
     */
    public static Tensor batchNorm(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
                                   boolean training, double momentum, double eps) {
        if (Autocast.isEnabled() && (x.dtype() == DType.FP16 || x.dtype() == DType.BF16)) {
            // computed in FP32 (weight, bias and running statistics are FP32), returned in the input's dtype
            DType low = x.dtype();
            try (Autocast.Region off = Autocast.disable()) {
                return ShapeOps.to(batchNorm(ShapeOps.to(x, DType.FP32), runningMean, runningVar, weight, bias,
                        training, momentum, eps), low);
            }
        }
        requireFloating("batch_norm", x);
        checkBatchNormArgs(x, runningMean, runningVar, weight, bias, training);
        int c = x.size(1);
        DType stats = statsType(x.dtype());
        Tensor saveMean = Tensor.empty(stats, x.device(), c);
        Tensor saveRstd = Tensor.empty(stats, x.device(), c);
        Tensor out = Tensor.empty(x.dtype(), x.device(), x.shape());
        x.backend().norm().batchNorm(operand(x), operand(weight), operand(bias), operand(runningMean),
                operand(runningVar), training, momentum, eps, operand(out), saveMean.memory(), saveRstd.memory(),
                x.dtype(), stats);
        if (training) {
            for (Tensor r : new Tensor[] {runningMean, runningVar}) {
                if (r != null) {
                    r.bumpVersion();
                }
            }
        }
        if (!Autograd.needsGrad(x, weight, bias)) {
            return out;
        }
        return Autograd.record("NativeBatchNormBackward", out, new Tensor[] {x, weight, bias},
                new Tensor[] {x, weight, saveMean, saveRstd}, (n, g) -> {
                    Tensor xs = n.saved(0);
                    Tensor w = n.saved(1);
                    Tensor gy = g.dataAs(xs.dtype());
                    Tensor gx = n.needsInputGrad(0) ? Tensor.empty(xs.dtype(), xs.device(), xs.shape()) : null;
                    Tensor gw = n.needsInputGrad(1) ? Tensor.empty(xs.dtype(), xs.device(), c) : null;
                    Tensor gb = n.needsInputGrad(2) ? Tensor.empty(xs.dtype(), xs.device(), c) : null;
                    xs.backend().norm().batchNormBackward(training, operand(xs), operand(w), n.saved(2).memory(),
                            n.saved(3).memory(), operand(gy), operand(gx), operand(gw), operand(gb), xs.dtype(),
                            stats);
                    return new Tensor[] {gx, gw, gb};
                });
    }

    // ---- validation ---------------------------------------------------------------------------------------------

    private static void checkLayerNormShapes(Tensor x, int[] normalizedShape, Tensor weight, Tensor bias) {
        if (normalizedShape == null || normalizedShape.length == 0) {
            throw new IllegalArgumentException("layer_norm: normalized_shape must have at least one dimension, got "
                    + Arrays.toString(normalizedShape));
        }
        int[] shape = x.shape();
        int k = normalizedShape.length;
        boolean matches = shape.length >= k
                && Arrays.equals(Arrays.copyOfRange(shape, shape.length - k, shape.length), normalizedShape);
        if (!matches) {
            throw new IllegalArgumentException("layer_norm: given normalized_shape " + Shape.format(normalizedShape)
                    + ", expected input with shape (*, " + Shape.format(normalizedShape).substring(1)
                    + ", but got input of size " + Shape.format(shape));
        }
        checkParam("layer_norm", "weight", weight, x, normalizedShape);
        checkParam("layer_norm", "bias", bias, x, normalizedShape);
    }

    private static void checkBatchNormArgs(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight,
                                           Tensor bias, boolean training) {
        int[] shape = x.shape();
        if (shape.length < 2) {
            throw new IllegalArgumentException("batch_norm: expected input of 2 or more dimensions (N, C, *), got "
                    + Shape.format(shape));
        }
        int[] channels = {shape[1]};
        checkParam("batch_norm", "running_mean", runningMean, x, channels);
        checkParam("batch_norm", "running_var", runningVar, x, channels);
        checkParam("batch_norm", "weight", weight, x, channels);
        checkParam("batch_norm", "bias", bias, x, channels);
        if (training && x.numel() / Math.max(1, shape[1]) <= 1) {
            throw new IllegalArgumentException("batch_norm: expected more than 1 value per channel when training, "
                    + "got input of size " + Shape.format(shape));
        }
        if (!training && (runningMean == null || runningVar == null)) {
            throw new IllegalArgumentException("batch_norm: running_mean and running_var must be given in "
                    + "evaluation mode (training=false)");
        }
    }

    private static void checkParam(String op, String name, Tensor p, Tensor x, int[] expected) {
        if (p == null) {
            return;
        }
        if (!Arrays.equals(p.shape(), expected)) {
            throw new IllegalArgumentException(op + ": " + name + " must have shape " + Shape.format(expected)
                    + " to match input " + Shape.format(x.shape()) + ", got " + Shape.format(p.shape()));
        }
        if (p.dtype() != x.dtype()) {
            throw new IllegalArgumentException(op + ": " + name + " has dtype " + p.dtype().torchName()
                    + ", expected the input's " + x.dtype().torchName());
        }
        if (!p.device().equals(x.device())) {
            throw new IllegalArgumentException(op + ": " + name + " is on " + p.device() + ", the input on "
                    + x.device());
        }
    }

    private static void requireFloating(String op, Tensor x) {
        if (!x.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException(op + ": input dtype must be floating point, got "
                    + x.dtype().torchName());
        }
    }

    private static DType statsType(DType t) {
        return t == DType.FP64 ? DType.FP64 : DType.FP32;
    }

    /** The kernel operand of a tensor (null for null); a 0-dim tensor is seen as one element of rank 1. */
    private static Operand operand(Tensor t) {
        if (t == null) {
            return null;
        }
        Layout l = t.layout();
        if (l.rank() == 0) {
            l = new Layout(new int[] {1}, new int[] {1}, l.offset());
        }
        return new Operand(t.memory(), l);
    }
}
