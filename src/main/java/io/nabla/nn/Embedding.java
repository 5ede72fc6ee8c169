package io.nabla.nn;

import io.nabla.autograd.IndexOps;
import io.nabla.backend.DType;
import io.nabla.tensor.Tensor;

/**
 * {@code torch.nn.Embedding(num_embeddings, embedding_dim, padding_idx=None, scale_grad_by_freq=False)}: looks up
 * rows of {@code weight} (num_embeddings, embedding_dim), initialised {@code normal_(0, 1)}, for an integer index
 * tensor of any shape. The {@code padding_idx} row (negative counts from the end) starts at zero and gets no
 * gradient; with {@code scale_grad_by_freq} each index's gradient is divided by its count in the batch.
 */
public final class Embedding extends Module {

    private final int numEmbeddings;
    private final int embeddingDim;
    private final Integer paddingIdx;
    private final boolean scaleGradByFreq;
    private final Parameter weight;

    public Embedding(int numEmbeddings, int embeddingDim, Generator g) {
        this(numEmbeddings, embeddingDim, null, g);
    }

    /** {@code paddingIdx} may be null (no padding row) or in [-num_embeddings, num_embeddings). */
    public Embedding(int numEmbeddings, int embeddingDim, Integer paddingIdx, Generator g) {
        this(numEmbeddings, embeddingDim, paddingIdx, false, g);
    }

    /** With {@code scaleGradByFreq}, each row's gradient is divided by how often its index occurs in the batch. */
    public Embedding(int numEmbeddings, int embeddingDim, Integer paddingIdx, boolean scaleGradByFreq, Generator g) {
        Layers.checkPositive("num_embeddings", numEmbeddings);
        Layers.checkPositive("embedding_dim", embeddingDim);
        if (paddingIdx != null && (paddingIdx >= numEmbeddings || paddingIdx < -numEmbeddings)) {
            throw new IllegalArgumentException("padding_idx: must be within num_embeddings, i.e. in ["
                    + -numEmbeddings + ", " + (numEmbeddings - 1) + "], got " + paddingIdx);
        }
        this.numEmbeddings = numEmbeddings;
        this.embeddingDim = embeddingDim;
        this.scaleGradByFreq = scaleGradByFreq;
        this.paddingIdx = paddingIdx == null ? null : paddingIdx < 0 ? paddingIdx + numEmbeddings : paddingIdx;
        Tensor w = Tensor.empty(DType.FP32, numEmbeddings, embeddingDim);
        Init.normal(w, 0, 1, g);
        if (this.paddingIdx != null) {
            Init.zeros(w.asStrided(new int[] {embeddingDim}, new int[] {1}, (long) this.paddingIdx * embeddingDim));
        }
        this.weight = registerParameter("weight", w);
    }

    /** The padding row (non-negative), or null. */
    public Integer paddingIdx() {
        return paddingIdx;
    }

    public Parameter weight() {
        return weight;
    }

    @Override
    public Tensor forward(Tensor input) {
        return IndexOps.embedding(input, weight.tensor(), paddingIdx, scaleGradByFreq);
    }

    /** (*) -> (*, embedding_dim). */
    @Override
    public int[] outputShape(int[] in) {
        int[] out = java.util.Arrays.copyOf(in, in.length + 1);
        out[in.length] = embeddingDim;
        return out;
    }

    @Override
    public DType outputDType(DType input) {
        if (!input.isIntegral()) {
            throw new IllegalArgumentException("Embedding expects integer indices, got " + input.torchName());
        }
        return DType.FP32;
    }

    @Override
    protected String extraRepr() {
        return numEmbeddings + ", " + embeddingDim + (paddingIdx == null ? "" : ", padding_idx=" + paddingIdx)
                + (scaleGradByFreq ? ", scale_grad_by_freq=True" : "");
    }
}
