package io.nabla.nn;

import io.nabla.autograd.ConvOps;
import io.nabla.autograd.ShapeOps;
import io.nabla.backend.DType;
import io.nabla.tensor.Shape;
import io.nabla.tensor.Tensor;

/**
 * {@code torch.nn.ConvTranspose2d(in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0,
 * groups=1, bias=True, dilation=1)} over (N, C, H, W) or (C, H, W), and {@code ConvTranspose1d} (the same arguments,
 * one value each) over (N, C, L) or (C, L), run as the 2-D op of the view (N, C, 1, L). {@code weight} is
 * (in_channels, out_channels / groups, kH, kW) (kW alone for 1d), initialised with
 * {@code kaiming_uniform_(a=sqrt(5))} over its fan in (out_channels / groups * kernel), then {@code bias}
 * (out_channels) uniform in +-1/sqrt(that fan in), as PyTorch's {@code _ConvNd} does. Only
 * {@code padding_mode="zeros"} exists, as in PyTorch. {@link ConvOps#convTranspose2d} computes it.
 */
public final class ConvTranspose extends Module {

    private final int dims;
    private final int inChannels;
    private final int outChannels;
    private final int[] kernel;
    private final int[] stride;
    private final int[] padding;
    private final int[] outputPadding;
    private final int[] dilation;
    private final int groups;
    private final Parameter weight;
    private final Parameter bias;

    /**
     * {@code dims} 1 or 2; each pair is (height, width); for 1d only its second value (the length's) is read, the
     * height's being those of a window of height 1.
     */
    public ConvTranspose(int dims, int inChannels, int outChannels, int[] kernel, int[] stride, int[] padding,
                         int[] outputPadding, int groups, boolean bias, int[] dilation, Generator g) {
        if (dims == 1) {
            kernel = new int[] {1, kernel[1]};
            stride = new int[] {1, stride[1]};
            padding = new int[] {0, padding[1]};
            outputPadding = new int[] {0, outputPadding[1]};
            dilation = new int[] {1, dilation[1]};
        }
        Layers.checkPositive("in_channels", inChannels);
        Layers.checkPositive("out_channels", outChannels);
        Layers.checkPositive("kernel_size", kernel);
        Layers.checkPositive("stride", stride);
        Layers.checkNonNegative("padding", padding);
        Layers.checkNonNegative("output_padding", outputPadding);
        Layers.checkPositive("dilation", dilation);
        Layers.checkPositive("groups", groups);
        if (inChannels % groups != 0) {
            throw new IllegalArgumentException("in_channels must be divisible by groups: in_channels " + inChannels
                    + ", groups " + groups);
        }
        if (outChannels % groups != 0) {
            throw new IllegalArgumentException("out_channels must be divisible by groups: out_channels " + outChannels
                    + ", groups " + groups);
        }
        for (int d = 0; d < 2; d++) {
            if (outputPadding[d] >= stride[d] && outputPadding[d] >= dilation[d]) {
                throw new IllegalArgumentException("output_padding: must be smaller than either stride or dilation, "
                        + "got output_padding " + text(outputPadding) + ", stride " + text(stride) + ", dilation "
                        + text(dilation));
            }
        }
        this.dims = dims;
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernel = kernel.clone();
        this.stride = stride.clone();
        this.padding = padding.clone();
        this.outputPadding = outputPadding.clone();
        this.dilation = dilation.clone();
        this.groups = groups;
        int[] shape = dims == 1 ? new int[] {inChannels, outChannels / groups, kernel[1]}
                : new int[] {inChannels, outChannels / groups, kernel[0], kernel[1]};
        Tensor w = Tensor.empty(DType.FP32, shape);
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

    @Override
    public String typeName() {
        return "ConvTranspose" + dims + "d";
    }

    @Override
    public Tensor forward(Tensor input) {
        outputShape(input.shape());
        Tensor w = weight.tensor();
        Tensor b = bias == null ? null : bias.tensor();
        if (dims == 2) {
            return ConvOps.convTranspose2d(input, w, b, stride, padding, outputPadding, dilation, groups);
        }
        Tensor planes = ShapeOps.unsqueeze(input, input.dim() - 1); // (N, C, 1, L)
        Tensor w2 = ShapeOps.unsqueeze(w, 2); // (in, out / groups, 1, k)
        Tensor out = ConvOps.convTranspose2d(planes, w2, b, stride, padding, outputPadding, dilation, groups);
        return ShapeOps.squeeze(out, out.dim() - 2);
    }

    /** An unbatched input has its channels, which the convolution mixes, in dimension 0. */
    @Override
    public boolean rowsIndependent(int[] in) {
        return in.length == dims + 2;
    }

    /** (N, C_in, *) -> (N, C_out, *_out): (in - 1) * stride - 2 * padding + dilation * (k - 1) + output_padding + 1. */
    @Override
    public int[] outputShape(int[] in) {
        if (in.length != dims + 1 && in.length != dims + 2) {
            throw new IllegalArgumentException("expected a " + (dims + 1) + "D or " + (dims + 2) + "D input for "
                    + typeName() + ", got " + Shape.format(in));
        }
        int c = in.length - dims - 1;
        if (!Layers.fits(in[c], inChannels)) {
            throw new IllegalArgumentException("expected " + inChannels + " input channels (in_channels), got "
                    + in[c] + " in " + Shape.format(in));
        }
        int[] out = in.clone();
        out[c] = outChannels;
        String[] names = dims == 1 ? new String[] {"length"} : new String[] {"height", "width"};
        for (int k = 0; k < dims; k++) {
            int d = c + 1 + k;
            int p = dims == 1 ? 1 : k;
            if (in[d] == -1) {
                continue;
            }
            long size = (long) (in[d] - 1) * stride[p] - 2L * padding[p] + (long) dilation[p] * (kernel[p] - 1)
                    + outputPadding[p] + 1;
            if (size <= 0 || size > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("the " + names[k] + " of " + in[d] + " gives an output " + names[k]
                        + " of " + size + " (stride " + stride[p] + ", padding " + padding[p] + ", dilation "
                        + dilation[p] + ", kernel " + kernel[p] + ", output_padding " + outputPadding[p]
                        + "), which is not a size");
            }
            out[d] = (int) size;
        }
        return out;
    }

    private String text(int[] pair) {
        return dims == 1 ? "(" + pair[1] + ",)" : Conv2d.tuple(pair);
    }

    @Override
    protected String extraRepr() {
        return inChannels + ", " + outChannels + ", kernel_size=" + text(kernel) + ", stride=" + text(stride)
                + (bias == null ? ", bias=False" : "");
    }
}
