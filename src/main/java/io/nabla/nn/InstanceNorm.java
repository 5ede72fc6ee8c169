package io.nabla.nn;

import io.nabla.autograd.NormOps;
import io.nabla.autograd.ShapeOps;
import io.nabla.backend.DType;
import io.nabla.tensor.Shape;
import io.nabla.tensor.Tensor;

/**
 * {@code torch.nn.InstanceNorm1d/2d(num_features, eps=1e-5, momentum=0.1, affine=False,
 * track_running_stats=False)}: each sample's channels normalised one by one over their positions (biased
 * variance), then with {@code affine} scaled by {@code weight} (ones) and shifted by {@code bias} (zeros). Without
 * {@code track_running_stats} the same in training and evaluation ({@link NormOps#groupNorm} with a group per channel,
 * the same arithmetic). With it, as PyTorch's {@code instance_norm}: in training the input is read as one batch of
 * N·C channels and batch-normalised with running statistics repeated N times (so each is updated with
 * {@code momentum} from one sample's mean and unbiased variance), then the channel's running statistics become the
 * mean over the samples; in evaluation each channel is normalised with them. Its buffers are PyTorch's
 * ({@code running_mean}, {@code running_var}, {@code num_batches_tracked}, which instance norm never advances). The
 * input is (N, C, L) or (C, L) for 1d, (N, C, H, W) or (C, H, W) for 2d. As in PyTorch, without {@code affine} and
 * running statistics a channel count other than {@code num_features} is accepted (PyTorch warns), else refused.
 */
public final class InstanceNorm extends Module {

    private final int spatialDims;
    private final int numFeatures;
    private final double eps;
    private final double momentum;
    private final boolean track;
    private final Parameter weight;
    private final Parameter bias;

    public InstanceNorm(int spatialDims, int numFeatures, double eps, boolean affine) {
        this(spatialDims, numFeatures, eps, 0.1, affine, false);
    }

    public InstanceNorm(int spatialDims, int numFeatures, double eps, double momentum, boolean affine,
                        boolean trackRunningStats) {
        Layers.checkPositive("num_features", numFeatures);
        if (!(eps >= 0) || Double.isInfinite(eps)) {
            throw new IllegalArgumentException("eps: expected a non-negative finite number, got " + eps);
        }
        if (!(momentum >= 0 && momentum <= 1)) {
            throw new IllegalArgumentException("momentum: expected a number between 0 and 1, got " + momentum);
        }
        this.spatialDims = spatialDims;
        this.numFeatures = numFeatures;
        this.eps = eps;
        this.momentum = momentum;
        this.track = trackRunningStats;
        this.weight = affine ? registerParameter("weight", Tensor.ones(DType.FP32, numFeatures)) : null;
        this.bias = affine ? registerParameter("bias", Tensor.zeros(DType.FP32, numFeatures)) : null;
        if (trackRunningStats) {
            registerBuffer("running_mean", Tensor.zeros(DType.FP32, numFeatures));
            registerBuffer("running_var", Tensor.ones(DType.FP32, numFeatures));
            registerBuffer("num_batches_tracked", Tensor.zeros(DType.INT64));
        }
    }

    @Override
    public String typeName() {
        return "InstanceNorm" + spatialDims + "d";
    }

    @Override
    public Tensor forward(Tensor input) {
        outputShape(input.shape());
        boolean unbatched = input.dim() == spatialDims + 1;
        Tensor x = unbatched ? ShapeOps.unsqueeze(input, 0) : input;
        Tensor w = weight == null ? null : weight.tensor();
        Tensor b = bias == null ? null : bias.tensor();
        Tensor y;
        if (!track) {
            y = NormOps.groupNorm(x, x.size(1), w, b, eps);
        } else if (!isTraining()) {
            y = NormOps.batchNorm(x, buffer("running_mean"), buffer("running_var"), w, b, false, momentum, eps);
        } else {
            y = trainingForward(x, w, b);
        }
        return unbatched ? ShapeOps.squeeze(y, 0) : y;
    }

    /** PyTorch's {@code instance_norm} in training with running statistics: one batch of N·C channels. */
    private Tensor trainingForward(Tensor x, Tensor w, Tensor b) {
        int n = x.size(0);
        int c = x.size(1);
        int[] shape = x.shape();
        int[] flat = shape.clone();
        flat[0] = 1;
        flat[1] = Math.multiplyExact(n, c);
        Tensor runningMean = buffer("running_mean");
        Tensor runningVar = buffer("running_var");
        Tensor mean;
        Tensor var;
        try (io.nabla.autograd.GradMode.Region ng = io.nabla.autograd.GradMode.disable()) {
            mean = repeat(runningMean, n);
            var = repeat(runningVar, n);
        }
        Tensor y = NormOps.batchNorm(ShapeOps.reshape(ShapeOps.contiguous(x), flat), mean, var,
                w == null ? null : repeat(w, n), b == null ? null : repeat(b, n), true, momentum, eps);
        try (io.nabla.autograd.GradMode.Region ng = io.nabla.autograd.GradMode.disable()) {
            runningMean.copyFrom(io.nabla.autograd.ReduceOps.mean(ShapeOps.view(mean, n, c), new int[] {0}, false));
            runningVar.copyFrom(io.nabla.autograd.ReduceOps.mean(ShapeOps.view(var, n, c), new int[] {0}, false));
            runningMean.bumpVersion();
            runningVar.bumpVersion();
        }
        return ShapeOps.reshape(y, shape);
    }

    /** {@code t} (C) repeated {@code n} times into a new (n·C) tensor (differentiable). */
    private static Tensor repeat(Tensor t, int n) {
        return ShapeOps.reshape(ShapeOps.contiguous(ShapeOps.expand(ShapeOps.unsqueeze(t, 0), n, t.size(0))),
                Math.multiplyExact(n, t.size(0)));
    }

    @Override
    public int[] outputShape(int[] in) {
        if (in.length != spatialDims + 1 && in.length != spatialDims + 2) {
            throw new IllegalArgumentException("expected a " + (spatialDims + 1) + "D or " + (spatialDims + 2)
                    + "D input for " + typeName() + ", got " + Shape.format(in));
        }
        int c = in[in.length - spatialDims - 1];
        if ((weight != null || track) && !Layers.fits(c, numFeatures)) {
            throw new IllegalArgumentException("expected " + numFeatures + " channels (num_features), got " + c
                    + " in " + Shape.format(in));
        }
        return in.clone();
    }

    @Override
    protected String extraRepr() {
        return numFeatures + ", eps=" + eps + ", momentum=" + momentum + ", affine=" + py(weight != null)
                + ", track_running_stats=" + py(track);
    }
}
