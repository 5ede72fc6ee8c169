package io.nabla.nn;

import io.nabla.autograd.NormOps;
import io.nabla.tensor.Shape;
import io.nabla.tensor.Tensor;

/**
 * {@code torch.nn.Softmax(dim)}, {@code torch.nn.LogSoftmax(dim)} and {@code torch.nn.Softmin(dim)} (the softmax of
 * {@code -x}). A null dim takes PyTorch's legacy choice: 0 for inputs of rank 0, 1 or 3, else 1.
 */
public final class Softmax extends Module {

    private final Integer dim;
    private final boolean log;
    private final boolean min;
    /** Softmax2d: over the channels (dim -3) of a 3-D or 4-D input. */
    private final boolean channels;

    public Softmax(Integer dim, boolean log) {
        this(dim, log, false, false);
    }

    private Softmax(Integer dim, boolean log, boolean min, boolean channels) {
        this.dim = dim;
        this.log = log;
        this.min = min;
        this.channels = channels;
    }

    /** {@code torch.nn.Softmax2d()}: the softmax over the channels of a (N, C, H, W) or (C, H, W) input. */
    public static Softmax softmax2d() {
        return new Softmax(-3, false, false, true);
    }

    /** {@code torch.nn.Softmin(dim)}: {@code softmax(-x, dim)}. */
    public static Softmax softmin(Integer dim) {
        return new Softmax(dim, false, true, false);
    }

    @Override
    public String typeName() {
        return channels ? "Softmax2d" : min ? "Softmin" : log ? "LogSoftmax" : "Softmax";
    }

    private int dimFor(int rank) {
        if (dim != null) {
            return dim;
        }
        return rank == 0 || rank == 1 || rank == 3 ? 0 : 1;
    }

    @Override
    public Tensor forward(Tensor input) {
        if (channels) {
            outputShape(input.shape());
        }
        int d = dimFor(input.dim());
        if (min) {
            return NormOps.softmax(io.nabla.autograd.ElementwiseOps.neg(input), d);
        }
        return log ? NormOps.logSoftmax(input, d) : NormOps.softmax(input, d);
    }

    /** A softmax along dimension 0 normalises across the rows. */
    @Override
    public boolean rowsIndependent(int[] in) {
        return in.length == 0 || Shape.wrapDim(dimFor(in.length), in.length) != 0;
    }

    @Override
    public int[] outputShape(int[] in) {
        if (channels && in.length != 3 && in.length != 4) {
            throw new IllegalArgumentException("expected a 3D (C, H, W) or 4D (N, C, H, W) input for Softmax2d, got "
                    + Shape.format(in));
        }
        int d = dimFor(in.length);
        int r = Math.max(in.length, 1);
        if (d < -r || d >= r) {
            throw new IllegalArgumentException("dim " + d + " is out of range for an input of shape "
                    + Shape.format(in));
        }
        return in.clone();
    }

    @Override
    protected String extraRepr() {
        return channels ? "" : "dim=" + (dim == null ? "None" : dim);
    }
}
