package io.nabla.nn;

import io.nabla.autograd.ConvOps;
import io.nabla.tensor.Shape;
import io.nabla.tensor.Tensor;

/**
 * {@code torch.nn.AdaptiveAvgPool2d(output_size)}: average pooling to a fixed (H, W) whatever the input size. A size
 * of {@link #KEEP} (PyTorch's None) keeps the input's size in that dim.
 */
public final class AdaptiveAvgPool2d extends Module {

    /** An output size that keeps the input's (PyTorch's None). */
    public static final int KEEP = -1;

    private final int[] outputSize;

    public AdaptiveAvgPool2d(int[] outputSize) {
        this.outputSize = checkOutputSize(outputSize);
    }

    /** {@code output_size}: two sizes, each positive or {@link #KEEP}; returns a copy. */
    static int[] checkOutputSize(int[] outputSize) {
        if (outputSize == null || outputSize.length != 2) {
            throw new IllegalArgumentException("output_size: expected 2 sizes, got "
                    + (outputSize == null ? "null" : Shape.format(outputSize)));
        }
        for (int s : outputSize) {
            if (s != KEEP && s <= 0) {
                throw new IllegalArgumentException("output_size: expected positive sizes or None, got "
                        + Shape.format(outputSize));
            }
        }
        return outputSize.clone();
    }

    @Override
    public Tensor forward(Tensor input) {
        int c = input.dim() - 3;
        int[] size = outputSize.clone();
        for (int d = 0; d < 2; d++) {
            if (size[d] == KEEP && c >= 0) {
                size[d] = input.size(c + 1 + d);
            }
        }
        return ConvOps.adaptiveAvgPool2d(input, size);
    }

    @Override
    public int[] outputShape(int[] in) {
        return outputShape(in, outputSize, "AdaptiveAvgPool2d");
    }

    /** (N, C, H, W) or (C, H, W) to the same with the output size ({@link #KEEP} keeps a dim). */
    static int[] outputShape(int[] in, int[] outputSize, String type) {
        int c = Layers.channelDim2d(in, type);
        int[] out = in.clone();
        for (int d = 0; d < 2; d++) {
            out[c + 1 + d] = outputSize[d] == KEEP ? in[c + 1 + d] : outputSize[d];
        }
        return out;
    }

    @Override
    protected String extraRepr() {
        return repr(outputSize);
    }

    /** {@code output_size=(...)} as PyTorch prints it. */
    static String repr(int[] outputSize) {
        return "output_size=(" + text(outputSize[0]) + ", " + text(outputSize[1]) + ")";
    }

    private static String text(int size) {
        return size == KEEP ? "None" : Integer.toString(size);
    }
}
