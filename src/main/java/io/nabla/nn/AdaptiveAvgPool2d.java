package io.nabla.nn;

import io.nabla.autograd.ConvOps;
import io.nabla.tensor.Tensor;

/** {@code torch.nn.AdaptiveAvgPool2d(output_size)}: average pooling to a fixed (H, W) whatever the input size. */
public final class AdaptiveAvgPool2d extends Module {

    private final int[] outputSize;

    public AdaptiveAvgPool2d(int[] outputSize) {
        Layers.checkPositive("output_size", outputSize);
        this.outputSize = outputSize.clone();
    }

    @Override
    public Tensor forward(Tensor input) {
        return ConvOps.adaptiveAvgPool2d(input, outputSize);
    }

    @Override
    public int[] outputShape(int[] in) {
        int c = Layers.channelDim2d(in, "AdaptiveAvgPool2d");
        int[] out = in.clone();
        out[c + 1] = outputSize[0];
        out[c + 2] = outputSize[1];
        return out;
    }

    @Override
    protected String extraRepr() {
        return "output_size=" + Conv2d.tuple(outputSize);
    }
}
