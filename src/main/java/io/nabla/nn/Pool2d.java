package io.nabla.nn;

import io.nabla.autograd.ConvOps;
import io.nabla.tensor.Tensor;

/**
 * {@code torch.nn.MaxPool2d(kernel_size, stride=kernel_size, padding=0)} and
 * {@code torch.nn.AvgPool2d(kernel_size, stride=kernel_size, padding=0)} (floor mode; average pooling counts the
 * padding, PyTorch's {@code count_include_pad=True}).
 */
public final class Pool2d extends Module {

    /** Which reduction the window applies. */
    public enum Kind { MAX, AVG }

    private final Kind kind;
    private final int[] kernel;
    private final int[] stride;
    private final int[] padding;

    public Pool2d(Kind kind, int[] kernelSize, int[] stride, int[] padding) {
        Layers.checkPositive("kernel_size", kernelSize);
        Layers.checkPositive("stride", stride);
        Layers.checkNonNegative("padding", padding);
        for (int d = 0; d < 2; d++) {
            if (padding[d] > kernelSize[d] / 2) {
                throw new IllegalArgumentException("padding: pad should be at most half of the kernel size, got "
                        + "padding " + Conv2d.tuple(padding) + " for kernel_size " + Conv2d.tuple(kernelSize));
            }
        }
        this.kind = kind;
        this.kernel = kernelSize.clone();
        this.stride = stride.clone();
        this.padding = padding.clone();
    }

    @Override
    public String typeName() {
        return kind == Kind.MAX ? "MaxPool2d" : "AvgPool2d";
    }

    @Override
    public Tensor forward(Tensor input) {
        return kind == Kind.MAX
                ? ConvOps.maxPool2d(input, kernel, stride, padding)
                : ConvOps.avgPool2d(input, kernel, stride, padding, true);
    }

    /** (N, C, H, W) -> (N, C, H_out, W_out); the batch dim may be absent. */
    @Override
    public int[] outputShape(int[] in) {
        int c = Layers.channelDim2d(in, typeName());
        int[] out = in.clone();
        out[c + 1] = Layers.windowOutput("height", in[c + 1], kernel[0], stride[0], padding[0], 1);
        out[c + 2] = Layers.windowOutput("width", in[c + 2], kernel[1], stride[1], padding[1], 1);
        return out;
    }

    @Override
    protected String extraRepr() {
        return "kernel_size=" + Conv2d.tuple(kernel) + ", stride=" + Conv2d.tuple(stride) + ", padding="
                + Conv2d.tuple(padding);
    }
}
