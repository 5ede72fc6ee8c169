package io.nabla.nn;

import io.nabla.autograd.ShapeOps;
import io.nabla.tensor.Shape;
import io.nabla.tensor.Tensor;

/** {@code torch.nn.Flatten(start_dim=1, end_dim=-1)}: merges dims start..end (inclusive) into one. */
public final class Flatten extends Module {

    private final int startDim;
    private final int endDim;

    public Flatten(int startDim, int endDim) {
        this.startDim = startDim;
        this.endDim = endDim;
    }

    @Override
    public Tensor forward(Tensor input) {
        return ShapeOps.flatten(input, startDim, endDim);
    }

    /** Merging dimension 0 with the next ones mixes the rows into one. */
    @Override
    public boolean rowsIndependent(int[] in) {
        int rank = Math.max(in.length, 1);
        return in.length == 0 || Shape.wrapDim(startDim, rank) > 0 || Shape.wrapDim(endDim, rank) == 0;
    }

    @Override
    public int[] outputShape(int[] in) {
        int rank = Math.max(in.length, 1);
        int s;
        int e;
        try {
            s = Shape.wrapDim(startDim, rank);
            e = Shape.wrapDim(endDim, rank);
        } catch (RuntimeException ex) {
            throw new IllegalArgumentException("start_dim " + startDim + " / end_dim " + endDim
                    + " out of range for an input of shape " + Shape.format(in));
        }
        if (s > e) {
            throw new IllegalArgumentException("start_dim " + startDim + " comes after end_dim " + endDim
                    + " for an input of shape " + Shape.format(in));
        }
        if (in.length == 0) {
            return new int[] {1};
        }
        int[] out = new int[in.length - (e - s)];
        int k = 0;
        for (int d = 0; d < s; d++) {
            out[k++] = in[d];
        }
        long prod = 1;
        for (int d = s; d <= e; d++) {
            prod = in[d] == -1 || prod == -1 ? -1 : prod * in[d];
        }
        out[k++] = Math.toIntExact(prod);
        for (int d = e + 1; d < in.length; d++) {
            out[k++] = in[d];
        }
        return out;
    }

    @Override
    protected String extraRepr() {
        return "start_dim=" + startDim + ", end_dim=" + endDim;
    }
}
