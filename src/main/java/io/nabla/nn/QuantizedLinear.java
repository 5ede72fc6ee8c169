package io.nabla.nn;

import io.nabla.autograd.LinalgOps;
import io.nabla.backend.DType;
import io.nabla.backend.Int8;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;

/**
 * A {@link Linear} with its weight in INT8 for inference, as {@code torch.ao.quantization.quantize_dynamic} makes
 * {@code nn.Linear} with the per-channel config: the weight quantized once, symmetric per output row (PyTorch's
 * {@code qint8} values bit for bit), the input quantized to UINT8 at each call with a scale and zero point per
 * row ({@link Int8}), the product summed exactly in integers. The weight takes a quarter of its FP32 bytes.
 *
 * <p>Buffers: {@code weight} (INT8, out x in), {@code scale} (FP32, out), {@code weight_sum} (INT32, out: the row
 * sums of the INT8 weight) and {@code bias} (FP32, out) when the layer has one. No parameters: it does not train.
 */
public final class QuantizedLinear extends Module {

    private final int inFeatures;
    private final int outFeatures;
    private final boolean hasBias;

    /** Quantizes {@code linear}'s weight (on the host, in the current scope); {@code linear} is left as it is. */
    public static QuantizedLinear of(Linear linear) {
        return new QuantizedLinear(linear);
    }

    private QuantizedLinear(Linear linear) {
        Tensor w = linear.weight().tensor().detach();
        if (!w.device().isCpu()) {
            throw new IllegalArgumentException("INT8 quantized layers run on the CPU only, the weight is on "
                    + w.device());
        }
        this.outFeatures = w.size(0);
        this.inFeatures = w.size(1);
        if (inFeatures > Int8.MAX_K) {
            throw new IllegalArgumentException("INT8 quantization takes at most " + Int8.MAX_K + " in_features "
                    + "(beyond, the integer sums could overflow), got " + inFeatures);
        }
        Tensor q = Tensor.empty(DType.INT8, outFeatures, inFeatures);
        Tensor scale = Tensor.empty(DType.FP32, outFeatures);
        Tensor sum = Tensor.empty(DType.INT32, outFeatures);
        try (TensorScope converted = TensorScope.open()) { // an FP32 copy of another dtype's weight, freed here
            Tensor fp32 = w.dataAs(DType.FP32).dataContiguous();
            Int8.quantizeWeights(fp32.memory(), fp32.offset(), outFeatures, inFeatures, q.memory(), scale.memory(),
                    sum.memory());
        }
        registerBuffer("weight", q);
        registerBuffer("scale", scale);
        registerBuffer("weight_sum", sum);
        this.hasBias = linear.bias() != null;
        if (hasBias) {
            Tensor b = linear.bias().tensor().detach();
            registerBuffer("bias", b.dtype() == DType.FP32 ? b.dataCopy() : b.dataAs(DType.FP32));
        }
    }

    @Override
    public Tensor forward(Tensor input) {
        return LinalgOps.quantizedLinear(input, buffer("weight"), buffer("scale"), buffer("weight_sum"),
                hasBias ? buffer("bias") : null);
    }

    /** (*, in_features) -> (*, out_features). */
    @Override
    public int[] outputShape(int[] in) {
        return Linear.outputShape(in, inFeatures, outFeatures);
    }

    /** FP32 whatever the floating input (it is read as FP32). */
    @Override
    public DType outputDType(DType input) {
        super.outputDType(input);
        return DType.FP32;
    }

    @Override
    protected String extraRepr() {
        return "in_features=" + inFeatures + ", out_features=" + outFeatures + ", bias=" + py(hasBias)
                + ", dtype=torch.qint8, qscheme=torch.per_channel_symmetric";
    }
}
