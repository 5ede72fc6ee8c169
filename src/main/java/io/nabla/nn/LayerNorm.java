package io.nabla.nn;

import io.nabla.autograd.NormOps;
import io.nabla.backend.DType;
import io.nabla.tensor.Shape;
import io.nabla.tensor.Tensor;

/**
 * {@code torch.nn.LayerNorm(normalized_shape, eps=1e-5, elementwise_affine=True, bias=True)}: normalises over the
 * trailing dims given by {@code normalized_shape}, then, with {@code elementwise_affine}, scales by {@code weight}
 * (ones) and, with {@code bias} too, shifts by {@code bias} (zeros). PyTorch's {@code bias} argument came in 2.1.
 */
public final class LayerNorm extends Module {

    private final int[] normalizedShape;
    private final double eps;
    private final Parameter weight;
    private final Parameter bias;

    public LayerNorm(int[] normalizedShape, double eps) {
        this(normalizedShape, eps, true, true);
    }

    /** As PyTorch's constructor with {@code elementwise_affine} and {@code bias}. */
    public LayerNorm(int[] normalizedShape, double eps, boolean elementwiseAffine, boolean bias) {
        if (normalizedShape.length == 0) {
            throw new IllegalArgumentException("normalized_shape: expected at least one dimension, got []");
        }
        Layers.checkPositive("normalized_shape", normalizedShape);
        if (!(eps >= 0) || Double.isInfinite(eps)) {
            throw new IllegalArgumentException("eps: expected a non-negative finite number, got " + eps);
        }
        this.normalizedShape = normalizedShape.clone();
        this.eps = eps;
        this.weight = elementwiseAffine ? registerParameter("weight", Tensor.ones(DType.FP32, normalizedShape)) : null;
        this.bias = elementwiseAffine && bias ? registerParameter("bias", Tensor.zeros(DType.FP32, normalizedShape))
                : null;
    }

    @Override
    public Tensor forward(Tensor input) {
        return NormOps.layerNorm(input, normalizedShape, weight == null ? null : weight.tensor(),
                bias == null ? null : bias.tensor(), eps);
    }

    /** A normalized shape that covers every dim of the input normalises across dimension 0 too. */
    @Override
    public boolean rowsIndependent(int[] in) {
        return normalizedShape.length < in.length;
    }

    @Override
    public int[] outputShape(int[] in) {
        int k = normalizedShape.length;
        boolean ok = in.length >= k;
        for (int i = 0; ok && i < k; i++) {
            ok = Layers.fits(in[in.length - k + i], normalizedShape[i]);
        }
        if (!ok) {
            throw new IllegalArgumentException("expected an input whose last dims are "
                    + Shape.format(normalizedShape) + " (normalized_shape), got " + Shape.format(in));
        }
        return in.clone();
    }

    @Override
    protected String extraRepr() {
        return Shape.format(normalizedShape) + ", eps=" + eps + ", elementwise_affine="
                + (weight != null ? "True" : "False") + (weight != null && bias == null ? ", bias=False" : "");
    }
}
