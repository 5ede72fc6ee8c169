package io.nabla.autograd;

import io.nabla.backend.DType;
import io.nabla.backend.Layout;
import io.nabla.backend.Memory;
import io.nabla.tensor.Shape;
import io.nabla.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Joining tensors along a dimension and cutting one into pieces, with gradients: {@code cat} (a new tensor; the
 * gradient of each input is its slice of the output's gradient), {@code stack} (cat of unsqueezed inputs), and
 * {@code split}/{@code chunk}, which return views (narrowed slices) of their input.
 */
public final class JoinOps {

    private JoinOps() {
    }

    /**
     * Concatenates along {@code dim}: every tensor has the same shape except along {@code dim}; dtypes promote.
     * Empty 1-D tensors of shape (0) are skipped, as PyTorch does for legacy reasons.
     */
    public static Tensor cat(List<Tensor> tensors, int dim) {
        if (tensors == null || tensors.isEmpty()) {
            throw new IllegalArgumentException("cat(): expected a non-empty list of tensors");
        }
        Tensor[] ts = tensors.toArray(new Tensor[0]);
        IndexOps.check("cat", ts);
        boolean[] skip = new boolean[ts.length];
        int ref = -1;
        for (int i = 0; i < ts.length; i++) {
            skip[i] = ts[i].dim() == 1 && ts[i].size(0) == 0;
            if (!skip[i] && ref < 0) {
                ref = i;
            }
        }
        if (ref < 0) { // only empty 1-D tensors: they join as they are
            ref = 0;
            Arrays.fill(skip, false);
        }
        Tensor r = ts[ref];
        DType type = ts[0].dtype();
        for (Tensor t : ts) {
            type = DType.promote(type, t.dtype());
        }
        int d = checkCatShapes(ts, skip, ref, dim);
        int[] starts = new int[ts.length];
        int total = 0;
        List<Memory> mems = new ArrayList<>();
        List<Layout> layouts = new ArrayList<>();
        for (int i = 0; i < ts.length; i++) {
            starts[i] = total;
            if (!skip[i]) {
                Tensor c = ts[i].dataAs(type);
                mems.add(c.memory());
                layouts.add(c.layout());
                total = Math.addExact(total, ts[i].size(d));
            }
        }
        int[] shape = r.shape();
        shape[d] = total;
        Tensor out = Tensor.empty(type, r.device(), shape);
        r.backend().index().cat(d, mems.toArray(new Memory[0]), layouts.toArray(new Layout[0]), type,
                out.memory(), out.layout());
        if (!Autograd.needsGrad(ts)) {
            return out;
        }
        DType[] types = new DType[ts.length];
        int[][] shapes = new int[ts.length][];
        for (int i = 0; i < ts.length; i++) {
            types[i] = ts[i].dtype();
            shapes[i] = ts[i].shape();
        }
        return Autograd.record("CatBackward", out, ts, new Tensor[0], (n, g) -> {
            Tensor[] grads = new Tensor[types.length];
            for (int i = 0; i < grads.length; i++) {
                if (!n.needsInputGrad(i)) {
                    continue;
                }
                Tensor gi = skip[i] ? Tensor.zeros(g.dtype(), g.device(), shapes[i])
                        : ShapeOps.narrow(g, d, starts[i], shapes[i][d]);
                grads[i] = gi.dataAs(types[i]);
            }
            return grads;
        });
    }

    /** Checks ranks and sizes against tensor {@code ref}; returns the wrapped dimension. */
    private static int checkCatShapes(Tensor[] ts, boolean[] skip, int ref, int dim) {
        Tensor r = ts[ref];
        for (int i = 0; i < ts.length; i++) {
            if (ts[i].dim() == 0) {
                throw new IllegalArgumentException("cat(): zero-dimensional tensor (at position " + i
                        + ") cannot be concatenated");
            }
        }
        int d = Shape.wrapDim(dim, r.dim());
        for (int i = 0; i < ts.length; i++) {
            if (skip[i]) {
                continue;
            }
            Tensor t = ts[i];
            if (t.dim() != r.dim()) {
                throw new IllegalArgumentException("cat(): tensors must have the same number of dimensions: tensor "
                        + ref + " has shape " + Shape.format(r.shape()) + " but tensor " + i + " has shape "
                        + Shape.format(t.shape()));
            }
            for (int k = 0; k < r.dim(); k++) {
                if (k != d && t.size(k) != r.size(k)) {
                    throw new IllegalArgumentException("cat(): sizes of tensors must match except in dimension " + d
                            + ": tensor " + ref + " has shape " + Shape.format(r.shape()) + " but tensor " + i
                            + " has shape " + Shape.format(t.shape()) + " (size " + t.size(k) + " != " + r.size(k)
                            + " at dimension " + k + ")");
                }
            }
        }
        return d;
    }

    /** Joins equally shaped tensors along a new dimension {@code dim} (in [-rank-1, rank]). */
    public static Tensor stack(List<Tensor> tensors, int dim) {
        if (tensors == null || tensors.isEmpty()) {
            throw new IllegalArgumentException("stack(): expected a non-empty list of tensors");
        }
        Tensor[] ts = tensors.toArray(new Tensor[0]);
        IndexOps.check("stack", ts);
        int[] shape = ts[0].shape();
        for (int i = 1; i < ts.length; i++) {
            if (!Arrays.equals(ts[i].shape(), shape)) {
                throw new IllegalArgumentException("stack(): expects each tensor to be equal size, but got "
                        + Shape.format(shape) + " at entry 0 and " + Shape.format(ts[i].shape()) + " at entry " + i);
            }
        }
        int d = Shape.wrapDim(dim, shape.length + 1);
        List<Tensor> parts = new ArrayList<>(ts.length);
        for (Tensor t : ts) {
            parts.add(ShapeOps.unsqueeze(t, d));
        }
        return cat(parts, d);
    }

    /**
     * Views of {@code splitSize} elements each along {@code dim} (the last one smaller when the size does not
     * divide evenly).
     */
    public static List<Tensor> split(Tensor t, int splitSize, int dim) {
        int d = splitDim("split", t, dim);
        int size = t.size(d);
        if (splitSize < 0) {
            throw new IllegalArgumentException("split(): split_size must be non-negative, got " + splitSize);
        }
        if (splitSize == 0 && size != 0) {
            throw new IllegalArgumentException("split(): split_size can only be 0 if dimension size is 0, but got "
                    + "dimension size of " + size + " at dimension " + d);
        }
        int pieces = splitSize == 0 ? 1 : (int) Math.max(1, ((long) size + splitSize - 1) / splitSize);
        int[] sections = new int[pieces];
        for (int i = 0; i < pieces; i++) {
            sections[i] = (int) Math.min(splitSize, (long) size - (long) i * splitSize);
        }
        return pieces(t, d, sections);
    }

    /** Views of the given sizes along {@code dim}; the sizes must add up to the dimension's size. */
    public static List<Tensor> split(Tensor t, int[] sections, int dim) {
        int d = splitDim("split", t, dim);
        if (sections == null) {
            throw new IllegalArgumentException("split(): split_sizes is null");
        }
        long sum = 0;
        for (int s : sections) {
            if (s < 0) {
                throw new IllegalArgumentException("split(): split_sizes must be non-negative, got "
                        + Arrays.toString(sections));
            }
            sum += s;
        }
        if (sum != t.size(d)) {
            throw new IllegalArgumentException("split(): split_sizes " + Arrays.toString(sections) + " must sum "
                    + "exactly to " + t.size(d) + " (the input's size at dimension " + d + "), but they sum to " + sum);
        }
        return pieces(t, d, sections);
    }

    /**
     * {@code chunks} views along {@code dim} of ceil(size / chunks) elements each (fewer pieces when the size runs
     * out first, as in PyTorch).
     */
    /** The most pieces chunk() makes of an empty dimension (each is a view object on the heap). */
    static final int MAX_EMPTY_PIECES = 1 << 16;

    public static List<Tensor> chunk(Tensor t, int chunks, int dim) {
        int d = splitDim("chunk", t, dim);
        if (chunks <= 0) {
            throw new IllegalArgumentException("chunk(): chunks must be greater than 0, got " + chunks);
        }
        int size = t.size(d);
        int splitSize = (int) (((long) size + chunks - 1) / chunks);
        if (splitSize == 0) { // size 0: as many empty pieces as asked for
            if (chunks > MAX_EMPTY_PIECES) {
                throw new IllegalArgumentException("chunk(): " + chunks + " empty pieces of an empty dimension is more "
                        + "than the limit " + MAX_EMPTY_PIECES);
            }
            return pieces(t, d, new int[chunks]);
        }
        return split(t, splitSize, d);
    }

    private static int splitDim(String op, Tensor t, int dim) {
        IndexOps.check(op, t);
        if (t.dim() == 0) {
            throw new IllegalArgumentException(op + "(): expected at least a 1-dimensional tensor, got a 0-dim one");
        }
        return Shape.wrapDim(dim, t.dim());
    }

    private static List<Tensor> pieces(Tensor t, int dim, int[] sections) {
        List<Tensor> out = new ArrayList<>(sections.length);
        int start = 0;
        for (int s : sections) {
            out.add(ShapeOps.narrow(t, dim, start, s));
            start += s;
        }
        return List.copyOf(out);
    }
}
