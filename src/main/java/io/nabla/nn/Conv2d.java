package io.nabla.nn;

import io.nabla.autograd.ConvOps;
import io.nabla.autograd.ShapeOps;
import io.nabla.backend.DType;
import io.nabla.tensor.Shape;
import io.nabla.tensor.Tensor;
import java.util.Arrays;

/**
 * {@code torch.nn.Conv2d(in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
 * bias=True)} with zero padding. {@code weight} is (out_channels, in_channels / groups, kh, kw), initialised with
 * {@code kaiming_uniform_(a=sqrt(5))}, then {@code bias} (out_channels) uniform in +-1/sqrt(fan_in).
 *
 * <p>{@code padding} may also be PyTorch's {@code "valid"} (none) or {@code "same"} (stride 1 only; the output has
 * the input's height and width): a dim whose total padding {@code dilation (kernel - 1)} is odd gets the extra row
 * or column at the end, as PyTorch pads it. That dim is convolved with the larger padding on both sides and its first
 * output row (column) is left out, a view: the same values and gradients as padding the input unevenly.
 */
public final class Conv2d extends Module {

    private final int inChannels;
    private final int outChannels;
    private final int[] kernel;
    private final int[] stride;
    private final int[] padding;
    /** 1 in a dim whose first output row or column is left out ({@code "same"} with an odd total padding). */
    private final int[] trim;
    /** {@code "same"} or {@code "valid"} when given so, else null. */
    private final String paddingMode;
    private final int[] dilation;
    private final int groups;
    private final Parameter weight;
    private final Parameter bias;

    public Conv2d(int inChannels, int outChannels, int[] kernelSize, int[] stride, int[] padding, int[] dilation,
                  int groups, boolean bias, Generator g) {
        this(inChannels, outChannels, kernelSize, stride, new int[][] {padding, {0, 0}}, null, dilation, groups, bias,
                g);
    }

    /** With {@code padding} {@code "valid"} or {@code "same"}, as PyTorch takes it. */
    public Conv2d(int inChannels, int outChannels, int[] kernelSize, int[] stride, String padding, int[] dilation,
                  int groups, boolean bias, Generator g) {
        this(inChannels, outChannels, kernelSize, stride, paddingFor(padding, kernelSize, stride, dilation), padding,
                dilation, groups, bias, g);
    }

    private Conv2d(int inChannels, int outChannels, int[] kernelSize, int[] stride, int[][] paddingAndTrim,
                   String paddingMode, int[] dilation, int groups, boolean bias, Generator g) {
        int[] padding = paddingAndTrim[0];
        Layers.checkPositive("in_channels", inChannels);
        Layers.checkPositive("out_channels", outChannels);
        Layers.checkPositive("kernel_size", kernelSize);
        Layers.checkPositive("stride", stride);
        Layers.checkNonNegative("padding", padding);
        Layers.checkPositive("dilation", dilation);
        Layers.checkPositive("groups", groups);
        if (inChannels % groups != 0) {
            throw new IllegalArgumentException("in_channels must be divisible by groups: in_channels " + inChannels
                    + ", groups " + groups);
        }
        if (outChannels % groups != 0) {
            throw new IllegalArgumentException("out_channels must be divisible by groups: out_channels "
                    + outChannels + ", groups " + groups);
        }
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernel = kernelSize.clone();
        this.stride = stride.clone();
        this.padding = padding.clone();
        this.trim = paddingAndTrim[1].clone();
        this.paddingMode = paddingMode;
        this.dilation = dilation.clone();
        this.groups = groups;
        Tensor w = Tensor.empty(DType.FP32, outChannels, inChannels / groups, kernel[0], kernel[1]);
        Init.kaimingUniform(w, Math.sqrt(5), g);
        this.weight = registerParameter("weight", w);
        if (bias) {
            Tensor b = Tensor.empty(DType.FP32, outChannels);
            Init.biasUniform(b, w, g);
            this.bias = registerParameter("bias", b);
        } else {
            this.bias = null;
        }
    }

    /** The symmetric padding and the trim per dim that {@code "valid"} or {@code "same"} mean here. */
    private static int[][] paddingFor(String padding, int[] kernel, int[] stride, int[] dilation) {
        Layers.checkPositive("kernel_size", kernel);
        Layers.checkPositive("stride", stride);
        Layers.checkPositive("dilation", dilation);
        if ("valid".equals(padding)) {
            return new int[][] {{0, 0}, {0, 0}};
        }
        if (!"same".equals(padding)) {
            throw new IllegalArgumentException("padding: expected \"valid\", \"same\" or non-negative integers, got "
                    + (padding == null ? "null" : "\"" + padding + "\""));
        }
        if (stride[0] != 1 || stride[1] != 1) {
            throw new IllegalArgumentException("padding: padding='same' is not supported for strided convolutions, "
                    + "got stride " + tuple(stride));
        }
        int[] pad = new int[2];
        int[] trim = new int[2];
        for (int d = 0; d < 2; d++) {
            long total = (long) dilation[d] * (kernel[d] - 1);
            if (total >= Integer.MAX_VALUE) {
                throw new IllegalArgumentException("padding: padding='same' with kernel_size " + tuple(kernel)
                        + " and dilation " + tuple(dilation) + " needs " + total + " rows or columns of padding");
            }
            pad[d] = (int) ((total + 1) / 2);
            trim[d] = (int) (total % 2);
        }
        return new int[][] {pad, trim};
    }

    public Parameter weight() {
        return weight;
    }

    public Parameter bias() {
        return bias;
    }

    @Override
    public Tensor forward(Tensor input) {
        Tensor out = ConvOps.conv2d(input, weight.tensor(), bias == null ? null : bias.tensor(), stride, padding,
                dilation, groups);
        for (int d = 0; d < 2; d++) {
            if (trim[d] == 1) {
                int dim = out.dim() - 2 + d;
                out = ShapeOps.narrow(out, dim, 1, out.size(dim) - 1);
            }
        }
        return out;
    }

    /** (N, C_in, H, W) -> (N, C_out, H_out, W_out); the batch dim may be absent. */
    @Override
    public int[] outputShape(int[] in) {
        int c = Layers.channelDim2d(in, "Conv2d");
        if (!Layers.fits(in[c], inChannels)) {
            throw new IllegalArgumentException("expected " + inChannels + " input channels (in_channels), got "
                    + in[c] + " in " + Shape.format(in));
        }
        int[] out = in.clone();
        out[c] = outChannels;
        out[c + 1] = Layers.windowOutput("height", in[c + 1], kernel[0], stride[0], padding[0], dilation[0]);
        out[c + 2] = Layers.windowOutput("width", in[c + 2], kernel[1], stride[1], padding[1], dilation[1]);
        for (int d = 0; d < 2; d++) {
            if (out[c + 1 + d] != -1) {
                out[c + 1 + d] -= trim[d];
            }
        }
        return out;
    }

    @Override
    protected String extraRepr() {
        return inChannels + ", " + outChannels + ", kernel_size=" + tuple(kernel) + ", stride=" + tuple(stride)
                + (paddingMode != null ? ", padding=" + paddingMode
                    : Arrays.equals(padding, new int[2]) ? "" : ", padding=" + tuple(padding))
                + (Arrays.equals(dilation, new int[] {1, 1}) ? "" : ", dilation=" + tuple(dilation))
                + (groups == 1 ? "" : ", groups=" + groups) + (bias == null ? ", bias=False" : "");
    }

    static String tuple(int[] p) {
        return "(" + p[0] + ", " + p[1] + ")";
    }
}
