package io.nabla.nn;

import io.nabla.autograd.IndexOps;
import io.nabla.autograd.JoinOps;
import io.nabla.autograd.ShapeOps;
import io.nabla.tensor.Shape;
import io.nabla.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * PyTorch's padding layers: {@code ConstantPad1d/2d(padding, value)}, {@code ZeroPad1d/2d(padding)},
 * {@code ReflectionPad1d/2d(padding)}, {@code ReplicationPad1d/2d(padding)} and {@code CircularPad1d/2d(padding)}
 * (the last two and {@code ZeroPad1d} are PyTorch 2.1's). {@code padding} is (left, right) for
 * the last dim, then (top, bottom) for the one before it, as {@code F.pad} orders it. The input is (C, W) or
 * (N, C, W) for 1d, (C, H, W) or (N, C, H, W) for 2d. Constant padding may be negative (it crops, as in PyTorch);
 * reflection needs each side's padding below the dim's size, circular padding at most that size; constant padding is
 * a concatenation with blocks of the
 * value, the other modes a selection of rows and columns ({@code index_select}), so gradients reach the input.
 */
public final class Pad extends Module {

    /** How the border is filled. */
    public enum Mode { CONSTANT, REFLECT, REPLICATE, CIRCULAR }

    private final String type;
    private final Mode mode;
    private final int dims;
    private final int[] padding;
    private final double value;

    /**
     * {@code padding}: 2 values (left, right) for 1d, 4 (left, right, top, bottom) for 2d; {@code type} is PyTorch's
     * class name.
     */
    public Pad(String type, Mode mode, int dims, int[] padding, double value) {
        if (padding.length != 2 * dims) {
            throw new IllegalArgumentException("padding: expected " + 2 * dims + " values, got "
                    + Shape.format(padding));
        }
        if (mode != Mode.CONSTANT) {
            Layers.checkNonNegative("padding", padding);
        }
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("value: expected a finite number, got " + value);
        }
        this.type = type;
        this.mode = mode;
        this.dims = dims;
        this.padding = padding.clone();
        this.value = value;
    }

    @Override
    public String typeName() {
        return type;
    }

    @Override
    public Tensor forward(Tensor input) {
        outputShape(input.shape());
        Tensor x = input;
        for (int k = 0; k < dims; k++) {
            int dim = x.dim() - 1 - k;
            int before = padding[2 * k];
            int after = padding[2 * k + 1];
            if (before == 0 && after == 0) {
                continue;
            }
            x = mode == Mode.CONSTANT ? constant(x, dim, before, after)
                    : IndexOps.indexSelect(x, dim, index(x, dim, before, after).toDevice(x.device()));
        }
        return x;
    }

    private Tensor index(Tensor x, int dim, int before, int after) {
        try {
            return Conv2d.padIndex(x, dim, mode.name().toLowerCase(java.util.Locale.ROOT), before, after,
                    dimName(dim, x.dim()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage().replace("padding_mode 'reflect' needs", "padding: "
                    + "reflection needs").replace("padding_mode 'circular' needs", "padding: circular padding needs"),
                    e);
        }
    }

    /** Blocks of {@code value} before and after (or, for negative padding, the input cropped). */
    private Tensor constant(Tensor x, int dim, int before, int after) {
        int start = Math.max(0, -before);
        int end = x.size(dim) - Math.max(0, -after);
        Tensor kept = start == 0 && end == x.size(dim) ? x : ShapeOps.narrow(x, dim, start, end - start);
        List<Tensor> parts = new ArrayList<>();
        if (before > 0) {
            parts.add(block(kept, dim, before));
        }
        parts.add(kept);
        if (after > 0) {
            parts.add(block(kept, dim, after));
        }
        return parts.size() == 1 ? kept : JoinOps.cat(parts, dim);
    }

    private Tensor block(Tensor x, int dim, int size) {
        int[] shape = x.shape();
        shape[dim] = size;
        return Tensor.full(value, x.dtype(), x.device(), shape);
    }

    private String dimName(int dim, int rank) {
        return dim == rank - 1 ? "width" : "height";
    }

    @Override
    public int[] outputShape(int[] in) {
        if (in.length != dims + 1 && in.length != dims + 2) {
            throw new IllegalArgumentException("expected a " + (dims + 1) + "D or " + (dims + 2) + "D input for "
                    + type + ", got " + Shape.format(in));
        }
        int[] out = in.clone();
        for (int k = 0; k < dims; k++) {
            int dim = in.length - 1 - k;
            int before = padding[2 * k];
            int after = padding[2 * k + 1];
            if (in[dim] == -1) {
                continue;
            }
            if (mode == Mode.REFLECT && (before >= in[dim] || after >= in[dim])) {
                throw new IllegalArgumentException("padding: reflection needs the " + dimName(dim, in.length)
                        + "'s padding (" + before + ", " + after + ") to be smaller than the " + dimName(dim, in.length)
                        + " of the input, " + in[dim]);
            }
            if (mode == Mode.CIRCULAR && (before > in[dim] || after > in[dim])) {
                throw new IllegalArgumentException("padding: circular padding needs the " + dimName(dim, in.length)
                        + "'s padding (" + before + ", " + after + ") to be at most the " + dimName(dim, in.length)
                        + " of the input, " + in[dim]);
            }
            long size = (long) in[dim] + before + after;
            if (size < (mode == Mode.CONSTANT ? 0 : 1) || size > Integer.MAX_VALUE
                    || (mode == Mode.CONSTANT && (Math.max(0, -before) + Math.max(0, -after) > in[dim]))) {
                throw new IllegalArgumentException("padding: the " + dimName(dim, in.length) + " of " + in[dim]
                        + " padded by (" + before + ", " + after + ") would be " + size + ", which is not a size");
            }
            out[dim] = (int) size;
        }
        return out;
    }

    @Override
    protected String extraRepr() {
        return Shape.format(padding) + (mode == Mode.CONSTANT && value != 0 ? ", value=" + value : "");
    }
}
