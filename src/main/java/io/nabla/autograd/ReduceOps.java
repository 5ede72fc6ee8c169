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
