package io.nabla.nn;

import io.nabla.autograd.ElementwiseOps;
import io.nabla.tensor.Tensor;

/**
 * {@code torch.nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward=2048, dropout=0.1, activation="relu",
 * layer_norm_eps=1e-5, batch_first=False, norm_first=False)}, called as a sequential stack calls it (no masks):
 * self-attention and a feed-forward block, each with a residual connection and a {@code LayerNorm}:
 *
 * <pre>
 * norm_first=False:  x = norm1(x + dropout1(self_attn(x)));  x = norm2(x + dropout2(ff(x)))
 * norm_first=True:   x = x + dropout1(self_attn(norm1(x)));  x = x + dropout2(ff(norm2(x)))
 * ff(x) = linear2(dropout(activation(linear1(x))))
 * </pre>
 *
 * The children, their state-dict names and the order they draw their initialisation in are PyTorch's:
 * {@code self_attn} ({@link MultiheadAttention}), {@code linear1} (d_model -> dim_feedforward), {@code dropout},
 * {@code linear2} (dim_feedforward -> d_model), {@code norm1}, {@code norm2}, {@code dropout1}, {@code dropout2}.
 * In training the four dropouts draw their masks in PyTorch's order: attention weights, {@code dropout1},
 * {@code dropout}, {@code dropout2}. Input (S, N, E), or (N, S, E) with {@code batch_first}, or unbatched (S, E).
 */
public final class TransformerEncoderLayer extends Module {

    private final int dModel;
    private final int dimFeedforward;
    private final boolean normFirst;
    private final String activationName;
    private final MultiheadAttention selfAttn;
    private final Module linear1;
    private final Dropout dropout;
    private final Module linear2;
    private final LayerNorm norm1;
    private final LayerNorm norm2;
    private final Dropout dropout1;
    private final Dropout dropout2;
    private final Activation activation;

    /** {@code activation}: "relu" or "gelu" (PyTorch's exact GELU), as PyTorch's string argument takes them. */
    public TransformerEncoderLayer(int dModel, int nhead, int dimFeedforward, double dropout, String activation,
                                   double layerNormEps, boolean batchFirst, boolean normFirst, Generator g) {
        this(dModel, nhead, dimFeedforward, dropout, activation, layerNormEps, batchFirst, normFirst, true, g);
    }

    /**
     * With PyTorch 2.1's {@code bias}: false leaves out every bias of the layer (the attention's projections, both
     * feed-forward Linears, both LayerNorms), none of which is then drawn.
     */
    public TransformerEncoderLayer(int dModel, int nhead, int dimFeedforward, double dropout, String activation,
                                   double layerNormEps, boolean batchFirst, boolean normFirst, boolean bias,
                                   Generator g) {
        Layers.checkPositive("d_model", dModel);
        Layers.checkPositive("nhead", nhead);
        Layers.checkPositive("dim_feedforward", dimFeedforward);
        if (dModel % nhead != 0) {
            throw new IllegalArgumentException("d_model must be divisible by nhead: d_model " + dModel + ", nhead "
                    + nhead);
        }
        this.dModel = dModel;
        this.dimFeedforward = dimFeedforward;
        this.normFirst = normFirst;
        this.activationName = activation;
        this.activation = activation(activation);
        this.selfAttn = registerModule("self_attn", new MultiheadAttention(dModel, nhead, dropout, batchFirst, bias,
                g));
        this.linear1 = registerModule("linear1", new Linear(dModel, dimFeedforward, bias, g));
        this.dropout = registerModule("dropout", new Dropout(dropout, g));
        this.linear2 = registerModule("linear2", new Linear(dimFeedforward, dModel, bias, g));
        int[] shape = {dModel};
        this.norm1 = registerModule("norm1", new LayerNorm(shape, layerNormEps, true, bias));
        this.norm2 = registerModule("norm2", new LayerNorm(shape, layerNormEps, true, bias));
        this.dropout1 = registerModule("dropout1", new Dropout(dropout, g));
        this.dropout2 = registerModule("dropout2", new Dropout(dropout, g));
    }

    /** The same layer with its two feed-forward {@code Linear}s replaced (INT8), the other children shared. */
    private TransformerEncoderLayer(TransformerEncoderLayer from, Module linear1, Module linear2) {
        this.dModel = from.dModel;
        this.dimFeedforward = from.dimFeedforward;
        this.normFirst = from.normFirst;
        this.activationName = from.activationName;
        this.activation = from.activation;
        this.selfAttn = registerModule("self_attn", from.selfAttn);
        this.linear1 = registerModule("linear1", linear1);
        this.dropout = registerModule("dropout", from.dropout);
        this.linear2 = registerModule("linear2", linear2);
        this.norm1 = registerModule("norm1", from.norm1);
        this.norm2 = registerModule("norm2", from.norm2);
        this.dropout1 = registerModule("dropout1", from.dropout1);
        this.dropout2 = registerModule("dropout2", from.dropout2);
        train(from.isTraining());
    }

    private static Activation activation(String name) {
        if ("relu".equals(name)) {
            return Activation.relu();
        }
        if ("gelu".equals(name)) {
            return Activation.gelu("none");
        }
        throw new IllegalArgumentException("activation: expected \"relu\" or \"gelu\", got "
                + (name == null ? "null" : "\"" + name + "\""));
    }

    public MultiheadAttention selfAttn() {
        return selfAttn;
    }

    /**
     * The feed-forward {@code Linear}s that PyTorch's {@code quantize_dynamic(model, {nn.Linear})} replaces:
     * {@code linear1} and {@code linear2}, not {@code self_attn.out_proj} (PyTorch's
     * {@code NonDynamicallyQuantizableLinear}, kept in FP32 there) and not the packed input projection.
     * Empty once quantized.
     */
    public java.util.Map<String, Linear> quantizableLinears() {
        java.util.Map<String, Linear> out = new java.util.LinkedHashMap<>();
        if (linear1 instanceof Linear l) {
            out.put("linear1", l);
        }
        if (linear2 instanceof Linear l) {
            out.put("linear2", l);
        }
        return out;
    }

    /**
     * For INT8 inference: a layer whose {@code linear1} and {@code linear2} are {@link QuantizedLinear}s (their FP32
     * tensors freed), the other children shared with this one, which must not be used afterwards.
     */
    public TransformerEncoderLayer quantizeDynamic() {
        return new TransformerEncoderLayer(this, quantize(linear1), quantize(linear2));
    }

    private static Module quantize(Module m) {
        if (!(m instanceof Linear linear)) {
            return m;
        }
        QuantizedLinear q = QuantizedLinear.of(linear);
        linear.weight().free();
        if (linear.bias() != null) {
            linear.bias().free();
        }
        return q;
    }

    @Override
    public Tensor forward(Tensor input) {
        outputShape(input.shape());
        Tensor x = input;
        if (normFirst) {
            x = ElementwiseOps.add(x, dropout1.forward(selfAttn.forward(norm1.forward(x))));
            return ElementwiseOps.add(x, dropout2.forward(feedForward(norm2.forward(x))));
        }
        x = norm1.forward(ElementwiseOps.add(x, dropout1.forward(selfAttn.forward(x))));
        return norm2.forward(ElementwiseOps.add(x, dropout2.forward(feedForward(x))));
    }

    private Tensor feedForward(Tensor x) {
        return linear2.forward(dropout.forward(activation.forward(linear1.forward(x))));
    }

    /**
     * Attention mixes the positions of a sequence: dimension 0 holds separate sequences only for a batch-first
     * (N, S, E) input (not for (S, N, E), nor for an unbatched (S, E)).
     */
    @Override
    public boolean rowsIndependent(int[] in) {
        return selfAttn.batchFirst() && in.length == 3;
    }

    /** The input's shape: (S, N, d_model), (N, S, d_model) with batch_first, or (S, d_model). */
    @Override
    public int[] outputShape(int[] in) {
        try {
            return selfAttn.outputShape(in);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage().replace("embed_dim", "d_model"), e);
        }
    }

    @Override
    protected String extraRepr() {
        return "d_model=" + dModel + ", dim_feedforward=" + dimFeedforward + ", activation=" + activationName
                + ", norm_first=" + py(normFirst);
    }
}
