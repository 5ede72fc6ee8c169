package io.nabla.nn;

import io.nabla.autograd.ElementwiseOps;
import io.nabla.autograd.LinalgOps;
import io.nabla.autograd.NormOps;
import io.nabla.autograd.ShapeOps;
import io.nabla.backend.DType;
import io.nabla.tensor.Shape;
import io.nabla.tensor.Tensor;

/**
 * Self-attention as {@code torch.nn.MultiheadAttention(embed_dim, num_heads, dropout, batch_first=...)} computes it
 * when query, key and value are the same tensor and there is no mask (how {@code TransformerEncoderLayer} calls
 * it inside a sequential stack), with PyTorch's state dict: {@code in_proj_weight} (3E, E), {@code in_proj_bias}
 * (3E), {@code out_proj.weight} (E, E) and {@code out_proj.bias} (E); without {@code bias}, no biases (and none drawn).
 *
 * <p>Initialisation in PyTorch's order: {@code out_proj} as a {@code Linear} (its weight, then its bias, drawn),
 * then {@code xavier_uniform_(in_proj_weight)}, then both biases zeroed. Forward, as PyTorch 1.13's
 * {@code multi_head_attention_forward}: one projection {@code x W_in^T + b_in} split into q, k, v; per head
 * {@code softmax((q / sqrt(head_dim)) k^T) v}, the attention weights through dropout in training (the mask drawn
 * over (N, heads, L, L) in that order, as PyTorch draws it over (N * heads, L, L)); the heads concatenated and
 * projected by {@code out_proj}. Input (L, N, E), or (N, L, E) with {@code batch_first}, or unbatched (L, E).
 * Not a layer type of its own in a spec: PyTorch's takes three inputs, which a sequential stack cannot give.
 */
public final class MultiheadAttention extends Module {

    private final int embedDim;
    private final int numHeads;
    private final boolean batchFirst;
    private final Parameter inProjWeight;
    private final Parameter inProjBias;
    private final Linear outProj;
    private final Dropout attentionDropout;

    public MultiheadAttention(int embedDim, int numHeads, double dropout, boolean batchFirst, Generator g) {
        this(embedDim, numHeads, dropout, batchFirst, true, g);
    }

    /** With PyTorch's {@code bias} argument: false leaves out both projections' biases. */
    public MultiheadAttention(int embedDim, int numHeads, double dropout, boolean batchFirst, boolean bias,
                              Generator g) {
        Layers.checkPositive("embed_dim", embedDim);
        Layers.checkPositive("num_heads", numHeads);
        if (embedDim % numHeads != 0) {
            throw new IllegalArgumentException("embed_dim must be divisible by num_heads: embed_dim " + embedDim
                    + ", num_heads " + numHeads);
        }
        if (3L * embedDim > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("embed_dim: 3 * embed_dim must fit a dim of at most "
                    + Integer.MAX_VALUE + ", got embed_dim " + embedDim);
        }
        this.embedDim = embedDim;
        this.numHeads = numHeads;
        this.batchFirst = batchFirst;
        // PyTorch builds out_proj (drawing its Linear initialisation) before _reset_parameters
        Tensor w = Tensor.empty(DType.FP32, 3 * embedDim, embedDim);
        Linear out = new Linear(embedDim, embedDim, bias, g);
        Init.xavierUniform(w, 1.0, g);
        if (bias) {
            Init.zeros(out.bias().tensor());
        }
        this.inProjWeight = registerParameter("in_proj_weight", w);
        this.inProjBias = bias ? registerParameter("in_proj_bias", Tensor.zeros(DType.FP32, 3 * embedDim)) : null;
        this.outProj = registerModule("out_proj", out);
        // PyTorch's dropout of the attention weights is F.dropout, not a submodule: this one holds no state and
        // is registered only so that training mode and a run's generator reach it
        this.attentionDropout = registerModule("attention_dropout", new Dropout(dropout, g));
    }

    public int embedDim() {
        return embedDim;
    }

    public int numHeads() {
        return numHeads;
    }

    public boolean batchFirst() {
        return batchFirst;
    }

    public Linear outProj() {
        return outProj;
    }

    @Override
    public Tensor forward(Tensor input) {
        checkInput(input.shape());
        boolean unbatched = input.dim() == 2;
        // to (N, L, E): the layout the heads are computed in
        Tensor x = unbatched ? ShapeOps.unsqueeze(input, 0) : batchFirst ? input : ShapeOps.transpose(input, 0, 1);
        int n = x.size(0);
        int len = x.size(1);
        int headDim = embedDim / numHeads;
        Tensor qkv = LinalgOps.linear(x, inProjWeight.tensor(), inProjBias == null ? null : inProjBias.tensor());
        Tensor q = heads(ShapeOps.narrow(qkv, 2, 0, embedDim), n, len, headDim);
        Tensor k = heads(ShapeOps.narrow(qkv, 2, embedDim, embedDim), n, len, headDim);
        Tensor v = heads(ShapeOps.narrow(qkv, 2, 2 * embedDim, embedDim), n, len, headDim);
        Tensor scores = LinalgOps.matmul(ElementwiseOps.div(q, Math.sqrt(headDim)), ShapeOps.transpose(k, 2, 3));
        Tensor weights = attentionDropout.forward(NormOps.softmax(scores, -1)); // (N, H, L, L)
        Tensor context = LinalgOps.matmul(weights, v); // (N, H, L, head_dim)
        Tensor merged = ShapeOps.reshape(ShapeOps.permute(context, 0, 2, 1, 3), n, len, embedDim);
        Tensor out = outProj.forward(merged); // (N, L, E)
        return unbatched ? ShapeOps.squeeze(out, 0) : batchFirst ? out : ShapeOps.transpose(out, 0, 1);
    }

    /** (N, L, E) -> (N, heads, L, head_dim). */
    private Tensor heads(Tensor t, int n, int len, int headDim) {
        return ShapeOps.permute(ShapeOps.reshape(t, n, len, numHeads, headDim), 0, 2, 1, 3);
    }

    private void checkInput(int[] in) {
        if ((in.length != 2 && in.length != 3) || !Layers.fits(in[in.length - 1], embedDim)) {
            throw new IllegalArgumentException("expected an input of shape " + (batchFirst ? "(N, L, " : "(L, N, ")
                    + embedDim + ") or (L, " + embedDim + ") (embed_dim " + embedDim + "), got " + Shape.format(in));
        }
    }

    /** The input's shape: attention maps each position's embedding to one of the same size. */
    @Override
    public int[] outputShape(int[] in) {
        checkInput(in);
        return in.clone();
    }

    @Override
    protected String extraRepr() {
        return "embed_dim=" + embedDim + ", num_heads=" + numHeads + ", batch_first=" + py(batchFirst);
    }
}
