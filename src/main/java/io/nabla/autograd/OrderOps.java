package io.nabla.autograd;

import io.nabla.backend.DType;
import io.nabla.backend.Layout;
import io.nabla.backend.Memory;
import io.nabla.tensor.Shape;
import io.nabla.tensor.Tensor;
import java.util.Arrays;

/**
 * Ops that walk a dimension in order, with their gradients: running sums ({@code cumsum}, whose gradient is the
 * reverse running sum) and reversal ({@code flip}, its own gradient). Both return new contiguous tensors.
 */
public final class OrderOps {

    private OrderOps() {
    }

    /** Running sums along {@code dim}; integer and bool inputs give INT64, as in PyTorch. */
    public static Tensor cumsum(Tensor t, int dim) {
        IndexOps.check("cumsum", t);
        int d = Shape.wrapDim(dim, t.dim());
        DType outType = t.dtype().isFloatingPoint() ? t.dtype() : DType.INT64;
        Tensor out = Tensor.empty(outType, t.device(), t.shape());
        t.backend().index().cumsum(d, t.memory(), t.layout(), t.dtype(), out.memory(), out.layout(), outType);
        if (!Autograd.needsGrad(t)) {
            return out;
        }
        return Autograd.record("CumsumBackward", out, new Tensor[] {t}, new Tensor[0],
                (n, g) -> new Tensor[] {reverseCumsum(g, d)});
    }

    /** {@code out[i] = sum of g[j] for j >= i} along {@code dim}: the running sum over reversed views. */
    private static Tensor reverseCumsum(Tensor g, int dim) {
        Tensor out = Tensor.empty(g.dtype(), g.device(), g.shape());
        boolean[] flipped = new boolean[g.dim()];
        if (g.dim() > 0) {
            flipped[dim] = true;
        }
        g.backend().index().cumsum(dim, g.memory(), reversed(g.layout(), flipped), g.dtype(), out.memory(),
                reversed(out.layout(), flipped), g.dtype());
        return out;
    }

    /** A copy with the order of the elements reversed along each of {@code dims}. */
    public static Tensor flip(Tensor t, int... dims) {
        IndexOps.check("flip", t);
        boolean[] flipped = new boolean[t.dim()];
        for (int dim : dims) {
            int d = Shape.wrapDim(dim, t.dim());
            if (t.dim() == 0) {
                continue;
            }
            if (flipped[d]) {
                throw new IllegalArgumentException("flip(): dim " + d + " appears multiple times in the list of dims "
                        + Arrays.toString(dims));
            }
            flipped[d] = true;
        }
        Tensor out = flipRaw(t, flipped);
        if (!Autograd.needsGrad(t)) {
            return out;
        }
        return Autograd.record("FlipBackward", out, new Tensor[] {t}, new Tensor[0],
                (n, g) -> new Tensor[] {flipRaw(g, flipped)});
    }

    private static Tensor flipRaw(Tensor t, boolean[] flipped) {
        if (t.dim() == 0) {
            return t.dataCopy();
        }
        Tensor out = Tensor.empty(t.dtype(), t.device(), t.shape());
        // a one-input cat is a strided copy; the reversed layout walks the flipped dims backwards
        t.backend().index().cat(0, new Memory[] {t.memory()},
                new Layout[] {reversed(t.layout(), flipped)}, t.dtype(), out.memory(), out.layout());
        return out;
    }

    /** The same elements with dims marked in {@code flipped} walked backwards (negative strides). */
    private static Layout reversed(Layout l, boolean[] flipped) {
        int[] shape = l.shape();
        int[] strides = l.strides().clone();
        long offset = l.offset();
        for (int d = 0; d < shape.length; d++) {
            if (flipped[d] && shape[d] > 1) {
                offset += (long) (shape[d] - 1) * strides[d];
                strides[d] = -strides[d];
            }
        }
        return new Layout(shape, strides, offset);
    }
}
