package io.nabla.autograd;

import io.nabla.backend.DType;
import io.nabla.backend.ReduceOp;
import io.nabla.tensor.Shape;
import io.nabla.tensor.Tensor;
import java.util.Arrays;

/** Reductions over dimensions, with their gradients. */
public final class ReduceOps {

    private ReduceOps() {
    }

    /** Sum of all elements (a 0-dim tensor). Integer and bool inputs sum to int64, as in PyTorch. */
    public static Tensor sum(Tensor t) {
        return sum(t, allDims(t.dim()), false);
    }

    /** Sum over {@code dims} (negative allowed); {@code keepdim} keeps them with size 1. */
    public static Tensor sum(Tensor t, int[] dims, boolean keepdim) {
        int[] ds = normalizeDims(dims, t.dim());
        DType outType = t.dtype().isFloatingPoint() ? t.dtype() : DType.INT64;
        Tensor out = reduceRaw(ReduceOp.SUM, 0, t, ds, keepdim, outType);
        if (!Autograd.needsGrad(t)) {
            return out;
        }
        int[] inShape = t.shape();
        int[] keptShape = keptShape(inShape, ds);
        return Autograd.record("SumBackward", out, new Tensor[] {t}, new Tensor[0],
                (n, g) -> new Tensor[] {ShapeOps.expand(ShapeOps.reshape(g, keptShape), inShape)});
    }

    /** Mean of all elements (a 0-dim tensor); floating inputs only, as in PyTorch. */
    public static Tensor mean(Tensor t) {
        return mean(t, allDims(t.dim()), false);
    }

    /** Mean over {@code dims}; gradient {@code g / n} to every element. */
    public static Tensor mean(Tensor t, int[] dims, boolean keepdim) {
        requireFloating("mean", t);
        return differentiable("MeanBackward", ReduceOp.MEAN, 0, t, normalizeDims(dims, t.dim()), keepdim, false);
    }

    /** Product of all elements; integer and bool inputs give int64. */
    public static Tensor prod(Tensor t) {
        return prod(t, allDims(t.dim()), false);
    }

    /** Product over one dim; the gradient handles zeros exactly (PyTorch's rule). */
    public static Tensor prod(Tensor t, int dim, boolean keepdim) {
        return prod(t, new int[] {dim}, keepdim);
    }

    private static Tensor prod(Tensor t, int[] dims, boolean keepdim) {
        int[] ds = normalizeDims(dims, t.dim());
        DType outType = t.dtype().isFloatingPoint() ? t.dtype() : DType.INT64;
        if (!t.dtype().isFloatingPoint()) {
            return reduceRaw(ReduceOp.PROD, 0, t, ds, keepdim, outType);
        }
        return differentiable("ProdBackward", ReduceOp.PROD, 0, t, ds, keepdim, true);
    }

    /** Max over {@code dims} (empty = all); the gradient is shared evenly among tied maxima. */
    public static Tensor amax(Tensor t, int[] dims, boolean keepdim) {
        int[] ds = normalizeDims(dims, t.dim());
        requireNonEmpty("amax", t, ds);
        return differentiable("AmaxBackward", ReduceOp.AMAX, 0, t, ds, keepdim, true);
    }

    /** Min over {@code dims} (empty = all); the gradient is shared evenly among tied minima. */
    public static Tensor amin(Tensor t, int[] dims, boolean keepdim) {
        int[] ds = normalizeDims(dims, t.dim());
        requireNonEmpty("amin", t, ds);
        return differentiable("AminBackward", ReduceOp.AMIN, 0, t, ds, keepdim, true);
    }

    /** Max of all elements ({@code torch.max(t)}). */
    public static Tensor max(Tensor t) {
        return amax(t, allDims(t.dim()), false);
    }

    /** Min of all elements ({@code torch.min(t)}). */
    public static Tensor min(Tensor t) {
        return amin(t, allDims(t.dim()), false);
    }

    /** Max along a dim with the index of the first max; the gradient goes to that index. */
    public static ValuesIndices max(Tensor t, int dim, boolean keepdim) {
        return extremeWithIndex(t, dim, keepdim, true);
    }

    /** Min along a dim with the index of the first min; the gradient goes to that index. */
    public static ValuesIndices min(Tensor t, int dim, boolean keepdim) {
        return extremeWithIndex(t, dim, keepdim, false);
    }

    /** Unbiased variance of all elements. */
    public static Tensor var(Tensor t) {
        return var(t, allDims(t.dim()), 1.0, false);
    }

    /** Variance over {@code dims} (empty = all), unbiased (N - 1) or biased (N). */
    public static Tensor var(Tensor t, int[] dims, boolean unbiased, boolean keepdim) {
        return var(t, dims, unbiased ? 1.0 : 0.0, keepdim);
    }

    /** Variance over {@code dims} with divisor {@code max(0, N - correction)}. */
    public static Tensor var(Tensor t, int[] dims, double correction, boolean keepdim) {
        requireFloating("var", t);
        return differentiable("VarBackward", ReduceOp.VAR, correction, t, normalizeDims(dims, t.dim()), keepdim,
                false);
    }

    /** Unbiased standard deviation of all elements. */
    public static Tensor std(Tensor t) {
        return std(t, allDims(t.dim()), 1.0, false);
    }

    /** Standard deviation over {@code dims} (empty = all), unbiased or biased. */
    public static Tensor std(Tensor t, int[] dims, boolean unbiased, boolean keepdim) {
        return std(t, dims, unbiased ? 1.0 : 0.0, keepdim);
    }

    /** Standard deviation over {@code dims} with divisor {@code max(0, N - correction)}. */
    public static Tensor std(Tensor t, int[] dims, double correction, boolean keepdim) {
        requireFloating("std", t);
        return differentiable("StdBackward", ReduceOp.STD, correction, t, normalizeDims(dims, t.dim()), keepdim,
                true);
    }

    /** {@code log(sum(exp(x)))} over {@code dims}, computed stably; integer inputs give float32. */
    public static Tensor logsumexp(Tensor t, int[] dims, boolean keepdim) {
        int[] ds = normalizeDims(dims, t.dim());
        if (!t.dtype().isFloatingPoint()) {
            return reduceRaw(ReduceOp.LOGSUMEXP, 0, t, ds, keepdim, DType.FP32);
        }
        return differentiable("LogsumexpBackward", ReduceOp.LOGSUMEXP, 0, t, ds, keepdim, true);
    }

    /** Index of the first max of the flattened input (int64, 0-dim). */
    public static Tensor argmax(Tensor t) {
        int[] ds = allDims(t.dim());
        requireNonEmpty("argmax", t, ds);
        return reduceRaw(ReduceOp.ARGMAX, 0, t, ds, false, DType.INT64);
    }

    /** Index of the first max along {@code dim} (int64); never differentiable. */
    public static Tensor argmax(Tensor t, int dim, boolean keepdim) {
        int[] ds = normalizeDims(new int[] {dim}, t.dim());
        requireNonEmpty("argmax", t, ds);
        return reduceRaw(ReduceOp.ARGMAX, 0, t, ds, keepdim, DType.INT64);
    }

    /** Index of the first min of the flattened input (int64, 0-dim). */
    public static Tensor argmin(Tensor t) {
        int[] ds = allDims(t.dim());
        requireNonEmpty("argmin", t, ds);
        return reduceRaw(ReduceOp.ARGMIN, 0, t, ds, false, DType.INT64);
    }

    /** Index of the first min along {@code dim} (int64); never differentiable. */
    public static Tensor argmin(Tensor t, int dim, boolean keepdim) {
        int[] ds = normalizeDims(new int[] {dim}, t.dim());
        requireNonEmpty("argmin", t, ds);
        return reduceRaw(ReduceOp.ARGMIN, 0, t, ds, keepdim, DType.INT64);
    }

    /** The values and int64 indices of {@link #max(Tensor, int, boolean)} and {@link #min(Tensor, int, boolean)}. */
    public record ValuesIndices(Tensor values, Tensor indices) {
    }

    private static ValuesIndices extremeWithIndex(Tensor t, int dim, boolean keepdim, boolean max) {
        String name = max ? "max" : "min";
        int[] ds = normalizeDims(new int[] {dim}, t.dim());
        requireNonEmpty(name, t, ds);
        Tensor indices = reduceRaw(max ? ReduceOp.ARGMAX : ReduceOp.ARGMIN, 0, t, ds, keepdim, DType.INT64);
        Tensor values = reduceRaw(max ? ReduceOp.AMAX : ReduceOp.AMIN, 0, t, ds, true, t.dtype());
        Tensor shown = keepdim ? values : squeezed(values, t.shape(), ds);
        if (Autograd.needsGrad(t)) {
            ReduceOp rule = max ? ReduceOp.ARGMAX : ReduceOp.ARGMIN;
            Autograd.record(max ? "MaxBackward" : "MinBackward", shown, new Tensor[] {t}, new Tensor[] {t, values},
                    (n, g) -> new Tensor[] {reduceGrad(rule, 0, n.saved(0), ds, n.saved(1), g)});
        }
        return new ValuesIndices(shown, indices);
    }

    /** Sums a broadcast gradient back down to {@code shape} (the reverse of broadcasting). */
    public static Tensor sumToShape(Tensor g, int[] shape) {
        int[] gs = g.shape();
        if (Arrays.equals(gs, shape)) {
            return g;
        }
        int lead = gs.length - shape.length;
        if (lead < 0) {
            throw new IllegalArgumentException("cannot sum " + Shape.format(gs) + " to the larger shape "
                    + Shape.format(shape));
        }
        int count = 0;
        int[] dims = new int[gs.length];
        for (int d = 0; d < gs.length; d++) {
            if (d < lead || (shape[d - lead] == 1 && gs[d] != 1)) {
                dims[count++] = d;
            } else if (shape[d - lead] != gs[d]) {
                throw new IllegalArgumentException("cannot sum " + Shape.format(gs) + " to " + Shape.format(shape)
                        + ": dimension " + d + " has size " + gs[d] + ", expected " + shape[d - lead] + " or 1");
            }
        }
        Tensor s = sum(g, Arrays.copyOf(dims, count), true);
        return ShapeOps.reshape(s, shape);
    }

    // ---- shared plumbing ------------------------------------------------------------------------------------

    /** Runs a reduce kernel: output in keepdim form, then viewed without the reduced dims unless keepdim. */
    static Tensor reduceRaw(ReduceOp op, double param, Tensor t, int[] dims, boolean keepdim, DType outType) {
        int[] kept = keptShape(t.shape(), dims);
        Tensor out = Tensor.empty(outType, t.device(), kept);
        t.backend().reduce().reduce(op, param, t.memory(), t.layout(), t.dtype(), dims, out.memory(), out.layout(),
                outType);
        if (keepdim) {
            return out;
        }
        int[] squeezed = squeezedShape(t.shape(), dims);
        return out.asStrided(squeezed, Shape.contiguousStrides(squeezed), 0);
    }

    /**
     * Runs a reduction whose gradient comes from the backend's reduceBackward kernel. The kernel needs the input
     * and, for {@code saveOut} ops, the forward result; both are saved (version-checked) only when the rule reads
     * their values, as PyTorch does.
     */
    private static Tensor differentiable(String name, ReduceOp op, double param, Tensor t, int[] dims,
                                         boolean keepdim, boolean saveOut) {
        Tensor kept = reduceRaw(op, param, t, dims, true, t.dtype());
        Tensor out = keepdim ? kept : squeezed(kept, t.shape(), dims);
        if (!Autograd.needsGrad(t)) {
            return out;
        }
        boolean readsInput = op != ReduceOp.MEAN;
        Tensor[] saved = {readsInput ? t : null, saveOut ? kept : null};
        return Autograd.record(name, out, new Tensor[] {t}, saved, (n, g) -> new Tensor[] {
            reduceGrad(op, param, readsInput ? n.saved(0) : t, dims, saveOut ? n.saved(1) : kept, g)});
    }

    /** The input gradient of a reduction through the reduceBackward kernel; {@code out} is in keepdim form. */
    private static Tensor reduceGrad(ReduceOp op, double param, Tensor x, int[] dims, Tensor out, Tensor g) {
        Tensor gk = keepdimView(g.dataAs(x.dtype()), out.shape(), dims);
        Tensor gi = Tensor.empty(x.dtype(), x.device(), x.shape());
        x.backend().reduce().reduceBackward(op, param, x.memory(), x.layout(), dims, out.memory(), out.layout(),
                gk.memory(), gk.layout(), gi.memory(), gi.layout(), x.dtype());
        return gi;
    }

    /** {@code g} (the output's shape) seen in keepdim form {@code kept} (size 1 at {@code dims}), without copying. */
    private static Tensor keepdimView(Tensor g, int[] kept, int[] dims) {
        if (g.dim() == kept.length) {
            return g;
        }
        int[] gs = g.strides();
        int[] strides = new int[kept.length];
        for (int d = 0, j = 0, k = 0; d < kept.length; d++) {
            if (k < dims.length && dims[k] == d) {
                k++;
            } else {
                strides[d] = gs[j++];
            }
        }
        return g.asStrided(kept, strides, g.offset());
    }

    private static Tensor squeezed(Tensor kept, int[] inShape, int[] dims) {
        int[] s = squeezedShape(inShape, dims);
        return kept.asStrided(s, Shape.contiguousStrides(s), kept.offset());
    }

    private static void requireFloating(String op, Tensor t) {
        if (!t.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException(op + "(): input dtype must be floating point, got "
                    + t.dtype().torchName());
        }
    }

    /** max/min/arg* have no identity: reducing over an empty dimension is an error, as in PyTorch. */
    private static void requireNonEmpty(String op, Tensor t, int[] dims) {
        int[] shape = t.shape();
        for (int d : dims) {
            if (shape[d] == 0) {
                throw new IllegalArgumentException(op + "(): cannot reduce over dimension " + d + " of size 0 in "
                        + Shape.format(shape) + ": the operation has no identity");
            }
        }
        if (t.numel() == 0 && dims.length == t.dim()) {
            throw new IllegalArgumentException(op + "(): cannot reduce an empty tensor " + Shape.format(shape));
        }
    }

    static int[] allDims(int rank) {
        int[] d = new int[rank];
        for (int i = 0; i < rank; i++) {
            d[i] = i;
        }
        return d;
    }

    /** Wraps, sorts and de-duplicates-checks reduction dims; an empty list means every dim (PyTorch's convention). */
    static int[] normalizeDims(int[] dims, int rank) {
        if (dims == null || dims.length == 0) {
            return allDims(rank);
        }
        int[] out = new int[dims.length];
        boolean[] seen = new boolean[Math.max(rank, 1)];
        for (int i = 0; i < dims.length; i++) {
            int d = Shape.wrapDim(dims[i], rank);
            if (seen[d]) {
                throw new IllegalArgumentException("dim " + d + " appears multiple times in the list of dims "
                        + Arrays.toString(dims));
            }
            seen[d] = true;
            out[i] = d;
        }
        if (rank == 0) {
            return new int[0];
        }
        Arrays.sort(out);
        return out;
    }

    static int[] keptShape(int[] shape, int[] dims) {
        int[] kept = shape.clone();
        for (int d : dims) {
            kept[d] = 1;
        }
        return kept;
    }

    static int[] squeezedShape(int[] shape, int[] dims) {
        int[] out = new int[shape.length - dims.length];
        int k = 0;
        for (int d = 0, j = 0; d < shape.length; d++) {
            if (j < dims.length && dims[j] == d) {
                j++;
            } else {
                out[k++] = shape[d];
            }
        }
        return out;
    }
}
