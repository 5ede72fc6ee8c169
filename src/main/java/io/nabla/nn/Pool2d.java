package io.nabla.nn;

import io.nabla.autograd.ConvOps;
import io.nabla.tensor.Tensor;

/**
 * {@code torch.nn.MaxPool2d(kernel_size, stride=kernel_size, padding=0, dilation=1, ceil_mode=False)} and
 * {@code torch.nn.AvgPool2d(kernel_size, stride=kernel_size, padding=0, ceil_mode=False, count_include_pad=True)}.
 * In ceil mode the last window may run past the padded input; it is clipped there, and average pooling divides by
 * the part inside the padded input (or, without {@code count_include_pad}, inside the input), as PyTorch does.
 */
public final class Pool2d extends Module {

    /** Which reduction the window applies. */
    public enum Kind { MAX, AVG }

    private final Kind kind;
    private final int[] kernel;
    private final int[] stride;
    private final int[] padding;
    private final int[] dilation;
    private final boolean ceilMode;
    private final boolean countIncludePad;
    /** AvgPool2d's divisor_override: null for none. */
    private final Integer divisorOverride;

    public Pool2d(Kind kind, int[] kernelSize, int[] stride, int[] padding) {
        this(kind, kernelSize, stride, padding, new int[] {1, 1}, false, true);
    }

    /**
     * With PyTorch's {@code dilation} (max pooling only: average pooling has none, so it must be 1),
     * {@code ceil_mode} and {@code count_include_pad} (average pooling only: it must be true for max pooling).
     */
    public Pool2d(Kind kind, int[] kernelSize, int[] stride, int[] padding, int[] dilation, boolean ceilMode,
                  boolean countIncludePad) {
        this(kind, kernelSize, stride, padding, dilation, ceilMode, countIncludePad, null);
    }

    /**
     * With AvgPool2d's {@code divisor_override} (null for none, else not 0): every window's sum is divided by it, in
     * place of the window's size, whatever {@code count_include_pad}, as PyTorch's kernel does.
     */
    public Pool2d(Kind kind, int[] kernelSize, int[] stride, int[] padding, int[] dilation, boolean ceilMode,
                  boolean countIncludePad, Integer divisorOverride) {
        if (divisorOverride != null && (kind == Kind.MAX || divisorOverride == 0)) {
            throw new IllegalArgumentException("divisor_override: " + (kind == Kind.MAX ? "MaxPool2d has none"
                    : "expected an integer other than 0, got 0"));
        }
        this.divisorOverride = divisorOverride;
        Layers.checkPositive("dilation", dilation);
        if (kind == Kind.AVG && (dilation[0] != 1 || dilation[1] != 1)) {
            throw new IllegalArgumentException("dilation: AvgPool2d has none, got " + Conv2d.tuple(dilation));
        }
        if (kind == Kind.MAX && !countIncludePad) {
            throw new IllegalArgumentException("count_include_pad: MaxPool2d has none (padding is -inf there)");
        }
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
        this.dilation = dilation.clone();
        this.ceilMode = ceilMode;
        this.countIncludePad = countIncludePad;
    }

    @Override
    public String typeName() {
        return kind == Kind.MAX ? "MaxPool2d" : "AvgPool2d";
    }

    @Override
    public Tensor forward(Tensor input) {
        if (kind == Kind.MAX) {
            return ConvOps.maxPool2d(input, kernel, stride, padding, dilation, ceilMode);
        }
        if (divisorOverride == null) {
            return ConvOps.avgPool2d(input, kernel, stride, padding, countIncludePad, ceilMode);
        }
        // sum / divisor = (sum / pool size, counting padding) * (pool size / divisor), the pool size per window as
        // PyTorch's kernel computes it: the window clipped to the padded input
        Tensor mean = ConvOps.avgPool2d(input, kernel, stride, padding, true, ceilMode);
        int c = Layers.channelDim2d(input.shape(), typeName());
        int[] in = {input.size(c + 1), input.size(c + 2)};
        int oh = mean.size(c + 1);
        int ow = mean.size(c + 2);
        double[] factor = new double[oh * ow];
        for (int i = 0; i < oh; i++) {
            for (int j = 0; j < ow; j++) {
                factor[i * ow + j] = (double) extent(i, 0, in[0]) * extent(j, 1, in[1]) / divisorOverride;
            }
        }
        return io.nabla.autograd.ElementwiseOps.mul(mean, Tensor.of(factor, io.nabla.backend.DType.FP64, oh, ow)
                .dataAs(mean.dtype()).toDevice(mean.device()));
    }

    /** The size along dim {@code d} of output window {@code o}, clipped to the padded input of size {@code size}. */
    private int extent(int o, int d, int size) {
        int start = o * stride[d] - padding[d];
        return Math.min(start + kernel[d], size + padding[d]) - start;
    }

    /** (N, C, H, W) -> (N, C, H_out, W_out); the batch dim may be absent. */
    @Override
    public int[] outputShape(int[] in) {
        int c = Layers.channelDim2d(in, typeName());
        int[] out = in.clone();
        out[c + 1] = Layers.windowOutput("height", in[c + 1], kernel[0], stride[0], padding[0], dilation[0],
                ceilMode);
        out[c + 2] = Layers.windowOutput("width", in[c + 2], kernel[1], stride[1], padding[1], dilation[1],
                ceilMode);
        return out;
    }

    @Override
    protected String extraRepr() {
        return "kernel_size=" + Conv2d.tuple(kernel) + ", stride=" + Conv2d.tuple(stride) + ", padding="
                + Conv2d.tuple(padding) + (dilation[0] == 1 && dilation[1] == 1 ? "" : ", dilation="
                + Conv2d.tuple(dilation)) + (ceilMode ? ", ceil_mode=True" : "")
                + (countIncludePad ? "" : ", count_include_pad=False")
                + (divisorOverride == null ? "" : ", divisor_override=" + divisorOverride);
    }
}
