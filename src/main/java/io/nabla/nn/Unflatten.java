package io.nabla.nn;

import io.nabla.autograd.ShapeOps;
import io.nabla.tensor.Shape;
import io.nabla.tensor.Tensor;

/**
 * {@code torch.nn.Unflatten(dim, unflattened_size)}: dim {@code dim} of the input viewed as {@code unflattened_size}
 * (whose product must be its size; one entry may be -1, inferred).
 */
public final class Unflatten extends Module {

    private final int dim;
    private final int[] sizes;

    public Unflatten(int dim, int[] unflattenedSize) {
        if (unflattenedSize == null || unflattenedSize.length == 0) {
            throw new IllegalArgumentException("unflattened_size: expected a non-empty list of sizes");
        }
        int inferred = 0;
        for (int s : unflattenedSize) {
            if (s == -1) {
                inferred++;
            } else if (s <= 0) {
                throw new IllegalArgumentException("unflattened_size: expected positive sizes (and at most one -1), "
                        + "got " + Shape.format(unflattenedSize));
            }
        }
        if (inferred > 1) {
            throw new IllegalArgumentException("unflattened_size: only one size can be inferred (-1), got "
                    + Shape.format(unflattenedSize));
        }
        this.dim = dim;
        this.sizes = unflattenedSize.clone();
    }

    @Override
    public Tensor forward(Tensor input) {
        return ShapeOps.reshape(input, outputShape(input.shape()));
    }

    /** Splitting dimension 0 turns rows into blocks of rows: a request's rows would not be its own. */
    @Override
    public boolean rowsIndependent(int[] in) {
        return Layers.dimOf(dim, in) != 0;
    }

    @Override
    public int[] outputShape(int[] in) {
        int d = Layers.dimOf(dim, in);
        long known = 1;
        int free = -1;
        for (int i = 0; i < sizes.length; i++) {
            if (sizes[i] == -1) {
                free = i;
            } else {
                known *= sizes[i];
            }
        }
        int[] split = sizes.clone();
        int size = in[d];
        if (size != -1) {
            if (free < 0 ? known != size : size % known != 0) {
                throw new IllegalArgumentException("unflattened_size: " + Shape.format(sizes) + " must multiply to "
                        + "the size of dim " + d + ", " + size + ", in " + Shape.format(in));
            }
            if (free >= 0) {
                split[free] = (int) (size / known);
            }
        }
        int[] out = new int[in.length - 1 + split.length];
        System.arraycopy(in, 0, out, 0, d);
        System.arraycopy(split, 0, out, d, split.length);
        System.arraycopy(in, d + 1, out, d + split.length, in.length - d - 1);
        return out;
    }

    @Override
    protected String extraRepr() {
        return "dim=" + dim + ", unflattened_size=" + Shape.format(sizes);
    }
}
