package io.nabla.nn;

import io.nabla.autograd.ShapeOps;
import io.nabla.tensor.Shape;
import io.nabla.tensor.Tensor;

/**
 * {@code torch.nn.Conv1d(in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
 * bias=True, padding_mode='zeros')} over a (C, L) or (N, C, L) input. {@code weight} is
 * (out_channels, in_channels / groups, kernel_size), initialised as PyTorch does ({@code kaiming_uniform_(a=sqrt(5))},
 * then {@code bias} uniform in +-1/sqrt(fan_in)), so a seed gives PyTorch's values.
 *
 * <p>{@code padding} takes an integer, {@code "valid"} or {@code "same"} (stride 1 only; an odd total padding puts
 * the extra column at the end, as PyTorch), and {@code padding_mode} the four modes of {@link Conv2d}. It runs as
 * {@link Conv2d}'s convolution of the input viewed as (N, C, 1, L) with the weight viewed as (out, in / groups, 1, k),
 * both views, so it has the same kernels, gradients and devices.
 */
public final class Conv1d extends Module {

    private static final String[] DIM_NAMES = {"height", "length"};

    private final int inChannels;
    private final int outChannels;
    private final int kernel;
    private final int stride;
    /** As {@link Conv2d}'s, with height 1 and no padding in the first dim. */
    private final int[] before;
    private final int[] after;
    private final String paddingName;
    private final String paddingMode;
    private final int dilation;
    private final int groups;
    private final Parameter weight;
    private final Parameter bias;

    /**
     * Every argument of PyTorch's: {@code padding} as an integer ({@code paddingName} null) or {@code "valid"} /
     * {@code "same"} as {@code paddingName}, and a {@code paddingMode} of {@link Conv2d#PADDING_MODES}.
     */
    public Conv1d(int inChannels, int outChannels, int kernelSize, int stride, int padding, String paddingName,
                  int dilation, int groups, boolean bias, String paddingMode, Generator g) {
        Conv2d.checkChannels(inChannels, outChannels, groups, paddingMode);
        Layers.checkPositive("kernel_size", kernelSize);
        Layers.checkPositive("stride", stride);
        Layers.checkPositive("dilation", dilation);
        if (paddingName != null && !paddingName.equals("valid") && !paddingName.equals("same")) {
            throw new IllegalArgumentException("padding: expected \"valid\", \"same\" or a non-negative integer, got "
                    + "\"" + paddingName + "\"");
        }
        if ("same".equals(paddingName)) {
            if (stride != 1) {
                throw new IllegalArgumentException("padding: padding='same' is not supported for strided "
                        + "convolutions, got stride (" + stride + ",)");
            }
            long total = (long) dilation * (kernelSize - 1);
            if (total >= Integer.MAX_VALUE) {
                throw new IllegalArgumentException("padding: padding='same' with kernel_size (" + kernelSize
                        + ",) and dilation (" + dilation + ",) needs " + total + " columns of padding");
            }
        }
        int[][] sides = Conv2d.sides(paddingName == null ? new int[] {0, padding} : null, paddingName,
                new int[] {1, kernelSize}, new int[] {1, stride}, new int[] {1, dilation});
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernel = kernelSize;
        this.stride = stride;
        this.before = sides[0];
        this.after = sides[1];
        this.paddingName = paddingName;
        this.paddingMode = paddingMode;
        this.dilation = dilation;
        this.groups = groups;
        Parameter[] wb = registerWeightAndBias(new int[] {outChannels, inChannels / groups, kernelSize}, bias, g);
        this.weight = wb[0];
        this.bias = wb[1];
    }

    public Parameter weight() {
        return weight;
    }

    public Parameter bias() {
        return bias;
    }

    @Override
    public Tensor forward(Tensor input) {
        outputShape(input.shape());
        return conv1d(input, weight.tensor(), bias == null ? null : bias.tensor(), stride, before[1], after[1],
                dilation, groups, paddingMode);
    }

    /**
     * The convolution of a (C, L) or (N, C, L) input with weight (out, in / groups, k), padded by {@code before} and
     * {@code after} columns in {@code paddingMode}: {@link Conv2d}'s over the views (N, C, 1, L) and
     * (out, in / groups, 1, k).
     */
    static Tensor conv1d(Tensor input, Tensor weight, Tensor bias, int stride, int before, int after, int dilation,
                         int groups, String paddingMode) {
        Tensor x = ShapeOps.unsqueeze(input, input.dim() - 1); // (N, C, 1, L)
        Tensor w = ShapeOps.unsqueeze(weight, 2); // (out, in / groups, 1, k)
        Tensor out = Conv2d.convolve(x, w, bias, new int[] {1, stride}, new int[] {0, before}, new int[] {0, after},
                new int[] {1, dilation}, groups, paddingMode, DIM_NAMES);
        return ShapeOps.squeeze(out, out.dim() - 2);
    }

    /** An unbatched (C, L) input has its channels, which the convolution mixes, in dimension 0. */
    @Override
    public boolean rowsIndependent(int[] in) {
        return in.length == 3;
    }

    /** (N, C_in, L) -> (N, C_out, L_out); the batch dim may be absent. */
    @Override
    public int[] outputShape(int[] in) {
        if (in.length != 2 && in.length != 3) {
            throw new IllegalArgumentException("expected a 2D (C, L) or 3D (N, C, L) input for Conv1d, got "
                    + Shape.format(in));
        }
        int c = in.length - 2;
        if (!Layers.fits(in[c], inChannels)) {
            throw new IllegalArgumentException("expected " + inChannels + " input channels (in_channels), got "
                    + in[c] + " in " + Shape.format(in));
        }
        int[] planes = new int[in.length + 1];
        System.arraycopy(in, 0, planes, 0, c + 1);
        planes[c + 1] = 1;
        planes[c + 2] = in[c + 1];
        int[] out = Conv2d.outputShape(planes, c, inChannels, outChannels, new int[] {1, kernel},
                new int[] {1, stride}, before, after, new int[] {1, dilation}, paddingMode, DIM_NAMES);
        int[] result = in.clone();
        result[c] = out[c];
        result[c + 1] = out[c + 2];
        return result;
    }

    @Override
    protected String extraRepr() {
        return inChannels + ", " + outChannels + ", kernel_size=(" + kernel + ",), stride=(" + stride + ",)"
                + (paddingName != null ? ", padding=" + paddingName
                    : before[1] == 0 ? "" : ", padding=(" + before[1] + ",)")
                + (dilation == 1 ? "" : ", dilation=(" + dilation + ",)")
                + (groups == 1 ? "" : ", groups=" + groups) + (bias == null ? ", bias=False" : "")
                + (paddingMode.equals("zeros") ? "" : ", padding_mode=" + paddingMode);
    }
}
