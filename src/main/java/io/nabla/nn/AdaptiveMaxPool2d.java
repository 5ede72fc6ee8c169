package io.nabla.nn;

import io.nabla.autograd.ConvOps;
import io.nabla.autograd.GradMode;
import io.nabla.autograd.IndexOps;
import io.nabla.autograd.ReduceOps;
import io.nabla.autograd.ShapeOps;
import io.nabla.backend.DType;
import io.nabla.tensor.Shape;
import io.nabla.tensor.Tensor;

/**
 * {@code torch.nn.AdaptiveMaxPool2d(output_size, return_indices=False)}: the maximum over PyTorch's adaptive windows
 * (rows {@code floor(i H / OH)} to {@code ceil((i + 1) H / OH)}, likewise columns) of an (N, C, H, W) or (C, H, W)
 * input; {@link AdaptiveAvgPool2d#KEEP} keeps a dim. Windows that divide the input evenly are one max pooling with
 * kernel and stride {@code H / OH}; otherwise the max is taken over the columns' windows, then the rows'. Either way
 * the gradient goes to the first maximum of each window in row-major order, as PyTorch's.
 */
public final class AdaptiveMaxPool2d extends Module {

    private final int[] outputSize;

    public AdaptiveMaxPool2d(int[] outputSize) {
        this.outputSize = AdaptiveAvgPool2d.checkOutputSize(outputSize);
    }

    @Override
    public Tensor forward(Tensor input) {
        int[] out = outputShape(input.shape());
        int c = input.dim() - 3;
        int h = input.size(c + 1);
        int w = input.size(c + 2);
        int oh = out[c + 1];
        int ow = out[c + 2];
        long bytes;
        try {
            bytes = Math.multiplyExact(Shape.numel(out), (long) input.dtype().itemSize());
        } catch (ArithmeticException e) {
            bytes = Long.MAX_VALUE;
        }
        // the gathered windows of a dim hold at most in + 2 * out positions
        if (bytes > io.nabla.backend.HostAllocator.MAX_BLOCK_BYTES || h + 2L * oh > Integer.MAX_VALUE
                || w + 2L * ow > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("output_size: " + Shape.format(new int[] {oh, ow}) + " for an input of "
                    + Shape.format(input.shape()) + " gives an output larger than a tensor holds");
        }
        if (h % oh == 0 && w % ow == 0) {
            int[] k = {h / oh, w / ow};
            return ConvOps.maxPool2d(input, k, k, new int[] {0, 0});
        }
        // max is separable: the columns' windows first, then the rows', each taking its first maximum, give the first
        // maximum of each window in row-major order
        return alongDim(alongDim(input, c + 2, ow), c + 1, oh);
    }

    /**
     * The adaptive max over dim {@code d} to {@code out} windows: the windows' elements gathered into (out, K) (a
     * shorter window repeats its last element, which changes neither its maximum nor which comes first), then the
     * first maximum of each row taken by index, so the gradient goes to it.
     */
    private static Tensor alongDim(Tensor x, int d, int out) {
        int in = x.size(d);
        if (in == out) {
            return x;
        }
        int k = 0;
        for (int i = 0; i < out; i++) {
            k = Math.max(k, end(i, in, out) - start(i, in, out));
        }
        Tensor index = Tensor.empty(DType.INT64, out * k); // out * k <= in + 2 * out: checked by forward
        java.nio.LongBuffer at = index.memory().hostBuffer().duplicate().order(java.nio.ByteOrder.nativeOrder())
                .asLongBuffer();
        for (int i = 0; i < out; i++) {
            int s = start(i, in, out);
            int len = end(i, in, out) - s;
            for (int j = 0; j < k; j++) {
                at.put(i * k + j, s + Math.min(j, len - 1));
            }
        }
        Tensor windows = IndexOps.indexSelect(x, d, index.toDevice(x.device()));
        int[] shape = new int[x.dim() + 1];
        for (int i = 0, o = 0; i < x.dim(); i++) {
            if (i == d) {
                shape[o++] = out;
                shape[o++] = k;
            } else {
                shape[o++] = x.size(i);
            }
        }
        windows = ShapeOps.reshape(windows, shape);
        Tensor first;
        try (GradMode.Region off = GradMode.disable()) {
            first = ReduceOps.argmax(windows, d + 1, true);
        }
        return ShapeOps.squeeze(IndexOps.gather(windows, d + 1, first), d + 1);
    }

    private static int start(int i, int in, int out) {
        return (int) ((long) i * in / out);
    }

    private static int end(int i, int in, int out) {
        return (int) (((long) (i + 1) * in + out - 1) / out);
    }

    @Override
    public int[] outputShape(int[] in) {
        return AdaptiveAvgPool2d.outputShape(in, outputSize, "AdaptiveMaxPool2d");
    }

    @Override
    protected String extraRepr() {
        return AdaptiveAvgPool2d.repr(outputSize);
    }
}
