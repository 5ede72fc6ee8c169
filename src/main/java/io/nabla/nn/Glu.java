package io.nabla.nn;

import io.nabla.autograd.ActivationOps;
import io.nabla.autograd.ElementwiseOps;
import io.nabla.autograd.ShapeOps;
import io.nabla.tensor.Shape;
import io.nabla.tensor.Tensor;

/**
 * {@code torch.nn.GLU(dim=-1)}: the input split in two halves {@code a}, {@code b} along {@code dim} (whose size
 * must be even), {@code a * sigmoid(b)}.
 */
public final class Glu extends Module {

    private final int dim;

    public Glu(int dim) {
        this.dim = dim;
    }

    @Override
    public String typeName() {
        return "GLU";
    }

    @Override
    public Tensor forward(Tensor input) {
        outputShape(input.shape());
        int d = Layers.dimOf(dim, input.shape());
        int half = input.size(d) / 2;
        return ElementwiseOps.mul(ShapeOps.narrow(input, d, 0, half),
                ActivationOps.sigmoid(ShapeOps.narrow(input, d, half, half)));
    }

    /** Splitting dimension 0 would pair one request's rows with another's. */
    @Override
    public boolean rowsIndependent(int[] in) {
        return Layers.dimOf(dim, in) != 0;
    }

    @Override
    public int[] outputShape(int[] in) {
        int d = Layers.dimOf(dim, in);
        if (in[d] != -1 && in[d] % 2 != 0) {
            throw new IllegalArgumentException("Halving dimension must be even, but dimension " + d + " is size "
                    + in[d] + " in " + Shape.format(in));
        }
        int[] out = in.clone();
        out[d] = in[d] == -1 ? -1 : in[d] / 2;
        return out;
    }

    @Override
    protected String extraRepr() {
        return "dim=" + dim;
    }
}
