package io.nabla.nn;

import io.nabla.autograd.IndexOps;
import io.nabla.backend.DType;
import io.nabla.tensor.Shape;
import io.nabla.tensor.Tensor;

/**
 * {@code torch.nn.Upsample(size=None, scale_factor=None, mode="nearest", recompute_scale_factor=None)} and
 * {@code UpsamplingNearest2d(size, scale_factor)}: nearest-neighbour resizing of the spatial dims of an (N, C, L),
 * (N, C, H, W) or (N, C, D, H, W) input, to {@code size} or to {@code floor(size * scale_factor)}. Output position
 * {@code i} of a dim reads input position {@code min(floor(i * scale), in - 1)}, with PyTorch's float {@code scale}:
 * {@code 1 / scale_factor} when a scale factor is given (and not recomputed), else {@code in / out}; a dim that keeps
 * its size reads itself and one that doubles reads {@code i / 2}, as PyTorch's kernel. Runs as an
 * {@code index_select} per dim, whose gradient adds each output's gradient back to the position it read.
 */
public final class Upsample extends Module {

    private final String type;
    private final int[] size;
    private final double[] scaleFactor;
    private final boolean recompute;

    /**
     * Exactly one of {@code size} and {@code scaleFactor} is given (not null): one value for every spatial dim, or
     * one per dim. {@code spatialDims} fixes the input's rank ({@code UpsamplingNearest2d}: 2), or 0 for any of 1-3.
     */
    public Upsample(String type, int[] size, double[] scaleFactor, boolean recomputeScaleFactor) {
        if ((size == null) == (scaleFactor == null)) {
            throw new IllegalArgumentException("size and scale_factor: exactly one of them must be given, got "
                    + (size == null ? "neither" : "both"));
        }
        if (size != null) {
            Layers.checkPositive("size", size);
        } else {
            for (double s : scaleFactor) {
                if (!(s > 0) || Double.isInfinite(s)) {
                    throw new IllegalArgumentException("scale_factor: expected positive finite numbers, got "
                            + java.util.Arrays.toString(scaleFactor));
                }
            }
        }
        this.type = type;
        this.size = size == null ? null : size.clone();
        this.scaleFactor = scaleFactor == null ? null : scaleFactor.clone();
        this.recompute = recomputeScaleFactor;
    }

    @Override
    public String typeName() {
        return type;
    }

    @Override
    public Tensor forward(Tensor input) {
        int[] out = outputShape(input.shape());
        long bytes;
        try {
            bytes = Math.multiplyExact(Shape.numel(out), (long) input.dtype().itemSize());
        } catch (ArithmeticException e) {
            bytes = Long.MAX_VALUE;
        }
        if (bytes > io.nabla.backend.HostAllocator.MAX_BLOCK_BYTES) {
            throw new IllegalArgumentException("the output " + Shape.format(out) + " of " + type + " would take "
                    + bytes + " bytes, more than the " + io.nabla.backend.HostAllocator.MAX_BLOCK_BYTES
                    + " a tensor holds");
        }
        Tensor x = input;
        for (int d = 2; d < x.dim(); d++) {
            int in = input.size(d);
            if (out[d] == in) {
                continue;
            }
            Double scale = scaleFactor != null && !recompute ? scaleFor(d - 2, x.dim() - 2) : null;
            Tensor index = Tensor.empty(DType.INT64, out[d]); // off the heap: its size is the output's
            java.nio.LongBuffer at = index.memory().hostBuffer().duplicate().order(java.nio.ByteOrder.nativeOrder())
                    .asLongBuffer();
            for (int i = 0; i < out[d]; i++) {
                at.put(i, sourceIndex(i, in, out[d], scale));
            }
            x = IndexOps.indexSelect(x, d, index.toDevice(x.device()));
        }
        return x;
    }

    /** PyTorch 1.13's {@code nearest_idx}: the input position output position {@code i} reads. */
    static long sourceIndex(int i, int in, int out, Double scaleFactor) {
        if (out == in) {
            return i;
        }
        if (out == 2 * in) {
            return i >> 1;
        }
        float scale = scaleFactor != null ? (float) (1.0 / scaleFactor) : (float) in / out;
        return Math.min((long) Math.floor((float) i * scale), in - 1);
    }

    private double scaleFor(int k, int spatial) {
        return scaleFactor.length == 1 ? scaleFactor[0] : scaleFactor[k];
    }

    @Override
    public int[] outputShape(int[] in) {
        boolean nearest2d = type.equals("UpsamplingNearest2d");
        if (nearest2d ? in.length != 4 : in.length < 3 || in.length > 5) {
            throw new IllegalArgumentException("expected a " + (nearest2d ? "4D (N, C, H, W)" : "3D, 4D or 5D (N, C, "
                    + "...)") + " input for " + type + ", got " + Shape.format(in));
        }
        int spatial = in.length - 2;
        int given = size != null ? size.length : scaleFactor.length;
        if (given != 1 && given != spatial) {
            throw new IllegalArgumentException((size != null ? "size" : "scale_factor") + ": expected "
                    + (spatial == 1 ? "1 value" : "1 or " + spatial + " values") + " for an input of " + spatial
                    + " spatial dim" + (spatial == 1 ? "" : "s") + ", got " + given + " in " + Shape.format(in));
        }
        int[] out = in.clone();
        for (int k = 0; k < spatial; k++) {
            int d = k + 2;
            if (size != null) {
                out[d] = size.length == 1 ? size[0] : size[k];
            } else if (in[d] != -1) {
                double s = Math.floor(in[d] * scaleFor(k, spatial));
                if (s < 1 || s > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException("scale_factor: " + scaleFor(k, spatial) + " turns the size "
                            + in[d] + " of dim " + d + " into " + (long) s + ", which is not a size");
                }
                out[d] = (int) s;
            }
        }
        return out;
    }

    @Override
    protected String extraRepr() {
        return (size != null ? "size=" + Shape.format(size) : "scale_factor=" + java.util.Arrays.toString(scaleFactor))
                + ", mode='nearest'";
    }
}
