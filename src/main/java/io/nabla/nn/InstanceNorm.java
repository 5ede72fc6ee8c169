package io.nabla.nn;

import io.nabla.autograd.NormOps;
import io.nabla.autograd.ShapeOps;
import io.nabla.backend.DType;
import io.nabla.tensor.Shape;
import io.nabla.tensor.Tensor;

/**
 * {@code torch.nn.InstanceNorm1d/2d(num_features, eps=1e-5, momentum=0.1, affine=False,
 * track_running_stats=False)}: each sample's channels normalised one by one over their positions (biased
 * variance), then with {@code affine} scaled by {@code weight} (ones) and shifted by {@code bias} (zeros). The same in
 * training and evaluation (no running statistics: only PyTorch's default {@code track_running_stats=False} is built).
 * Runs {@link NormOps#groupNorm} with a group per channel, the same arithmetic. The input is (N, C, L) or (C, L) for
 * 1d, (N, C, H, W) or (C, H, W) for 2d. As in PyTorch, without {@code affine} a channel count other than
 * {@code num_features} is accepted (PyTorch warns), with it refused.
 */
public final class InstanceNorm extends Module {

    private final int spatialDims;
    private final int numFeatures;
    private final double eps;
    private final Parameter weight;
    private final Parameter bias;

    public InstanceNorm(int spatialDims, int numFeatures, double eps, boolean affine) {
        Layers.checkPositive("num_features", numFeatures);
        if (!(eps >= 0) || Double.isInfinite(eps)) {
            throw new IllegalArgumentException("eps: expected a non-negative finite number, got " + eps);
        }
        this.spatialDims = spatialDims;
        this.numFeatures = numFeatures;
        this.eps = eps;
        this.weight = affine ? registerParameter("weight", Tensor.ones(DType.FP32, numFeatures)) : null;
        this.bias = affine ? registerParameter("bias", Tensor.zeros(DType.FP32, numFeatures)) : null;
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
        Tensor y = NormOps.groupNorm(x, x.size(1), weight == null ? null : weight.tensor(),
                bias == null ? null : bias.tensor(), eps);
        return unbatched ? ShapeOps.squeeze(y, 0) : y;
    }

    @Override
    public int[] outputShape(int[] in) {
        if (in.length != spatialDims + 1 && in.length != spatialDims + 2) {
            throw new IllegalArgumentException("expected a " + (spatialDims + 1) + "D or " + (spatialDims + 2)
                    + "D input for " + typeName() + ", got " + Shape.format(in));
        }
        int c = in[in.length - spatialDims - 1];
        if (weight != null && !Layers.fits(c, numFeatures)) {
            throw new IllegalArgumentException("expected " + numFeatures + " channels (num_features), got " + c
                    + " in " + Shape.format(in));
        }
        return in.clone();
    }

    @Override
    protected String extraRepr() {
        return numFeatures + ", eps=" + eps + ", affine=" + py(weight != null) + ", track_running_stats=False";
    }
}
