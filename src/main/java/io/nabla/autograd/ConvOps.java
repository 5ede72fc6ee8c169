package io.nabla.autograd;

import io.nabla.backend.DType;
import io.nabla.backend.Layout;
import io.nabla.backend.Window2d;
import io.nabla.tensor.Shape;
import io.nabla.tensor.Tensor;

/**
 * Convolution and pooling over NCHW tensors (a 3-dim (C, H, W) input is one unbatched image), with their
 * gradients, as PyTorch's {@code conv2d}, {@code conv_transpose2d}, {@code max_pool2d}, {@code avg_pool2d} and
 * {@code adaptive_avg_pool2d}. Size arguments take one value (both dims) or two (height, width). Each backward rule
 * follows its forward op; the family's argument checks are shared here, which makes the file longer than most.
 */
public final class ConvOps {

    private ConvOps() {
    }

    // ---- conv2d ------------------------------------------------------------------------------------------------

    /**
     * 2-D convolution (cross-correlation) of input (N, C, H, W) with weight (Cout, C / groups, kh, kw) plus bias
     * (Cout) or null; the result is (N, Cout, OH, OW). Under {@link Autocast}, computed in its lower precision.
     */
    public static Tensor conv2d(Tensor input, Tensor weight, Tensor bias, int[] stride, int[] padding,
                                int[] dilation, int groups) {
        input = Autocast.lower(input);
        weight = Autocast.lower(weight);
        bias = Autocast.lower(bias);
        checkFloating("conv2d", input, weight);
        if (input.dim() == 3) {
            Tensor out = conv2d(ShapeOps.unsqueeze(input, 0), weight, bias, stride, padding, dilation, groups);
            return ShapeOps.squeeze(out, 0);
        }
        checkImages("conv2d", input);
        ConvPlan plan = plan(input, weight, bias, stride, padding, dilation, groups);
        Tensor x = input.dataContiguous();
        Tensor wt = weight.dataContiguous();
        Tensor out = Tensor.empty(input.dtype(), input.device(), plan.n(), plan.cout(), plan.oh(), plan.ow());
        if (bias != null) {
            Layout perChannel = new Layout(out.shape(), new int[] {0, bias.stride(0), 0, 0}, bias.offset());
            out.backend().elementwise().copy(bias.memory(), perChannel, bias.dtype(), out.memory(), out.layout(),
                    out.dtype());
        }
        plan.forward(x, wt, out, bias != null);
        Tensor[] inputs = bias == null ? new Tensor[] {input, weight} : new Tensor[] {input, weight, bias};
        if (!Autograd.needsGrad(inputs)) {
            return out;
        }
        return Autograd.record("ConvolutionBackward", out, inputs, new Tensor[] {input, weight}, (node, g) -> {
            Tensor go = g.dataContiguous();
            Tensor[] grads = new Tensor[inputs.length];
            if (node.needsInputGrad(0)) {
                grads[0] = Tensor.empty(go.dtype(), go.device(), node.saved(0).shape());
                plan.inputGrad(go, node.saved(1).dataContiguous(), grads[0]);
            }
            if (node.needsInputGrad(1)) {
                grads[1] = Tensor.zeros(go.dtype(), go.device(), node.saved(1).shape());
                plan.weightGrad(go, node.saved(0).dataContiguous(), grads[1]);
            }
            if (inputs.length == 3 && node.needsInputGrad(2)) {
                grads[2] = ReduceOps.sum(go, new int[] {0, 2, 3}, false);
            }
            return grads;
        });
    }

    /**
     * PyTorch's {@code conv_transpose2d}: input (N, Cin, H, W) (or (Cin, H, W)), weight (Cin, Cout / groups, kh, kw),
     * bias (Cout) or null; the result is (N, Cout, (H - 1) * stride - 2 * padding + dilation * (kh - 1) +
     * output_padding + 1, likewise for W). It is the adjoint of {@link #conv2d} with the same weight: the forward pass
     * is that convolution's input gradient (Wᵀ·x, then col2im), the input's gradient is the convolution of the output's
     * gradient, the weight's is the convolution's weight gradient with the roles of input and output swapped. Under
     * {@link Autocast}, computed in its lower precision.
     */
    public static Tensor convTranspose2d(Tensor input, Tensor weight, Tensor bias, int[] stride, int[] padding,
                                         int[] outputPadding, int[] dilation, int groups) {
        input = Autocast.lower(input);
        weight = Autocast.lower(weight);
        bias = Autocast.lower(bias);
        checkFloating("conv_transpose2d", input, weight);
        if (input.dim() == 3) {
            Tensor out = convTranspose2d(ShapeOps.unsqueeze(input, 0), weight, bias, stride, padding, outputPadding,
                    dilation, groups);
            return ShapeOps.squeeze(out, 0);
        }
        checkImages("conv_transpose2d", input);
        if (weight.dim() != 4) {
            throw new IllegalArgumentException("conv_transpose2d: expected weight with 4 dims (in_channels, "
                    + "out_channels / groups, kH, kW), got " + Shape.format(weight.shape()));
        }
        if (groups <= 0 || weight.size(0) != input.size(1) || weight.size(0) % groups != 0) {
            throw new IllegalArgumentException("conv_transpose2d: given groups=" + groups + ", weight of size "
                    + Shape.format(weight.shape()) + " expects input with " + weight.size(0) + " channels (a multiple "
                    + "of groups), but input " + Shape.format(input.shape()) + " has " + input.size(1));
        }
        int cout = weight.size(1) * groups;
        checkBias("conv_transpose2d", input, bias, cout);
        int[] st = pair("conv_transpose2d", "stride", stride, 1);
        int[] pd = pair("conv_transpose2d", "padding", padding, 0);
        int[] op = pair("conv_transpose2d", "output_padding", outputPadding, 0);
        int[] dl = pair("conv_transpose2d", "dilation", dilation, 1);
        for (int d = 0; d < 2; d++) {
            if (op[d] >= st[d] && op[d] >= dl[d]) {
                throw new IllegalArgumentException("conv_transpose2d: output padding must be smaller than either "
                        + "stride or dilation, got output_padding " + Shape.format(op) + ", stride " + Shape.format(st)
                        + ", dilation " + Shape.format(dl));
            }
        }
        int[] s = input.shape();
        long oh = (long) (s[2] - 1) * st[0] - 2L * pd[0] + (long) dl[0] * (weight.size(2) - 1) + op[0] + 1;
        long ow = (long) (s[3] - 1) * st[1] - 2L * pd[1] + (long) dl[1] * (weight.size(3) - 1) + op[1] + 1;
        if (oh <= 0 || ow <= 0 || oh > Integer.MAX_VALUE || ow > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("conv_transpose2d: input " + Shape.format(s) + " with kernel ("
                    + weight.size(2) + ", " + weight.size(3) + "), stride " + Shape.format(st) + ", padding "
                    + Shape.format(pd) + ", output_padding " + Shape.format(op) + ", dilation " + Shape.format(dl)
                    + " gives output size (" + oh + ", " + ow + "); output size must be > 0");
        }
        Window2d w = new Window2d(weight.size(2), weight.size(3), st[0], st[1], pd[0], pd[1], dl[0], dl[1]);
        // the convolution whose input is this op's output: (N, Cout, OH, OW) -> (N, Cin, H, W) with this weight
        ConvPlan plan = new ConvPlan(s[0], cout, (int) oh, (int) ow, s[1], groups, w, s[2], s[3]);
        Tensor x = input.dataContiguous();
        Tensor wt = weight.dataContiguous();
        Tensor out = Tensor.empty(input.dtype(), input.device(), s[0], cout, (int) oh, (int) ow);
        plan.inputGrad(x, wt, out);
        if (bias != null) {
            try (GradMode.Region off = GradMode.disable()) {
                out = ElementwiseOps.add(out, ShapeOps.reshape(bias.detach(), 1, cout, 1, 1));
            }
        }
        Tensor[] inputs = bias == null ? new Tensor[] {input, weight} : new Tensor[] {input, weight, bias};
        if (!Autograd.needsGrad(inputs)) {
            return out;
        }
        return Autograd.record("ConvolutionBackward", out, inputs, new Tensor[] {input, weight}, (node, g) -> {
            Tensor go = g.dataContiguous();
            Tensor[] grads = new Tensor[inputs.length];
            if (node.needsInputGrad(0)) {
                grads[0] = Tensor.empty(go.dtype(), go.device(), node.saved(0).shape());
                plan.forward(go, node.saved(1).dataContiguous(), grads[0], false);
            }
            if (node.needsInputGrad(1)) {
                grads[1] = Tensor.zeros(go.dtype(), go.device(), node.saved(1).shape());
                plan.weightGrad(node.saved(0).dataContiguous(), go, grads[1]);
            }
            if (inputs.length == 3 && node.needsInputGrad(2)) {
                grads[2] = ReduceOps.sum(go, new int[] {0, 2, 3}, false);
            }
            return grads;
        });
    }

    private static ConvPlan plan(Tensor input, Tensor weight, Tensor bias, int[] stride, int[] padding,
                                 int[] dilation, int groups) {
        input = Autocast.lower(input);
        weight = Autocast.lower(weight);
        bias = Autocast.lower(bias);
        checkFloating("conv2d", input, weight);
        if (weight.dim() != 4) {
            throw new IllegalArgumentException("conv2d: expected weight with 4 dims (out_channels, in_channels / "
                    + "groups, kH, kW), got " + Shape.format(weight.shape()));
        }
        int[] s = input.shape();
        int cout = weight.size(0);
        if (groups <= 0) {
            throw new IllegalArgumentException("conv2d: groups must be a positive integer, got " + groups);
        }
        if ((long) weight.size(1) * groups != s[1] || cout % groups != 0) {
            throw new IllegalArgumentException("conv2d: given groups=" + groups + ", weight of size "
                    + Shape.format(weight.shape()) + " expects input with " + (long) weight.size(1) * groups
                    + " channels and out_channels divisible by " + groups + ", but input " + Shape.format(s)
                    + " has " + s[1] + " channels");
        }
        checkBias("conv2d", input, bias, cout);
        int[] st = pair("conv2d", "stride", stride, 1);
        int[] pd = pair("conv2d", "padding", padding, 0);
        int[] dl = pair("conv2d", "dilation", dilation, 1);
        Window2d w = new Window2d(weight.size(2), weight.size(3), st[0], st[1], pd[0], pd[1], dl[0], dl[1]);
        int oh = w.outHeight(s[2]);
        int ow = w.outWidth(s[3]);
        checkOutput("conv2d", s, w, oh, ow);
        return new ConvPlan(s[0], s[1], s[2], s[3], cout, groups, w, oh, ow);
    }

    // ---- max_pool2d --------------------------------------------------------------------------------------------

    /** Max over each window; padding counts as -inf. {@code stride} null or empty means the kernel size. */
    public static Tensor maxPool2d(Tensor input, int[] kernel, int[] stride, int[] padding) {
        return maxPool2dWithIndices(input, kernel, stride, padding)[0];
    }

    /** {@link #maxPool2d} with PyTorch's {@code dilation} between taps and {@code ceil_mode}. */
    public static Tensor maxPool2d(Tensor input, int[] kernel, int[] stride, int[] padding, int[] dilation,
                                   boolean ceilMode) {
        return maxPool2dWithIndices(input, kernel, stride, padding, dilation, ceilMode)[0];
    }

    /** {@link #maxPool2d} and the INT64 flat position (y * W + x) of each max within its input plane. */
    public static Tensor[] maxPool2dWithIndices(Tensor input, int[] kernel, int[] stride, int[] padding) {
        return maxPool2dWithIndices(input, kernel, stride, padding, new int[] {1, 1}, false);
    }

    /** {@link #maxPool2dWithIndices} with {@code dilation} and {@code ceil_mode}. */
    public static Tensor[] maxPool2dWithIndices(Tensor input, int[] kernel, int[] stride, int[] padding,
                                                int[] dilation, boolean ceilMode) {
        checkImages3or4("max_pool2d", input);
        if (input.dim() == 3) {
            Tensor[] r = maxPool2dWithIndices(ShapeOps.unsqueeze(input, 0), kernel, stride, padding, dilation,
                    ceilMode);
            return new Tensor[] {ShapeOps.squeeze(r[0], 0), ShapeOps.squeeze(r[1], 0)};
        }
        Window2d w = poolWindow("max_pool2d", input, kernel, stride, padding, dilation, ceilMode);
        int[] s = input.shape();
        int[] os = {s[0], s[1], w.outHeight(s[2]), w.outWidth(s[3])};
        Tensor out = Tensor.empty(input.dtype(), input.device(), os);
        Tensor idx = Tensor.empty(DType.INT64, input.device(), os);
        input.backend().conv().maxPool2d(input.memory(), input.layout(), input.dtype(), w, out.memory(),
                out.layout(), idx.memory(), idx.layout());
        if (Autograd.needsGrad(input)) {
            Autograd.record("MaxPool2DWithIndicesBackward", out, new Tensor[] {input}, new Tensor[] {idx},
                    (node, g) -> {
                        Tensor gi = Tensor.empty(g.dtype(), g.device(), s);
                        Tensor ix = node.saved(0);
                        g.backend().conv().maxPool2dBackward(g.memory(), g.layout(), ix.memory(), ix.layout(),
                                g.dtype(), gi.memory(), gi.layout());
                        return new Tensor[] {gi};
                    });
        }
        return new Tensor[] {out, idx};
    }

    // ---- avg_pool2d --------------------------------------------------------------------------------------------

    /** Mean over each window; {@code countIncludePad} divides by the padded window size, else by the real one. */
    public static Tensor avgPool2d(Tensor input, int[] kernel, int[] stride, int[] padding, boolean countIncludePad) {
        return avgPool2d(input, kernel, stride, padding, countIncludePad, false);
    }

    /** {@link #avgPool2d} with PyTorch's {@code ceil_mode}. */
    public static Tensor avgPool2d(Tensor input, int[] kernel, int[] stride, int[] padding, boolean countIncludePad,
                                   boolean ceilMode) {
        checkImages3or4("avg_pool2d", input);
        if (input.dim() == 3) {
            return ShapeOps.squeeze(avgPool2d(ShapeOps.unsqueeze(input, 0), kernel, stride, padding,
                    countIncludePad, ceilMode), 0);
        }
        Window2d w = poolWindow("avg_pool2d", input, kernel, stride, padding, new int[] {1, 1}, ceilMode);
        int[] s = input.shape();
        Tensor out = Tensor.empty(input.dtype(), input.device(), s[0], s[1], w.outHeight(s[2]), w.outWidth(s[3]));
        input.backend().conv().avgPool2d(input.memory(), input.layout(), input.dtype(), w, countIncludePad,
                out.memory(), out.layout());
        if (!Autograd.needsGrad(input)) {
            return out;
        }
        return Autograd.record("AvgPool2DBackward", out, new Tensor[] {input}, new Tensor[0], (node, g) -> {
            Tensor gi = Tensor.empty(g.dtype(), g.device(), s);
            g.backend().conv().avgPool2dBackward(g.memory(), g.layout(), g.dtype(), w, countIncludePad,
                    gi.memory(), gi.layout());
            return new Tensor[] {gi};
        });
    }

    // ---- adaptive_avg_pool2d -----------------------------------------------------------------------------------

    /** Mean over PyTorch's adaptive bins so that the output is (N, C, outputSize[0], outputSize[1]). */
    public static Tensor adaptiveAvgPool2d(Tensor input, int[] outputSize) {
        checkImages3or4("adaptive_avg_pool2d", input);
        if (input.dim() == 3) {
            return ShapeOps.squeeze(adaptiveAvgPool2d(ShapeOps.unsqueeze(input, 0), outputSize), 0);
        }
        checkImages("adaptive_avg_pool2d", input);
        checkFloating("adaptive_avg_pool2d", input, input);
        int[] o = pair("adaptive_avg_pool2d", "output_size", outputSize, -1);
        int[] s = input.shape();
        if (o[0] <= 0 || o[1] <= 0 || s[2] == 0 || s[3] == 0) {
            throw new IllegalArgumentException("adaptive_avg_pool2d: expected output_size > 0 and an input with "
                    + "non-zero height and width, got output_size " + Shape.format(o) + " for input "
                    + Shape.format(s));
        }
        Tensor out = Tensor.empty(input.dtype(), input.device(), s[0], s[1], o[0], o[1]);
        input.backend().conv().adaptiveAvgPool2d(input.memory(), input.layout(), input.dtype(), out.memory(),
                out.layout());
        if (!Autograd.needsGrad(input)) {
            return out;
        }
        return Autograd.record("AdaptiveAvgPool2DBackward", out, new Tensor[] {input}, new Tensor[0], (node, g) -> {
            Tensor gi = Tensor.empty(g.dtype(), g.device(), s);
            g.backend().conv().adaptiveAvgPool2dBackward(g.memory(), g.layout(), g.dtype(), gi.memory(),
                    gi.layout());
            return new Tensor[] {gi};
        });
    }

    // ---- argument checks ---------------------------------------------------------------------------------------

    private static Window2d poolWindow(String op, Tensor input, int[] kernel, int[] stride, int[] padding,
                                       int[] dilation, boolean ceil) {
        checkImages(op, input);
        checkFloating(op, input, input);
        int[] k = pair(op, "kernel_size", kernel, -1);
        int[] st = stride == null || stride.length == 0 ? k : pair(op, "stride", stride, 1);
        int[] pd = pair(op, "padding", padding, 0);
        int[] dl = pair(op, "dilation", dilation, 1);
        if (pd[0] > k[0] / 2 || pd[1] > k[1] / 2) {
            throw new IllegalArgumentException(op + ": pad should be at most half of kernel size, but got padding "
                    + Shape.format(pd) + " for kernel_size " + Shape.format(k));
        }
        Window2d w = new Window2d(k[0], k[1], st[0], st[1], pd[0], pd[1], dl[0], dl[1], ceil);
        int[] s = input.shape();
        checkOutput(op, s, w, w.outHeight(s[2]), w.outWidth(s[3]));
        return w;
    }

    /** One value for both spatial dims or two (height, width); {@code min} is the smallest allowed value. */
    private static int[] pair(String op, String name, int[] v, int min) {
        if (v == null || (v.length != 1 && v.length != 2)) {
            throw new IllegalArgumentException(op + ": " + name + " must have 1 or 2 values, got "
                    + (v == null ? "null" : Shape.format(v)));
        }
        int[] p = v.length == 1 ? new int[] {v[0], v[0]} : v.clone();
        int lowest = min < 0 ? 1 : min;
        if (p[0] < lowest || p[1] < lowest) {
            throw new IllegalArgumentException(op + ": " + name + " must be >= " + lowest + ", got "
                    + Shape.format(p));
        }
        return p;
    }

    private static void checkImages3or4(String op, Tensor input) {
        if (input == null || input.dim() != 3) {
            checkImages(op, input);
        }
    }

    private static void checkImages(String op, Tensor input) {
        if (input == null) {
            throw new IllegalArgumentException(op + ": input must not be null");
        }
        if (input.dim() != 4) {
            throw new IllegalArgumentException(op + ": expected input with 4 dims (N, C, H, W) or 3 dims (C, H, W), "
                    + "got " + Shape.format(input.shape()));
        }
    }

    private static void checkFloating(String op, Tensor a, Tensor b) {
        if (a == null || b == null) {
            throw new IllegalArgumentException(op + ": tensors must not be null, got " + a + " and " + b);
        }
        if (!a.dtype().isFloatingPoint() || a.dtype() != b.dtype()) {
            throw new IllegalArgumentException(op + ": expected floating tensors of one dtype, got "
                    + a.dtype().torchName() + " and " + b.dtype().torchName());
        }
        if (!a.device().equals(b.device())) {
            throw new IllegalArgumentException(op + ": expected tensors on one device, got " + a.device() + " and "
                    + b.device());
        }
    }

    /** A bias, when there is one, is a floating (cout) tensor like the input. */
    private static void checkBias(String op, Tensor input, Tensor bias, int cout) {
        if (bias == null) {
            return;
        }
        checkFloating(op, input, bias);
        if (bias.dim() != 1 || bias.size(0) != cout) {
            throw new IllegalArgumentException(op + ": expected bias of shape (" + cout + "), got "
                    + Shape.format(bias.shape()));
        }
    }

    private static void checkOutput(String op, int[] s, Window2d w, int oh, int ow) {
        if (oh <= 0 || ow <= 0) {
            throw new IllegalArgumentException(op + ": input " + Shape.format(s) + " with kernel (" + w.kh() + ", "
                    + w.kw() + "), stride (" + w.sh() + ", " + w.sw() + "), padding (" + w.ph() + ", " + w.pw()
                    + "), dilation (" + w.dh() + ", " + w.dw() + ") gives output size (" + oh + ", " + ow
                    + "); output size must be > 0");
        }
    }
}
