package io.nabla.autograd;

import io.nabla.backend.DType;
import io.nabla.tensor.Shape;
import io.nabla.tensor.Tensor;
import java.util.Arrays;

/**
 * Indexing ops with their gradients, each backward rule right after its forward op: gather, scatter_add,
 * index_select, index_add, embedding and masked_fill. Index tensors are INT64 (index_select, index_add and
 * embedding also take INT32, as PyTorch does); an index value outside its dimension is an
 * {@link IllegalArgumentException} naming the value, the dimension and its size. Running sums and flips are in
 * {@link OrderOps}; cat, stack, split and chunk in {@link JoinOps}.
 */
public final class IndexOps {

    private IndexOps() {
    }

    /** {@code out[i][j] = input[i][index[i][j]]} for {@code dim = 1} (PyTorch's {@code gather}); out has index's shape. */
    public static Tensor gather(Tensor input, int dim, Tensor index) {
        check("gather", input, index);
        requireIndexType("gather", index, false);
        int d = Shape.wrapDim(dim, input.dim());
        checkSameRank("gather", "input", input, index);
        for (int k = 0; k < input.dim(); k++) {
            if (k != d && index.size(k) > input.size(k)) {
                throw new IllegalArgumentException("gather(): index " + Shape.format(index.shape())
                        + " must not be larger than input " + Shape.format(input.shape()) + " apart from dimension "
                        + d + ", but size " + index.size(k) + " > " + input.size(k) + " at dimension " + k);
            }
        }
        Tensor out = Tensor.empty(input.dtype(), input.device(), index.shape());
        input.backend().index().gather(d, input.memory(), input.layout(), index.memory(), index.layout(),
                index.dtype(), input.dtype(), out.memory(), out.layout());
        if (!Autograd.needsGrad(input)) {
            return out;
        }
        int[] inShape = input.shape();
        return Autograd.record("GatherBackward", out, new Tensor[] {input, index}, new Tensor[] {index},
                (n, g) -> new Tensor[] {scatterAddInto(Tensor.zeros(g.dtype(), g.device(), inShape), d, n.saved(0),
                        g), null});
    }

    /** Out of place {@code input.scatter_add(dim, index, src)}: a copy of input with src's elements added at index. */
    public static Tensor scatterAdd(Tensor input, int dim, Tensor index, Tensor src) {
        check("scatter_add", input, index, src);
        requireIndexType("scatter_add", index, false);
        if (src.dtype() != input.dtype()) {
            throw new IllegalArgumentException("scatter_add(): expected src of the input's dtype "
                    + input.dtype().torchName() + ", got " + src.dtype().torchName());
        }
        int d = Shape.wrapDim(dim, input.dim());
        checkSameRank("scatter_add", "input", input, index);
        checkSameRank("scatter_add", "src", src, index);
        for (int k = 0; k < index.dim(); k++) {
            if (index.size(k) > src.size(k) || (k != d && index.size(k) > input.size(k))) {
                throw new IllegalArgumentException("scatter_add(): index " + Shape.format(index.shape())
                        + " must not be larger than src " + Shape.format(src.shape()) + ", nor than input "
                        + Shape.format(input.shape()) + " apart from dimension " + d + "; it is at dimension " + k);
            }
        }
        Tensor out = scatterAddInto(input.dataCopy(), d, index, src);
        if (!Autograd.needsGrad(input, src)) {
            return out;
        }
        int[] srcShape = src.shape();
        return Autograd.record("ScatterAddBackward", out, new Tensor[] {input, index, src}, new Tensor[] {index},
                (n, g) -> new Tensor[] {n.needsInputGrad(0) ? g : null, null,
                        n.needsInputGrad(2) ? gatherPadded(g, d, n.saved(0), srcShape) : null});
    }

    /** The gradient of scatter_add's src: gather at index, zero where src reaches beyond the index. */
    private static Tensor gatherPadded(Tensor g, int dim, Tensor index, int[] srcShape) {
        Tensor picked = gather(g, dim, index);
        if (Arrays.equals(picked.shape(), srcShape)) {
            return picked;
        }
        Tensor full = Tensor.zeros(g.dtype(), g.device(), srcShape);
        Tensor region = full;
        for (int k = 0; k < srcShape.length; k++) {
            region = ShapeOps.narrow(region, k, 0, picked.size(k));
        }
        region.copyFrom(picked);
        return full;
    }

    /** Adds {@code src} into {@code target} (a fresh tensor, returned) at {@code index} along {@code dim}. */
    private static Tensor scatterAddInto(Tensor target, int dim, Tensor index, Tensor src) {
        Tensor s = src.dataContiguous();
        target.backend().index().scatterAdd(dim, index.memory(), index.layout(), index.dtype(), s.memory(),
                s.layout(), target.dtype(), target.memory(), target.layout());
        return target;
    }

    /** The slices of {@code input} at the positions listed by the 1-D {@code index} along {@code dim}. */
    public static Tensor indexSelect(Tensor input, int dim, Tensor index) {
        check("index_select", input, index);
        requireIndexType("index_select", index, true);
        requireVector("index_select", index);
        int d = Shape.wrapDim(dim, input.dim());
        int[] shape = input.shape();
        if (input.dim() == 0) {
            if (index.numel() != 1) {
                throw new IllegalArgumentException("index_select(): an index into a 0-dim tensor must have one "
                        + "value, got " + index.numel());
            }
        } else {
            shape[d] = (int) index.numel();
        }
        Tensor out = Tensor.empty(input.dtype(), input.device(), shape);
        input.backend().index().indexSelect(d, input.memory(), input.layout(), index.memory(), index.layout(),
                index.dtype(), input.dtype(), out.memory(), out.layout());
        if (!Autograd.needsGrad(input)) {
            return out;
        }
        int[] inShape = input.shape();
        return Autograd.record("IndexSelectBackward", out, new Tensor[] {input, index}, new Tensor[] {index},
                (n, g) -> new Tensor[] {indexAddInto(Tensor.zeros(g.dtype(), g.device(), inShape), d, n.saved(0),
                        g), null});
    }

    /** Out of place {@code input.index_add(dim, index, source)}: slice j of source added into slice index[j]. */
    public static Tensor indexAdd(Tensor input, int dim, Tensor index, Tensor source) {
        check("index_add", input, index, source);
        requireIndexType("index_add", index, true);
        requireVector("index_add", index);
        if (source.dtype() != input.dtype()) {
            throw new IllegalArgumentException("index_add(): expected source of the input's dtype "
                    + input.dtype().torchName() + ", got " + source.dtype().torchName());
        }
        int d = Shape.wrapDim(dim, input.dim());
        int[] expected = input.shape();
        if (input.dim() > 0) {
            expected[d] = (int) index.numel();
        }
        if (!Arrays.equals(expected, source.shape())) {
            throw new IllegalArgumentException("index_add(): source must have shape " + Shape.format(expected)
                    + " (input " + Shape.format(input.shape()) + " with " + index.numel() + " slices along dimension "
                    + d + "), got " + Shape.format(source.shape()));
        }
        Tensor out = indexAddInto(input.dataCopy(), d, index, source);
        if (!Autograd.needsGrad(input, source)) {
            return out;
        }
        return Autograd.record("IndexAddBackward", out, new Tensor[] {input, index, source}, new Tensor[] {index},
                (n, g) -> new Tensor[] {n.needsInputGrad(0) ? g : null, null,
                        n.needsInputGrad(2) ? indexSelect(g, d, n.saved(0)) : null});
    }

    /** Adds slice j of {@code src} into slice index[j] of {@code target} (a fresh tensor, returned). */
    private static Tensor indexAddInto(Tensor target, int dim, Tensor index, Tensor src) {
        Tensor s = src.dataContiguous();
        target.backend().index().indexAdd(dim, index.memory(), index.layout(), index.dtype(), s.memory(), s.layout(),
                target.dtype(), target.memory(), target.layout());
        return target;
    }

    /** Rows of {@code weight} (num_embeddings, dim) picked by {@code indices}: out is indices.shape + (dim). */
    public static Tensor embedding(Tensor indices, Tensor weight) {
        return embedding(indices, weight, null);
    }

    /**
     * {@link #embedding(Tensor, Tensor)} where row {@code paddingIdx} (negative counts from the end; null for none)
     * gets no gradient, as {@code torch.nn.functional.embedding(..., padding_idx=)}.
     */
    public static Tensor embedding(Tensor indices, Tensor weight, Integer paddingIdx) {
        return embedding(indices, weight, paddingIdx, false);
    }

    /**
     * {@link #embedding(Tensor, Tensor, Integer)}; with {@code scaleGradByFreq} each index's gradient row is divided
     * by how often the index occurs in {@code indices}, as {@code F.embedding(..., scale_grad_by_freq=True)}.
     */
    public static Tensor embedding(Tensor indices, Tensor weight, Integer paddingIdx, boolean scaleGradByFreq) {
        check("embedding", indices, weight);
        requireIndexType("embedding", indices, true);
        if (weight.dim() != 2) {
            throw new IllegalArgumentException("embedding(): weight must be 2-D (num_embeddings, embedding_dim), "
                    + "got shape " + Shape.format(weight.shape()));
        }
        int rows = weight.size(0);
        int width = weight.size(1);
        int pad = -1;
        if (paddingIdx != null) {
            if (paddingIdx >= rows || paddingIdx < -rows) {
                throw new IllegalArgumentException("embedding(): padding_idx " + paddingIdx + " must be within "
                        + "num_embeddings " + rows + " (in [" + -rows + ", " + (rows - 1) + "])");
            }
            pad = paddingIdx < 0 ? paddingIdx + rows : paddingIdx;
        }
        int[] shape = Arrays.copyOf(indices.shape(), indices.dim() + 1);
        shape[indices.dim()] = width;
        Tensor out = Tensor.empty(weight.dtype(), weight.device(), shape);
        int count = (int) indices.numel();
        // (count, width) view of the output: one row per index
        Tensor rowsOut = out.asStrided(new int[] {count, width}, new int[] {width, 1}, 0);
        weight.backend().index().indexSelect(0, weight.memory(), weight.layout(), indices.memory(), indices.layout(),
                indices.dtype(), weight.dtype(), rowsOut.memory(), rowsOut.layout());
        if (!Autograd.needsGrad(weight)) {
            return out;
        }
        int padRow = pad;
        return Autograd.record("EmbeddingBackward", out, new Tensor[] {indices, weight}, new Tensor[] {indices},
                (n, g) -> new Tensor[] {null, embeddingGrad(g, n.saved(0), rows, width, padRow, scaleGradByFreq)});
    }

    /**
     * (num_embeddings, dim) gradient: each index's gradient row (divided by the index's count with
     * {@code byFreq}) added into its weight row; the padding row zero.
     */
    private static Tensor embeddingGrad(Tensor g, Tensor indices, int rows, int width, int padRow, boolean byFreq) {
        Tensor gw = Tensor.zeros(g.dtype(), g.device(), rows, width);
        Tensor perIndex = ShapeOps.reshape(g, (int) indices.numel(), width); // (count, width)
        if (byFreq) {
            long[] at = indices.toDevice(io.nabla.backend.Device.CPU).dataAs(DType.INT64).toLongArray();
            int[] counts = new int[rows];
            for (long k : at) {
                counts[(int) k]++;
            }
            double[] scale = new double[at.length];
            for (int i = 0; i < at.length; i++) {
                scale[i] = 1.0 / counts[(int) at[i]];
            }
            perIndex = ElementwiseOps.mul(perIndex, Tensor.of(scale, DType.FP64, at.length, 1).dataAs(g.dtype())
                    .toDevice(g.device()));
        }
        indexAddInto(gw, 0, indices, perIndex);
        if (padRow >= 0) {
            ShapeOps.select(gw, 0, padRow).fill(0);
        }
        return gw;
    }

    /**
     * {@code value} where the BOOL {@code mask} is true, {@code input} elsewhere; input and mask broadcast to a
     * common shape (PyTorch's out-of-place {@code masked_fill}).
     */
    public static Tensor maskedFill(Tensor input, Tensor mask, double value) {
        check("masked_fill", input, mask);
        if (mask.dtype() != DType.BOOL) {
            throw new IllegalArgumentException("masked_fill(): expected a mask of dtype bool, got "
                    + mask.dtype().torchName());
        }
        int[] shape;
        try {
            shape = Shape.broadcast(input.shape(), mask.shape());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("masked_fill(): the mask does not broadcast with the input: "
                    + e.getMessage(), e);
        }
        Tensor out = maskedFillRaw(input, mask, value, shape);
        if (!Autograd.needsGrad(input)) {
            return out;
        }
        int[] inShape = input.shape();
        return Autograd.record("MaskedFillBackward", out, new Tensor[] {input, mask}, new Tensor[] {mask},
                (n, g) -> new Tensor[] {ReduceOps.sumToShape(maskedFillRaw(g, n.saved(0), 0, g.shape()), inShape),
                        null});
    }

    private static Tensor maskedFillRaw(Tensor input, Tensor mask, double value, int[] shape) {
        Tensor in = ShapeOps.broadcastTo(input.detach(), shape);
        Tensor m = ShapeOps.broadcastTo(mask.detach(), shape);
        Tensor out = Tensor.empty(input.dtype(), input.device(), shape);
        input.backend().index().maskedFill(in.memory(), in.layout(), m.memory(), m.layout(), value, input.dtype(),
                out.memory(), out.layout());
        return out;
    }

    // ---- argument checks (shared with OrderOps and JoinOps) --------------------------------------------------

    /** Fails on a null tensor or on tensors that live on different devices. */
    static void check(String op, Tensor... tensors) {
        for (int i = 0; i < tensors.length; i++) {
            if (tensors[i] == null) {
                throw new IllegalArgumentException(op + "(): tensor argument " + i + " is null");
            }
            if (!tensors[i].device().equals(tensors[0].device())) {
                throw new IllegalArgumentException(op + "(): expected all tensors on one device, got "
                        + tensors[0].device() + " and " + tensors[i].device());
            }
        }
    }

    private static void requireIndexType(String op, Tensor index, boolean int32Allowed) {
        DType t = index.dtype();
        if (t != DType.INT64 && !(int32Allowed && t == DType.INT32)) {
            throw new IllegalArgumentException(op + "(): expected an index of dtype int64"
                    + (int32Allowed ? " or int32" : "") + ", got " + t.torchName());
        }
    }

    private static void requireVector(String op, Tensor index) {
        if (index.dim() > 1) {
            throw new IllegalArgumentException(op + "(): the index must be a vector (0-dim or 1-dim), got shape "
                    + Shape.format(index.shape()));
        }
    }

    private static void checkSameRank(String op, String name, Tensor t, Tensor index) {
        if (t.dim() != index.dim()) {
            throw new IllegalArgumentException(op + "(): index " + Shape.format(index.shape()) + " must have the "
                    + "same number of dimensions as " + name + " " + Shape.format(t.shape()) + ": " + index.dim()
                    + " != " + t.dim());
        }
    }
}
