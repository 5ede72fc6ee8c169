package io.nabla.nn;

import io.nabla.autograd.ShapeOps;
import io.nabla.tensor.Shape;
import io.nabla.tensor.Tensor;

/**
 * {@code torch.nn.PixelShuffle(upscale_factor)}: (*, C r², H, W) to (*, C, H r, W r), and
 * {@code PixelUnshuffle(downscale_factor)}: (*, C, H r, W r) to (*, C r², H, W), as PyTorch orders the elements
 * (a reshape, a permutation and a reshape, so gradients follow). The input has at least 3 dims.
 */
public final class PixelShuffle extends Module {

    private final int factor;
    private final boolean unshuffle;

    public PixelShuffle(int factor, boolean unshuffle) {
        Layers.checkPositive(unshuffle ? "downscale_factor" : "upscale_factor", factor);
        this.factor = factor;
        this.unshuffle = unshuffle;
    }

    @Override
    public String typeName() {
        return unshuffle ? "PixelUnshuffle" : "PixelShuffle";
    }

    @Override
    public Tensor forward(Tensor input) {
        int[] out = outputShape(input.shape());
        int b = input.dim() - 3;
        int[] lead = java.util.Arrays.copyOf(input.shape(), b);
        int r = factor;
        int[] split;
        int[] order = new int[b + 5];
        for (int i = 0; i < b; i++) {
            order[i] = i;
        }
        if (!unshuffle) { // (*, C, r, r, H, W) -> (*, C, H, r, W, r)
            int c = out[b];
            split = concat(lead, c, r, r, input.size(b + 1), input.size(b + 2));
            int[] tail = {b, b + 3, b + 1, b + 4, b + 2};
            System.arraycopy(tail, 0, order, b, 5);
        } else { // (*, C, H, r, W, r) -> (*, C, r, r, H, W)
            int c = input.size(b);
            split = concat(lead, c, out[b + 1], r, out[b + 2], r);
            int[] tail = {b, b + 2, b + 4, b + 1, b + 3};
            System.arraycopy(tail, 0, order, b, 5);
        }
        return ShapeOps.reshape(ShapeOps.permute(ShapeOps.reshape(input, split), order), out);
    }

    private static int[] concat(int[] lead, int... rest) {
        int[] out = java.util.Arrays.copyOf(lead, lead.length + rest.length);
        System.arraycopy(rest, 0, out, lead.length, rest.length);
        return out;
    }

    /** An unbatched (C, H, W) input has its channels, which it regroups, in dimension 0. */
    @Override
    public boolean rowsIndependent(int[] in) {
        return in.length >= 4;
    }

    @Override
    public int[] outputShape(int[] in) {
        if (in.length < 3) {
            throw new IllegalArgumentException("expected an input of at least 3 dims (*, C, H, W) for " + typeName()
                    + ", got " + Shape.format(in));
        }
        int b = in.length - 3;
        int[] out = in.clone();
        long rr = (long) factor * factor;
        if (!unshuffle) {
            if (in[b] != -1 && in[b] % rr != 0) {
                throw new IllegalArgumentException("expected the channels, " + in[b] + " in " + Shape.format(in)
                        + ", to be divisible by upscale_factor squared, " + rr);
            }
            out[b] = in[b] == -1 ? -1 : (int) (in[b] / rr);
            for (int d = b + 1; d < in.length; d++) {
                long s = (long) in[d] * factor;
                if (in[d] != -1 && s > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException("upscale_factor: " + factor + " makes dim " + d + " of "
                            + Shape.format(in) + " larger than a dim holds");
                }
                out[d] = in[d] == -1 ? -1 : (int) s;
            }
        } else {
            for (int d = b + 1; d < in.length; d++) {
                if (in[d] != -1 && in[d] % factor != 0) {
                    throw new IllegalArgumentException("expected the height and width of " + Shape.format(in)
                            + " to be divisible by downscale_factor, " + factor);
                }
                out[d] = in[d] == -1 ? -1 : in[d] / factor;
            }
            long c = (long) in[b] * rr;
            if (in[b] != -1 && c > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("downscale_factor: " + factor + " makes the channels of "
                        + Shape.format(in) + " more than a dim holds");
            }
            out[b] = in[b] == -1 ? -1 : (int) c;
        }
        return out;
    }

    @Override
    protected String extraRepr() {
        return (unshuffle ? "downscale_factor=" : "upscale_factor=") + factor;
    }
}
