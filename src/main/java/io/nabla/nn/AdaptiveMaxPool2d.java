package io.nabla.nn;

import io.nabla.autograd.ConvOps;
import io.nabla.autograd.JoinOps;
import io.nabla.autograd.ShapeOps;
import io.nabla.tensor.Shape;
import io.nabla.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code torch.nn.AdaptiveMaxPool2d(output_size, return_indices=False)}: the maximum over PyTorch's adaptive windows
 * (rows {@code floor(i H / OH)} to {@code ceil((i + 1) H / OH)}, likewise columns) of an (N, C, H, W) or (C, H, W)
 * input; {@link AdaptiveAvgPool2d#KEEP} keeps a dim. A window that divides the input evenly is one max pooling with
 * kernel and stride {@code H / OH}; otherwise each output cell is the max pooling of its window. Either way the
 * gradient goes to the first maximum of each window in row-major order (a NaN counts as the maximum), as PyTorch's.
 */
public final class AdaptiveMaxPool2d extends Module {

    private final int[] outputSize;

    public AdaptiveMaxPool2d(int[] outputSize) {
        if (outputSize == null || outputSize.length != 2) {
            throw new IllegalArgumentException("output_size: expected 2 sizes, got "
                    + (outputSize == null ? "null" : Shape.format(outputSize)));
        }
        for (int s : outputSize) {
            if (s != AdaptiveAvgPool2d.KEEP && s <= 0) {
                throw new IllegalArgumentException("output_size: expected positive sizes or None, got "
                        + Shape.format(outputSize));
            }
        }
        this.outputSize = outputSize.clone();
    }

    @Override
    public Tensor forward(Tensor input) {
        int[] out = outputShape(input.shape());
        int c = input.dim() - 3;
        int h = input.size(c + 1);
        int w = input.size(c + 2);
        int oh = out[c + 1];
        int ow = out[c + 2];
        if (h % oh == 0 && w % ow == 0) {
            int[] k = {h / oh, w / ow};
            return ConvOps.maxPool2d(input, k, k, new int[] {0, 0});
        }
        List<Tensor> rows = new ArrayList<>(oh);
        for (int i = 0; i < oh; i++) {
            int h0 = (int) ((long) i * h / oh);
            int h1 = (int) (((long) (i + 1) * h + oh - 1) / oh);
            Tensor band = ShapeOps.narrow(input, c + 1, h0, h1 - h0);
            List<Tensor> cells = new ArrayList<>(ow);
            for (int j = 0; j < ow; j++) {
                int w0 = (int) ((long) j * w / ow);
                int w1 = (int) (((long) (j + 1) * w + ow - 1) / ow);
                Tensor cell = ShapeOps.narrow(band, c + 2, w0, w1 - w0);
                int[] k = {h1 - h0, w1 - w0};
                cells.add(ConvOps.maxPool2d(cell, k, k, new int[] {0, 0}));
            }
            rows.add(JoinOps.cat(cells, c + 2));
        }
        return JoinOps.cat(rows, c + 1);
    }

    @Override
    public int[] outputShape(int[] in) {
        int c = Layers.channelDim2d(in, "AdaptiveMaxPool2d");
        int[] out = in.clone();
        for (int d = 0; d < 2; d++) {
            out[c + 1 + d] = outputSize[d] == AdaptiveAvgPool2d.KEEP ? in[c + 1 + d] : outputSize[d];
        }
        return out;
    }

    @Override
    protected String extraRepr() {
        return "output_size=(" + text(outputSize[0]) + ", " + text(outputSize[1]) + ")";
    }

    private static String text(int size) {
        return size == AdaptiveAvgPool2d.KEEP ? "None" : Integer.toString(size);
    }
}
