package io.nabla.nn;

import io.nabla.autograd.ElementwiseOps;
import io.nabla.backend.DType;
import io.nabla.tensor.Tensor;

/**
 * {@code torch.nn.Dropout(p=0.5)}: in training mode zeroes each element with probability p and scales the rest
 * by 1/(1-p); the identity in evaluation mode. The mask is drawn as PyTorch's CPU {@code bernoulli_(1 - p)} draws
 * it without MKL: one double uniform per element, kept when below 1 - p.
 */
public final class Dropout extends Module {

    private final double p;
    private Generator generator;

    public Dropout(double p, Generator g) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("p: dropout probability has to be between 0 and 1, but got " + p);
        }
        this.p = p;
        this.generator = g;
    }

    public double p() {
        return p;
    }

    /** Draws masks from {@code g} from now on (e.g. a training run's generator). */
    public void generator(Generator g) {
        this.generator = g;
    }

    @Override
    public Tensor forward(Tensor input) {
        if (!isTraining() || p == 0) {
            return input;
        }
        int n = Math.toIntExact(input.numel());
        // PyTorch: noise = bernoulli_(1 - p), then noise / (1 - p) in the input's precision
        double keep = p == 1 ? 0 : input.dtype() == DType.FP64 ? 1 / (1 - p) : 1f / (float) (1 - p);
        double[] mask = new double[n];
        for (int i = 0; i < n; i++) {
            mask[i] = generator.uniformDouble(0, 1) < 1 - p ? keep : 0;
        }
        Tensor m = Tensor.of(mask, input.dtype() == DType.FP64 ? DType.FP64 : DType.FP32, input.shape())
                .dataAs(input.dtype()).toDevice(input.device()); // drawn on the host, as PyTorch's CPU generator
        return ElementwiseOps.mul(input, m);
    }

    @Override
    public int[] outputShape(int[] in) {
        return in.clone();
    }

    @Override
    protected String extraRepr() {
        return "p=" + p + ", inplace=False";
    }
}
