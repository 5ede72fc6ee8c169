package io.nabla.nn;

import io.nabla.autograd.NormOps;
import io.nabla.backend.DType;
import io.nabla.tensor.Shape;
import io.nabla.tensor.Tensor;

/**
 * {@code torch.nn.GroupNorm(num_groups, num_channels, eps=1e-5, affine=True)}: an (N, C, *) input's channels are cut
 * into {@code num_groups} groups of {@code C / num_groups}, each sample's group is normalised over its channels and
 * positions together (biased variance, as PyTorch), then, with {@code affine}, each channel is scaled by
 * {@code weight} (ones) and shifted by {@code bias} (zeros). Unlike BatchNorm it keeps no running statistics, so
 * training and evaluation compute the same.
 *
 * <p>Runs {@link NormOps#groupNorm}: the engine's layer normalisation of the input viewed as (N, G, C / G * positions)
 * over its last dim, then the per-channel affine as a broadcast multiply and add. Every step has its gradient and runs
 * on every backend that runs layer normalisation.
 */
public final class GroupNorm extends Module {

    private final int groups;
    private final int channels;
    private final double eps;
    private final Parameter weight;
    private final Parameter bias;

    public GroupNorm(int numGroups, int numChannels, double eps, boolean affine) {
        Layers.checkPositive("num_groups", numGroups);
        Layers.checkPositive("num_channels", numChannels);
        if (numChannels % numGroups != 0) {
            throw new IllegalArgumentException("num_channels must be divisible by num_groups: num_channels "
                    + numChannels + ", num_groups " + numGroups);
        }
        if (!(eps >= 0) || Double.isInfinite(eps)) {
            throw new IllegalArgumentException("eps: expected a non-negative finite number, got " + eps);
        }
        this.groups = numGroups;
        this.channels = numChannels;
        this.eps = eps;
        this.weight = affine ? registerParameter("weight", Tensor.ones(DType.FP32, numChannels)) : null;
        this.bias = affine ? registerParameter("bias", Tensor.zeros(DType.FP32, numChannels)) : null;
    }

    @Override
    public Tensor forward(Tensor input) {
        outputShape(input.shape());
        return NormOps.groupNorm(input, groups, weight == null ? null : weight.tensor(),
                bias == null ? null : bias.tensor(), eps);
    }

    /** (N, C, *) -> the same shape; C must be {@code num_channels}. */
    @Override
    public int[] outputShape(int[] in) {
        if (in.length < 2) {
            throw new IllegalArgumentException("expected an input of at least 2 dims (N, C, *) for GroupNorm, got "
                    + Shape.format(in));
        }
        if (!Layers.fits(in[1], channels)) {
            throw new IllegalArgumentException("expected " + channels + " channels (num_channels) in dim 1, got "
                    + in[1] + " in " + Shape.format(in));
        }
        return in.clone();
    }

    @Override
    protected String extraRepr() {
        return groups + ", " + channels + ", eps=" + eps + ", affine=" + (weight != null ? "True" : "False");
    }
}
