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

    public Softmax(Integer dim, boolean log) {
        this(dim, log, false);
    }

    private Softmax(Integer dim, boolean log, boolean min) {
        this.dim = dim;
        this.log = log;
        this.min = min;
    }

    /** {@code torch.nn.Softmin(dim)}: {@code softmax(-x, dim)}. */
    public static Softmax softmin(Integer dim) {
        return new Softmax(dim, false, true);
    }

    @Override
    public String typeName() {
        return min ? "Softmin" : log ? "LogSoftmax" : "Softmax";
    }

    private int dimFor(int rank) {
        if (dim != null) {
            return dim;
        }
        return rank == 0 || rank == 1 || rank == 3 ? 0 : 1;
    }

    @Override
    public Tensor forward(Tensor input) {
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
        return "dim=" + (dim == null ? "None" : dim);
    }
}
