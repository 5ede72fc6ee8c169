package io.nabla.nn;

import io.nabla.autograd.ElementwiseOps;
import io.nabla.autograd.ShapeOps;
import io.nabla.backend.DType;
import io.nabla.tensor.Shape;
import io.nabla.tensor.Tensor;

/**
 * {@code torch.nn.PReLU(num_parameters=1, init=0.25)}: {@code x if x > 0 else weight * x}, with a learned
 * {@code weight} of {@code num_parameters} elements (all {@code init}): one slope for every element, or one per channel
 * (dim 1 of the input, which then needs at least 2 dims). At {@code x = 0} the gradients are PyTorch's: {@code weight}
 * for the input, {@code x} (so 0) for the weight.
 */
public final class PReLU extends Module {

    private final int numParameters;
    private final Parameter weight;

    public PReLU(int numParameters, double init) {
        Layers.checkPositive("num_parameters", numParameters);
        this.numParameters = numParameters;
        Tensor w = Tensor.empty(DType.FP32, numParameters);
        Init.constant(w, init);
        this.weight = registerParameter("weight", w);
    }

    @Override
    public Tensor forward(Tensor input) {
        outputShape(input.shape());
        Tensor w = weight.tensor();
        if (numParameters > 1) { // (C) as (1, C, 1, ...), lined up with dim 1
            int[] shape = new int[input.dim()];
            java.util.Arrays.fill(shape, 1);
            shape[1] = numParameters;
            w = ShapeOps.reshape(w, shape);
        }
        return ElementwiseOps.where(ElementwiseOps.gt(input, 0.0), input, ElementwiseOps.mul(w, input));
    }

    @Override
    public int[] outputShape(int[] in) {
        if (numParameters > 1 && (in.length < 2 || !Layers.fits(in[1], numParameters))) {
            throw new IllegalArgumentException("expected " + numParameters + " channels (num_parameters) in dim 1, "
                    + "got " + (in.length < 2 ? "an input of " + in.length + " dims" : in[1]) + " in "
                    + Shape.format(in));
        }
        return in.clone();
    }

    @Override
    protected String extraRepr() {
        return "num_parameters=" + numParameters;
    }
}
