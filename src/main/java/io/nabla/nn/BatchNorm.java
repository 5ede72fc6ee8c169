package io.nabla.nn;

import io.nabla.autograd.NormOps;
import io.nabla.backend.DType;
import io.nabla.tensor.Shape;
import io.nabla.tensor.Tensor;

/**
 * {@code torch.nn.BatchNorm1d} / {@code BatchNorm2d(num_features, eps=1e-5, momentum=0.1, affine=True,
 * track_running_stats=True)}. With {@code affine}, parameters {@code weight} (ones) and {@code bias} (zeros); with
 * {@code track_running_stats}, buffers {@code running_mean} (zeros), {@code running_var} (ones) and
 * {@code num_batches_tracked} (int64, 0-dim). In training mode each call normalises with the batch statistics,
 * counts the batch and updates the running statistics with {@code momentum} (a null momentum gives the cumulative
 * average, 1/num_batches_tracked, as in PyTorch); in evaluation mode it normalises with the running statistics, or,
 * without them, with the batch's, as PyTorch does.
 */
public final class BatchNorm extends Module {

    private final int spatialDims;
    private final int numFeatures;
    private final double eps;
    private final Double momentum;
    private final boolean trackRunningStats;
    private final Parameter weight;
    private final Parameter bias;

    /**
     * @param spatialDims 1 for BatchNorm1d ((N, C) or (N, C, L) inputs), 2 for BatchNorm2d ((N, C, H, W) inputs)
     */
    public BatchNorm(int spatialDims, int numFeatures, double eps, Double momentum) {
        this(spatialDims, numFeatures, eps, momentum, true, true);
    }

    /** As PyTorch's constructor with {@code affine} and {@code track_running_stats}. */
    public BatchNorm(int spatialDims, int numFeatures, double eps, Double momentum, boolean affine,
                     boolean trackRunningStats) {
        if (spatialDims != 1 && spatialDims != 2) {
            throw new IllegalArgumentException("BatchNorm is 1d or 2d, got " + spatialDims);
        }
        Layers.checkPositive("num_features", numFeatures);
        if (!(eps >= 0) || Double.isInfinite(eps)) {
            throw new IllegalArgumentException("eps: expected a non-negative finite number, got " + eps);
        }
        if (momentum != null && !(momentum >= 0 && momentum <= 1)) {
            throw new IllegalArgumentException("momentum: expected a number in [0, 1] or null, got " + momentum);
        }
        this.spatialDims = spatialDims;
        this.numFeatures = numFeatures;
        this.eps = eps;
        this.momentum = momentum;
        this.trackRunningStats = trackRunningStats;
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
        return "BatchNorm" + spatialDims + "d";
    }

    // buffers are read by name: Module.to(device) replaces them

    /** The running mean (fails without {@code track_running_stats}, naming the buffers there are). */
    public Tensor runningMean() {
        return buffer("running_mean");
    }

    public Tensor runningVar() {
        return buffer("running_var");
    }

    public Tensor numBatchesTracked() {
        return buffer("num_batches_tracked");
    }

    @Override
    public Tensor forward(Tensor input) {
        outputShape(input.shape());
        double factor = 0.0;
        if (isTraining() && trackRunningStats) {
            Tensor tracked = numBatchesTracked();
            long batches = (long) tracked.item() + 1; // item() reads a device tensor too
            tracked.fill(batches);
            factor = momentum != null ? momentum : 1.0 / batches;
        }
        return NormOps.batchNorm(input, trackRunningStats ? runningMean() : null,
                trackRunningStats ? runningVar() : null, weight == null ? null : weight.tensor(),
                bias == null ? null : bias.tensor(), isTraining() || !trackRunningStats, factor, eps);
    }

    /** Without running statistics evaluation normalises with the batch's: across the rows of dimension 0. */
    @Override
    public boolean rowsIndependent(int[] in) {
        return trackRunningStats;
    }

    @Override
    public int[] outputShape(int[] in) {
        boolean rankOk = spatialDims == 1 ? in.length == 2 || in.length == 3 : in.length == 4;
        if (!rankOk) {
            throw new IllegalArgumentException("expected a " + (spatialDims == 1 ? "2D or 3D" : "4D")
                    + " input, got " + Shape.format(in));
        }
        if (!Layers.fits(in[1], numFeatures)) {
            throw new IllegalArgumentException("expected " + numFeatures + " channels (num_features) in dim 1, got "
                    + in[1] + " in " + Shape.format(in));
        }
        return in.clone();
    }

    @Override
    protected String extraRepr() {
        return numFeatures + ", eps=" + eps + ", momentum=" + (momentum == null ? "None" : momentum)
                + ", affine=" + (weight != null ? "True" : "False") + ", track_running_stats="
                + (trackRunningStats ? "True" : "False");
    }
}
