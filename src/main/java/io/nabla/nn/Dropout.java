package io.nabla.nn;

import io.nabla.autograd.ElementwiseOps;
import io.nabla.autograd.ShapeOps;
import io.nabla.backend.DType;
import io.nabla.tensor.Shape;
import io.nabla.tensor.Tensor;

/**
 * {@code torch.nn.Dropout(p=0.5)}: in training mode zeroes each element with probability p and scales the rest
 * by 1/(1-p); the identity in evaluation mode. The mask is drawn as PyTorch's CPU {@code bernoulli_(1 - p)} draws
 * it without MKL: one double uniform per element, kept when below 1 - p.
 *
 * <p>{@link #channels1d} and {@link #channels2d} are {@code torch.nn.Dropout1d} and {@code Dropout2d}: whole channels
 * zeroed, as PyTorch's {@code feature_dropout} does it: one draw per (sample, channel), the mask of shape
 * (N, C, 1, ...) broadcast over the positions. {@code Dropout1d} takes (N, C, L) or an unbatched (C, L);
 * {@code Dropout2d} takes (N, C, H, W) and, as PyTorch 1.13 does (with a warning there), reads a 3-D input as
 * (N, C, L).
 */
public final class Dropout extends Module {

    private final double p;
    /** 0 for element-wise dropout, else the spatial dims of Dropout1d (1) or Dropout2d (2). */
    private final int channelDims;
    private Generator generator;

    public Dropout(double p, Generator g) {
        this(p, 0, g);
    }

    private Dropout(double p, int channelDims, Generator g) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("p: dropout probability has to be between 0 and 1, but got " + p);
        }
        this.p = p;
        this.channelDims = channelDims;
        this.generator = g;
    }

    /** {@code torch.nn.Dropout1d(p)}: whole channels of an (N, C, L) or (C, L) input. */
    public static Dropout channels1d(double p, Generator g) {
        return new Dropout(p, 1, g);
    }

    /** {@code torch.nn.Dropout2d(p)}: whole channels of an (N, C, H, W) input (or (N, C, L), as PyTorch 1.13). */
    public static Dropout channels2d(double p, Generator g) {
        return new Dropout(p, 2, g);
    }

    public double p() {
        return p;
    }

    /** Draws masks from {@code g} from now on (e.g. a training run's generator). */
    public void generator(Generator g) {
        this.generator = g;
    }

    @Override
    public String typeName() {
        return channelDims == 0 ? "Dropout" : "Dropout" + channelDims + "d";
    }

    @Override
    public Tensor forward(Tensor input) {
        outputShape(input.shape());
        if (!isTraining() || p == 0) {
            return input;
        }
        if (channelDims == 1 && input.dim() == 2) { // unbatched (C, L): PyTorch runs it as a batch of one
            return ShapeOps.squeeze(forward(ShapeOps.unsqueeze(input, 0)), 0);
        }
        int[] maskShape = input.shape();
        if (channelDims > 0) { // (N, C, 1, ...): one draw per channel of each sample
            for (int d = 2; d < maskShape.length; d++) {
                maskShape[d] = 1;
            }
        }
        return ElementwiseOps.mul(input, mask(maskShape, input.dtype()).toDevice(input.device()));
    }

    /**
     * PyTorch's {@code noise = bernoulli_(1 - p)} then {@code noise / (1 - p)}, in the input's precision, drawn on the
     * host as PyTorch's CPU generator draws it.
     */
    private Tensor mask(int[] shape, DType dtype) {
        int n = Math.toIntExact(Shape.numel(shape));
        if (dtype == DType.FP64) {
            double keep = p == 1 ? 0 : 1 / (1 - p);
            double[] mask = new double[n];
            for (int i = 0; i < n; i++) {
                mask[i] = generator.uniformDouble(0, 1) < 1 - p ? keep : 0;
            }
            return Tensor.of(mask, DType.FP64, shape);
        }
        float[] mask = new float[n];
        generator.bernoulli(mask, n, 1 - p, p == 1 ? 0f : 1f / (float) (1 - p));
        return Tensor.of(mask, shape).dataAs(dtype);
    }

    @Override
    public int[] outputShape(int[] in) {
        if (channelDims == 1 && in.length != 2 && in.length != 3) {
            throw new IllegalArgumentException("expected a 2D (C, L) or 3D (N, C, L) input for Dropout1d, got "
                    + Shape.format(in));
        }
        if (channelDims == 2 && in.length != 3 && in.length != 4) {
            throw new IllegalArgumentException("expected a 4D (N, C, H, W) or 3D (N, C, L) input for Dropout2d, got "
                    + Shape.format(in));
        }
        return in.clone();
    }

    @Override
    protected String extraRepr() {
        return "p=" + p + ", inplace=False";
    }
}
