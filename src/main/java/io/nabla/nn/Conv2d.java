package io.nabla.nn;

import io.nabla.autograd.ConvOps;
import io.nabla.backend.DType;
import io.nabla.tensor.Shape;
import io.nabla.tensor.Tensor;
import java.util.Arrays;

/**
 * {@code torch.nn.Conv2d(in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
 * bias=True)} with zero padding. {@code weight} is (out_channels, in_channels / groups, kh, kw), initialised with
 * {@code kaiming_uniform_(a=sqrt(5))}, then {@code bias} (out_channels) uniform in +-1/sqrt(fan_in).
 */
public final class Conv2d extends Module {

    private final int inChannels;
    private final int outChannels;
    private final int[] kernel;
    private final int[] stride;
    private final int[] padding;
    private final int[] dilation;
    private final int groups;
    private final Parameter weight;
    private final Parameter bias;

    public Conv2d(int inChannels, int outChannels, int[] kernelSize, int[] stride, int[] padding, int[] dilation,
                  int groups, boolean bias, Generator g) {
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

    public Parameter weight() {
        return weight;
    }

    public Parameter bias() {
        return bias;
    }

    @Override
    public Tensor forward(Tensor input) {
        return ConvOps.conv2d(input, weight.tensor(), bias == null ? null : bias.tensor(), stride, padding,
                dilation, groups);
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
        return out;
    }

    @Override
    protected String extraRepr() {
        return inChannels + ", " + outChannels + ", kernel_size=" + tuple(kernel) + ", stride=" + tuple(stride)
                + (Arrays.equals(padding, new int[2]) ? "" : ", padding=" + tuple(padding))
                + (Arrays.equals(dilation, new int[] {1, 1}) ? "" : ", dilation=" + tuple(dilation))
                + (groups == 1 ? "" : ", groups=" + groups) + (bias == null ? ", bias=False" : "");
    }

    static String tuple(int[] p) {
        return "(" + p[0] + ", " + p[1] + ")";
    }
}
