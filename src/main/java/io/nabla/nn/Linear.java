package io.nabla.nn;

import io.nabla.autograd.LinalgOps;
import io.nabla.tensor.Shape;
import io.nabla.tensor.Tensor;

/**
 * {@code torch.nn.Linear(in_features, out_features, bias=True)}: {@code y = x W^T + b} over the last dimension.
 * {@code weight} is (out_features, in_features), initialised with {@code kaiming_uniform_(a=sqrt(5))}, then
 * {@code bias} (out_features) uniform in +-1/sqrt(in_features), both from the generator in that order.
 */
public final class Linear extends Module {

    private final int inFeatures;
    private final int outFeatures;
    private final Parameter weight;
    private final Parameter bias;

    public Linear(int inFeatures, int outFeatures, boolean bias, Generator g) {
        Layers.checkPositive("in_features", inFeatures);
        Layers.checkPositive("out_features", outFeatures);
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        Parameter[] wb = registerWeightAndBias(new int[] {outFeatures, inFeatures}, bias, g);
        this.weight = wb[0];
        this.bias = wb[1];
    }

    public Parameter weight() {
        return weight;
    }

    /** The bias, or null when built with {@code bias=false}. */
    public Parameter bias() {
        return bias;
    }

    @Override
    public Tensor forward(Tensor input) {
        return LinalgOps.linear(input, weight.tensor(), bias == null ? null : bias.tensor());
    }

    /** (*, in_features) -> (*, out_features). */
    @Override
    public int[] outputShape(int[] in) {
        return outputShape(in, inFeatures, outFeatures);
    }

    /** The shape a linear map from {@code inFeatures} to {@code outFeatures} gives for {@code in} (also INT8's). */
    static int[] outputShape(int[] in, int inFeatures, int outFeatures) {
        if (in.length == 0 || !Layers.fits(in[in.length - 1], inFeatures)) {
            throw new IllegalArgumentException("expected an input of shape (*, " + inFeatures + ") (in_features "
                    + inFeatures + "), got " + Shape.format(in));
        }
        int[] out = in.clone();
        out[out.length - 1] = outFeatures;
        return out;
    }

    @Override
    protected String extraRepr() {
        return "in_features=" + inFeatures + ", out_features=" + outFeatures + ", bias=" + py(bias != null);
    }
}
