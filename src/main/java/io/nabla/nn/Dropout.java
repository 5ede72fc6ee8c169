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
        Tensor m;
        if (input.dtype() == DType.FP64) {
            double keep = p == 1 ? 0 : 1 / (1 - p);
            double[] mask = new double[n];
            for (int i = 0; i < n; i++) {
                mask[i] = generator.uniformDouble(0, 1) < 1 - p ? keep : 0;
            }
            m = Tensor.of(mask, DType.FP64, input.shape());
        } else {
            float[] mask = new float[n];
            generator.bernoulli(mask, n, 1 - p, p == 1 ? 0f : 1f / (float) (1 - p));
            m = Tensor.of(mask, input.shape()).dataAs(input.dtype());
        }
        // drawn on the host, as PyTorch's CPU generator draws it
        return ElementwiseOps.mul(input, m.toDevice(input.device()));
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
