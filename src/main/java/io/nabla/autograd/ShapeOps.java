package io.nabla.autograd;

import io.nabla.tensor.Shape;
import io.nabla.tensor.Tensor;
import java.util.Arrays;

/**
 * Views and shape changes. Every op here returns a view that shares storage with its input (except
 * {@link #contiguous} and {@link #reshape} of data that cannot be viewed, which copy), and records its gradient.
 */
public final class ShapeOps {

    private ShapeOps() {
    }

    /** A view with a new shape of the same element count; one size may be -1. Fails when a copy would be needed. */
    public static Tensor view(Tensor t, int... shape) {
        int[] target = inferShape(t, shape);
        int[] strides = viewStrides(t.shape(), t.strides(), target);
        if (strides == null) {
            throw new IllegalArgumentException("view size " + Shape.format(target) + " is not compatible with input "
                    + "tensor's size " + Shape.format(t.shape()) + " and strides " + Shape.format(t.strides())
                    + " (at least one dimension spans across two contiguous subspaces); use reshape instead");
        }
        return recordReshape("ViewBackward", t, t.asStrided(target, strides, t.offset()));
    }

    /** {@link #view} when possible, else a contiguous copy with the new shape (PyTorch's {@code reshape}). */
    public static Tensor reshape(Tensor t, int... shape) {
        int[] target = inferShape(t, shape);
        int[] strides = viewStrides(t.shape(), t.strides(), target);
        if (strides != null) {
            return recordReshape("ViewBackward", t, t.asStrided(target, strides, t.offset()));
        }
        Tensor c = t.dataCopy();
        return recordReshape("ReshapeBackward", t, c.asStrided(target, Shape.contiguousStrides(target), 0));
    }

    private static Tensor recordReshape(String name, Tensor input, Tensor out) {
        if (!Autograd.needsGrad(input)) {
            return out;
        }
        int[] inShape = input.shape();
        return Autograd.record(name, out, new Tensor[] {input}, new Tensor[0],
                (n, g) -> new Tensor[] {reshape(g, inShape)});
    }

    /** Flattens dims {@code start..end} (inclusive, negative allowed) into one. */
    public static Tensor flatten(Tensor t, int start, int end) {
        int rank = t.dim();
        if (rank == 0) {
            return reshape(t, 1);
        }
        int s = Shape.wrapDim(start, rank);
        int e = Shape.wrapDim(end, rank);
        if (s > e) {
            throw new IllegalArgumentException("flatten() has invalid args: start_dim " + start
                    + " cannot come after end_dim " + end);
        }
        int[] shape = t.shape();
        int[] out = new int[rank - (e - s)];
        int k = 0;
        for (int d = 0; d < s; d++) {
            out[k++] = shape[d];
        }
        long prod = 1;
        for (int d = s; d <= e; d++) {
            prod *= shape[d];
        }
        out[k++] = Math.toIntExact(prod);
        for (int d = e + 1; d < rank; d++) {
            out[k++] = shape[d];
        }
        return reshape(t, out);
    }

    /** Swaps two dimensions (a view). */
    public static Tensor transpose(Tensor t, int dim0, int dim1) {
        int rank = t.dim();
        int[] perm = new int[rank];
        for (int i = 0; i < rank; i++) {
            perm[i] = i;
        }
        if (rank == 0) {
            Shape.wrapDim(dim0, 0);
            Shape.wrapDim(dim1, 0);
            return permute(t);
        }
        int a = Shape.wrapDim(dim0, rank);
        int b = Shape.wrapDim(dim1, rank);
        perm[a] = b;
        perm[b] = a;
        return permute(t, perm);
    }

    /** The transpose of a matrix, or the tensor itself for rank 0 and 1 (PyTorch's {@code t()}). */
    public static Tensor t(Tensor t) {
        if (t.dim() > 2) {
            throw new IllegalArgumentException("t() expects a tensor with <= 2 dimensions, but it has " + t.dim());
        }
        return t.dim() < 2 ? t : transpose(t, 0, 1);
    }

    /** Reorders the dimensions (a view). {@code dims} must be a permutation of 0..rank-1 (negatives allowed). */
    public static Tensor permute(Tensor t, int... dims) {
        int rank = t.dim();
        if (dims.length != rank) {
            throw new IllegalArgumentException("permute: number of dims " + dims.length
                    + " does not match the tensor's rank " + rank);
        }
        int[] perm = new int[rank];
        boolean[] used = new boolean[rank];
        for (int i = 0; i < rank; i++) {
            int d = Shape.wrapDim(dims[i], rank);
            if (used[d]) {
                throw new IllegalArgumentException("permute: dim " + d + " appears more than once in "
                        + Arrays.toString(dims));
            }
            used[d] = true;
            perm[i] = d;
        }
        int[] shape = t.shape();
        int[] strides = t.strides();
        int[] ns = new int[rank];
        int[] nst = new int[rank];
        for (int i = 0; i < rank; i++) {
            ns[i] = shape[perm[i]];
            nst[i] = strides[perm[i]];
        }
        Tensor out = t.asStrided(ns, nst, t.offset());
        if (!Autograd.needsGrad(t)) {
            return out;
        }
        int[] inverse = new int[rank];
        for (int i = 0; i < rank; i++) {
            inverse[perm[i]] = i;
        }
        return Autograd.record("PermuteBackward", out, new Tensor[] {t}, new Tensor[0],
                (n, g) -> new Tensor[] {permute(g, inverse)});
    }

    /** Broadcasts to a larger shape without copying (stride 0); -1 keeps a size. */
    public static Tensor expand(Tensor t, int... size) {
        int rank = size.length;
        int[] shape = t.shape();
        int[] strides = t.strides();
        if (rank < shape.length) {
            throw new IllegalArgumentException("expand: the number of sizes provided (" + rank + ") must be greater "
                    + "or equal to the number of dimensions in the tensor (" + shape.length + ")");
        }
        int[] ns = new int[rank];
        int[] nst = new int[rank];
        int lead = rank - shape.length;
        for (int i = 0; i < rank; i++) {
            int target = size[i];
            if (i < lead) {
                if (target < 0) {
                    throw new IllegalArgumentException("expand: -1 is not allowed in a leading, non-existing "
                            + "dimension " + i);
                }
                ns[i] = target;
                nst[i] = 0;
                continue;
            }
            int cur = shape[i - lead];
            if (target == -1) {
                target = cur;
            }
            if (cur != target) {
                if (cur != 1) {
                    throw new IllegalArgumentException("the expanded size of the tensor (" + target
                            + ") must match the existing size (" + cur + ") at non-singleton dimension " + i
                            + ".  Target sizes: " + Arrays.toString(size) + ".  Tensor sizes: "
                            + Shape.format(shape));
                }
                if (target < 0) {
                    throw new IllegalArgumentException("expand: size " + target + " is invalid at dimension " + i);
                }
                ns[i] = target;
                nst[i] = 0;
            } else {
                ns[i] = cur;
                nst[i] = strides[i - lead];
            }
        }
        Tensor out = t.asStrided(ns, nst, t.offset());
        if (!Autograd.needsGrad(t)) {
            return out;
        }
        int[] inShape = t.shape();
        return Autograd.record("ExpandBackward", out, new Tensor[] {t}, new Tensor[0],
                (n, g) -> new Tensor[] {ReduceOps.sumToShape(g, inShape)});
    }

    /** Expands to {@code shape} following broadcasting rules (no-op when already that shape). */
    public static Tensor broadcastTo(Tensor t, int... shape) {
        if (Arrays.equals(t.shape(), shape)) {
            return t;
        }
        Shape.broadcast(t.shape(), shape);
        return expand(t, shape);
    }

    /** Elements {@code start, start+step, ...} below {@code end} along {@code dim} (a view); bounds are clamped. */
    public static Tensor slice(Tensor t, int dim, long start, long end, long step) {
        int d = Shape.wrapDim(dim, t.dim());
        if (t.dim() == 0) {
            throw new IllegalArgumentException("slice() cannot be applied to a 0-dim tensor");
        }
        if (step <= 0) {
            throw new IllegalArgumentException("slice step must be positive, got " + step);
        }
        int size = t.size(d);
        long s = start < 0 ? start + size : start;
        long e = end < 0 ? end + size : end;
        s = Math.max(0, Math.min(s, size));
        e = Math.max(s, Math.min(e, size));
        int len = (int) ((e - s + step - 1) / step);
        int[] shape = t.shape();
        int[] strides = t.strides();
        long offset = t.offset() + s * strides[d];
        shape[d] = len;
        long stepped = strides[d] * step;
        if (len > 1 && (stepped > Integer.MAX_VALUE || stepped < Integer.MIN_VALUE)) {
            throw new IllegalArgumentException("slice step " + step + " makes a stride " + stepped
                    + " larger than the largest supported " + Integer.MAX_VALUE);
        }
        strides[d] = len > 1 ? (int) stepped : strides[d];
        Tensor out = t.asStrided(shape, strides, offset);
        return recordSubview("SliceBackward", t, out, d, s, step);
    }

    /** {@code length} elements from {@code start} along {@code dim} (a view). */
    public static Tensor narrow(Tensor t, int dim, int start, int length) {
        int d = Shape.wrapDim(dim, t.dim());
        int size = t.size(d);
        int s = start < 0 ? start + size : start;
        if (s < 0 || length < 0 || (long) s + length > size) {
            throw new IllegalArgumentException("narrow: start (" + start + ") + length (" + length
                    + ") exceeds dimension " + d + " of size " + size);
        }
        return slice(t, d, s, (long) s + length, 1);
    }

    /** The sub-tensor at {@code index} along {@code dim}, that dimension removed (a view). */
    public static Tensor select(Tensor t, int dim, int index) {
        if (t.dim() == 0) {
            throw new IllegalArgumentException("select() cannot be applied to a 0-dim tensor");
        }
        int d = Shape.wrapDim(dim, t.dim());
        int size = t.size(d);
        int i = index < 0 ? index + size : index;
        if (i < 0 || i >= size) {
            throw new IllegalArgumentException("select(): index " + index + " out of range for tensor of size "
                    + Shape.format(t.shape()) + " at dimension " + d);
        }
        Tensor narrowed = slice(t, d, i, i + 1L, 1);
        return squeeze(narrowed, d);
    }

    private static Tensor recordSubview(String name, Tensor input, Tensor out, int dim, long start, long step) {
        if (!Autograd.needsGrad(input)) {
            return out;
        }
        int[] inShape = input.shape();
        return Autograd.record(name, out, new Tensor[] {input}, new Tensor[0], (n, g) -> {
            Tensor full = Tensor.zeros(g.dtype(), g.device(), inShape);
            Tensor region = slice(full, dim, start, start + step * g.size(dim), step);
            region.copyFrom(g);
            return new Tensor[] {full};
        });
    }

    /** Removes every dimension of size 1. */
    public static Tensor squeeze(Tensor t) {
        int[] shape = t.shape();
        int keep = 0;
        for (int s : shape) {
            if (s != 1) {
                keep++;
            }
        }
        int[] dims = new int[shape.length - keep];
        int k = 0;
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == 1) {
                dims[k++] = d;
            }
        }
        return squeezeDims(t, dims);
    }

    /** Removes {@code dim} if its size is 1 (otherwise returns an equal view, as PyTorch does). */
    public static Tensor squeeze(Tensor t, int dim) {
        if (t.dim() == 0) {
            Shape.wrapDim(dim, 0);
            return squeezeDims(t, new int[0]);
        }
        int d = Shape.wrapDim(dim, t.dim());
        return squeezeDims(t, t.size(d) == 1 ? new int[] {d} : new int[0]);
    }

    private static Tensor squeezeDims(Tensor t, int[] dims) {
        int[] shape = t.shape();
        int[] strides = t.strides();
        boolean[] drop = new boolean[shape.length];
        for (int d : dims) {
            drop[d] = true;
        }
        int[] ns = new int[shape.length - dims.length];
        int[] nst = new int[ns.length];
        int k = 0;
        for (int d = 0; d < shape.length; d++) {
            if (!drop[d]) {
                ns[k] = shape[d];
                nst[k++] = strides[d];
            }
        }
        return recordReshape("SqueezeBackward", t, t.asStrided(ns, nst, t.offset()));
    }

    /** Inserts a dimension of size 1 at {@code dim} (in [-rank-1, rank]). */
    public static Tensor unsqueeze(Tensor t, int dim) {
        int rank = t.dim();
        int d = Shape.wrapDim(dim, rank + 1);
        int[] shape = t.shape();
        int[] strides = t.strides();
        int[] ns = new int[rank + 1];
        int[] nst = new int[rank + 1];
        for (int i = 0, k = 0; i <= rank; i++) {
            if (i == d) {
                ns[i] = 1;
                nst[i] = d < rank ? strides[d] * shape[d] : 1;
            } else {
                ns[i] = shape[k];
                nst[i] = strides[k++];
            }
        }
        return recordReshape("UnsqueezeBackward", t, t.asStrided(ns, nst, t.offset()));
    }

    /** The tensor itself when contiguous, else a contiguous copy (gradient passes through). */
    public static Tensor contiguous(Tensor t) {
        if (t.isContiguous()) {
            return t;
        }
        return clone(t);
    }

    /** A contiguous copy that stays in the graph (PyTorch's {@code clone()}). */
    public static Tensor clone(Tensor t) {
        Tensor out = t.dataCopy();
        if (!Autograd.needsGrad(t)) {
            return out;
        }
        return Autograd.record("CloneBackward", out, new Tensor[] {t}, new Tensor[0], (n, g) -> new Tensor[] {g});
    }

    /** Converts to another dtype, staying in the graph for floating targets. */
    /** {@code t} on {@code device} (itself when already there); the gradient flows back to t's device. */
    public static Tensor to(Tensor t, io.nabla.backend.Device device) {
        if (device == null) {
            throw new IllegalArgumentException("to(): device must be cpu or cuda:N, got null");
        }
        if (t.device().equals(device)) {
            return t;
        }
        Tensor out = t.toDevice(device);
        if (!t.dtype().isFloatingPoint() || !Autograd.needsGrad(t)) {
            return out;
        }
        io.nabla.backend.Device from = t.device();
        return Autograd.record("ToCopyBackward", out, new Tensor[] {t}, new Tensor[0],
                (n, g) -> new Tensor[] {g.toDevice(from)});
    }

    public static Tensor to(Tensor t, io.nabla.backend.DType dtype) {
        if (t.dtype() == dtype) {
            return t;
        }
        Tensor out = t.dataAs(dtype);
        if (!dtype.isFloatingPoint() || !Autograd.needsGrad(t)) {
            return out;
        }
        io.nabla.backend.DType from = t.dtype();
        return Autograd.record("ToCopyBackward", out, new Tensor[] {t}, new Tensor[0],
                (n, g) -> new Tensor[] {g.dataAs(from)});
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    private static int[] inferShape(Tensor t, int[] shape) {
        long numel = t.numel();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] == -1) {
                if (infer >= 0) {
                    throw new IllegalArgumentException("only one dimension can be inferred, got "
                            + Arrays.toString(shape));
                }
                infer = i;
            } else if (shape[i] < 0) {
                throw new IllegalArgumentException("invalid shape dimension " + shape[i] + " in "
                        + Arrays.toString(shape));
            } else {
                known = Math.multiplyExact(known, (long) shape[i]);
            }
        }
        int[] out = shape.clone();
        if (infer >= 0) {
            if (known == 0 || numel % known != 0) {
                throw new IllegalArgumentException("shape '" + Arrays.toString(shape) + "' is invalid for input of "
                        + "size " + numel);
            }
            out[infer] = Math.toIntExact(numel / known);
        } else if (known != numel) {
            throw new IllegalArgumentException("shape '" + Arrays.toString(shape) + "' is invalid for input of size "
                    + numel);
        }
        return out;
    }

    /** PyTorch's computeStride: strides for viewing (shape, strides) as newShape, or null when impossible. */
    static int[] viewStrides(int[] shape, int[] strides, int[] newShape) {
        int[] out = new int[newShape.length];
        long numel = Shape.numel(shape);
        if (numel == 0) {
            return Shape.contiguousStrides(newShape);
        }
        int viewD = newShape.length - 1;
        long chunkBase = shape.length == 0 ? 1 : strides[shape.length - 1];
        long tensorNumel = 1;
        long viewNumel = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            tensorNumel *= shape[d];
            if (d == 0 || (shape[d - 1] != 1 && strides[d - 1] != tensorNumel * chunkBase)) {
                while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] == 1)) {
                    out[viewD] = Math.toIntExact(viewNumel * chunkBase);
                    viewNumel *= newShape[viewD];
                    viewD--;
                }
                if (viewNumel != tensorNumel) {
                    return null;
                }
                if (d > 0) {
                    chunkBase = strides[d - 1];
                    tensorNumel = 1;
                    viewNumel = 1;
                }
            }
        }
        if (viewD != -1) {
            return null;
        }
        return out;
    }
}
