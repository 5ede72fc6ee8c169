package io.nabla.nn;

import io.nabla.autograd.IndexOps;
import io.nabla.backend.DType;
import io.nabla.tensor.Tensor;

/**
 * {@code torch.nn.Embedding(num_embeddings, embedding_dim)}: looks up rows of {@code weight}
 * (num_embeddings, embedding_dim), initialised {@code normal_(0, 1)}, for an integer index tensor of any shape.
 */
public final class Embedding extends Module {

    private final int numEmbeddings;
    private final int embeddingDim;
    private final Parameter weight;

    public Embedding(int numEmbeddings, int embeddingDim, Generator g) {
        Layers.checkPositive("num_embeddings", numEmbeddings);
        Layers.checkPositive("embedding_dim", embeddingDim);
        this.numEmbeddings = numEmbeddings;
        this.embeddingDim = embeddingDim;
        Tensor w = Tensor.empty(DType.FP32, numEmbeddings, embeddingDim);
        Init.normal(w, 0, 1, g);
        this.weight = registerParameter("weight", w);
    }

    public Parameter weight() {
        return weight;
    }

    @Override
    public Tensor forward(Tensor input) {
        return IndexOps.embedding(input, weight.tensor());
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
        return numEmbeddings + ", " + embeddingDim;
    }
}
