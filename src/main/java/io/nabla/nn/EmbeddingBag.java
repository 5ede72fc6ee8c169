package io.nabla.nn;

import io.nabla.autograd.ElementwiseOps;
import io.nabla.autograd.GradMode;
import io.nabla.autograd.IndexOps;
import io.nabla.autograd.ReduceOps;
import io.nabla.autograd.ShapeOps;
import io.nabla.backend.DType;
import io.nabla.tensor.Shape;
import io.nabla.tensor.Tensor;

/**
 * {@code torch.nn.EmbeddingBag(num_embeddings, embedding_dim, mode="mean", padding_idx=None)} over a 2-D index
 * tensor (bags, entries), as a sequential stack calls it (no offsets, no per-sample weights): each row is a bag whose
 * embeddings are summed, averaged or maxed into one (bags, embedding_dim) row. Entries equal to {@code padding_idx}
 * are left out of their bag (a mean divides by the entries kept; a bag of padding only gives zeros) and get no
 * gradient. In {@code max} mode each feature's gradient goes to the first entry holding the maximum, as PyTorch's.
 * {@code weight} (num_embeddings, embedding_dim) is initialised {@code normal_(0, 1)}, as Embedding's, the padding row
 * then zeroed.
 */
public final class EmbeddingBag extends Module {

    private final int numEmbeddings;
    private final int embeddingDim;
    private final String mode;
    private final Integer paddingIdx;
    private final Parameter weight;

    public EmbeddingBag(int numEmbeddings, int embeddingDim, String mode, Integer paddingIdx, Generator g) {
        if (!java.util.List.of("sum", "mean", "max").contains(mode)) {
            throw new IllegalArgumentException("mode: expected \"sum\", \"mean\" or \"max\", got \"" + mode + "\"");
        }
        Embedding table = new Embedding(numEmbeddings, embeddingDim, paddingIdx, g); // PyTorch's draws and checks
        this.numEmbeddings = numEmbeddings;
        this.embeddingDim = embeddingDim;
        this.mode = mode;
        this.paddingIdx = table.paddingIdx();
        this.weight = registerParameter("weight", table.weight().tensor());
    }

    @Override
    public Tensor forward(Tensor input) {
        outputShape(input.shape());
        Tensor emb = IndexOps.embedding(input, weight.tensor()); // (bags, entries, dim), index range checked
        Tensor keep;
        try (GradMode.Region off = GradMode.disable()) {
            keep = paddingIdx == null ? null : ShapeOps.unsqueeze(ElementwiseOps.ne(input, (double) paddingIdx), 2);
        }
        switch (mode) {
            case "sum":
                return ReduceOps.sum(keep == null ? emb : ElementwiseOps.where(keep, emb, 0.0), new int[] {1}, false);
            case "mean": {
                if (keep == null) {
                    return ReduceOps.mean(emb, new int[] {1}, false);
                }
                Tensor sum = ReduceOps.sum(ElementwiseOps.where(keep, emb, 0.0), new int[] {1}, false);
                Tensor count;
                try (GradMode.Region off = GradMode.disable()) {
                    count = ElementwiseOps.clampMin(ReduceOps.sum(keep.dataAs(emb.dtype()), new int[] {1}, false),
                            1.0);
                }
                return ElementwiseOps.div(sum, count);
            }
            default: { // max: the first maximum of each feature among the entries kept
                Tensor first;
                Tensor empty;
                try (GradMode.Region off = GradMode.disable()) {
                    Tensor candidates = keep == null ? emb
                            : ElementwiseOps.where(keep, emb, Double.NEGATIVE_INFINITY);
                    first = ReduceOps.argmax(candidates, 1, true); // (bags, 1, dim)
                    empty = keep == null ? null : ElementwiseOps.eq(ReduceOps.sum(keep.dataAs(DType.INT64),
                            new int[] {1}, false), 0.0); // (bags, 1): a bag of padding only
                }
                Tensor max = ShapeOps.squeeze(IndexOps.gather(emb, 1, first), 1);
                return empty == null ? max : ElementwiseOps.where(empty, 0.0, max);
            }
        }
    }

    /** (bags, entries) -> (bags, embedding_dim). */
    @Override
    public int[] outputShape(int[] in) {
        if (in.length != 2) {
            throw new IllegalArgumentException("expected a 2D input (bags, entries) for EmbeddingBag (1D input needs "
                    + "offsets, which a sequential stack does not pass), got " + Shape.format(in));
        }
        if (in[1] == 0) {
            throw new IllegalArgumentException("expected at least one entry per bag, got " + Shape.format(in));
        }
        return new int[] {in[0], embeddingDim};
    }

    @Override
    public DType outputDType(DType input) {
        if (!input.isIntegral()) {
            throw new IllegalArgumentException("EmbeddingBag expects integer indices, got " + input.torchName());
        }
        return DType.FP32;
    }

    @Override
    protected String extraRepr() {
        return numEmbeddings + ", " + embeddingDim + ", mode=" + mode
                + (paddingIdx == null ? "" : ", padding_idx=" + paddingIdx);
    }
}
