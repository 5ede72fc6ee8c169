package io.nabla.nn;

import io.nabla.tensor.Tensor;
import java.util.List;

/**
 * {@code torch.nn.TransformerEncoder(encoder_layer, num_layers, norm=None)} as a sequential stack calls it (no
 * masks): the layers applied in order, then {@code norm} when there is one. State-dict names are PyTorch's:
 * {@code layers.0.self_attn.in_proj_weight}, ..., {@code norm.weight}. PyTorch deep-copies one encoder layer
 * {@code num_layers} times, so the caller passes layers that start with equal weights.
 */
public final class TransformerEncoder extends Module {

    private final Sequential layers;
    private final LayerNorm norm;

    /** {@code norm} may be null (PyTorch's None: no final normalisation). */
    public TransformerEncoder(List<? extends Module> layers, LayerNorm norm) {
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("num_layers: expected a positive integer, got 0");
        }
        for (Module m : layers) {
            if (!(m instanceof TransformerEncoderLayer)) {
                throw new IllegalArgumentException("encoder_layer: expected a TransformerEncoderLayer, got "
                        + m.typeName());
            }
        }
        this.layers = registerModule("layers", new Sequential(layers));
        this.norm = norm == null ? null : registerModule("norm", norm);
    }

    private TransformerEncoder(Sequential layers, LayerNorm norm, boolean training) {
        this.layers = registerModule("layers", layers);
        this.norm = norm == null ? null : registerModule("norm", norm);
        train(training);
    }

    /** The encoder layers, in order (PyTorch's {@code ModuleList} {@code layers}). */
    public Sequential layers() {
        return layers;
    }

    /**
     * The encoder for INT8 inference: each layer's feed-forward Linears quantized ({@link Sequential#quantizeDynamic}).
     */
    public TransformerEncoder quantizeDynamic() {
        return new TransformerEncoder(layers.quantizeDynamic(), norm, isTraining());
    }

    @Override
    public Tensor forward(Tensor input) {
        Tensor x = layers.forward(input);
        return norm == null ? x : norm.forward(x);
    }

    @Override
    public boolean rowsIndependent(int[] in) {
        return layers.get(0).rowsIndependent(in);
    }

    @Override
    public int[] outputShape(int[] in) {
        int[] out = layers.get(0).outputShape(in); // every layer maps the same shape to itself
        return norm == null ? out : norm.outputShape(out);
    }

    @Override
    protected String extraRepr() {
        return "";
    }
}
