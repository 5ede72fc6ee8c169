package io.nabla.nn;

import io.nabla.autograd.ShapeOps;
import io.nabla.tensor.Shape;
import io.nabla.tensor.Tensor;

/**
 * {@code torch.nn.MaxPool1d}, {@code AvgPool1d}, {@code AdaptiveAvgPool1d} and {@code AdaptiveMaxPool1d} over
 * (N, C, L) or (C, L): the 2-D pooling of the view (N, C, 1, L) with a window of height 1 ({@link Pool2d},
 * {@link AdaptiveAvgPool2d}, {@link AdaptiveMaxPool2d}), so values and gradients are those of the 2-D kernels.
 */
public final class Pool1d extends Module {

    private final String type;
    private final Module pool2d;

    private Pool1d(String type, Module pool2d) {
        this.type = type;
        this.pool2d = pool2d;
    }

    /** {@code MaxPool1d(kernel_size, stride, padding, dilation, ceil_mode)}. */
    public static Pool1d max(int kernel, int stride, int padding, int dilation, boolean ceilMode) {
        return new Pool1d("MaxPool1d", new Pool2d(Pool2d.Kind.MAX, new int[] {1, kernel}, new int[] {1, stride},
                new int[] {0, padding}, new int[] {1, dilation}, ceilMode, true));
    }

    /** {@code AvgPool1d(kernel_size, stride, padding, ceil_mode, count_include_pad)}. */
    public static Pool1d avg(int kernel, int stride, int padding, boolean ceilMode, boolean countIncludePad) {
        return new Pool1d("AvgPool1d", new Pool2d(Pool2d.Kind.AVG, new int[] {1, kernel}, new int[] {1, stride},
                new int[] {0, padding}, new int[] {1, 1}, ceilMode, countIncludePad));
    }

    /** {@code AdaptiveAvgPool1d(output_size)}. */
    public static Pool1d adaptiveAvg(int outputSize) {
        return new Pool1d("AdaptiveAvgPool1d", new AdaptiveAvgPool2d(new int[] {1, outputSize}));
    }

    /** {@code AdaptiveMaxPool1d(output_size)}. */
    public static Pool1d adaptiveMax(int outputSize) {
        return new Pool1d("AdaptiveMaxPool1d", new AdaptiveMaxPool2d(new int[] {1, outputSize}));
    }

    @Override
    public String typeName() {
        return type;
    }

    @Override
    public Tensor forward(Tensor input) {
        outputShape(input.shape());
        return ShapeOps.squeeze(pool2d.forward(ShapeOps.unsqueeze(input, input.dim() - 1)), input.dim() - 1);
    }

    /** (N, C, L) -> (N, C, L_out); the batch dim may be absent. */
    @Override
    public int[] outputShape(int[] in) {
        if (in.length != 2 && in.length != 3) {
            throw new IllegalArgumentException("expected a 2D (C, L) or 3D (N, C, L) input for " + type + ", got "
                    + Shape.format(in));
        }
        int[] planes = new int[in.length + 1];
        System.arraycopy(in, 0, planes, 0, in.length - 1);
        planes[in.length - 1] = 1;
        planes[in.length] = in[in.length - 1];
        int[] out;
        try {
            out = pool2d.outputShape(planes);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage().replace("width", "length"), e);
        }
        int[] result = in.clone();
        result[in.length - 1] = out[in.length];
        return result;
    }

    @Override
    protected String extraRepr() {
        return pool2d.extraRepr();
    }
}
