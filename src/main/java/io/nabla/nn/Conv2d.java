package io.nabla.nn;

import io.nabla.autograd.ConvOps;
import io.nabla.autograd.IndexOps;
import io.nabla.autograd.ShapeOps;
import io.nabla.backend.DType;
import io.nabla.backend.HostAllocator;
import io.nabla.tensor.Shape;
import io.nabla.tensor.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * {@code torch.nn.Conv2d(in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
 * bias=True, padding_mode='zeros')}. {@code weight} is (out_channels, in_channels / groups, kh, kw), initialised with
 * {@code kaiming_uniform_(a=sqrt(5))}, then {@code bias} (out_channels) uniform in +-1/sqrt(fan_in).
 *
 * <p>{@code padding} may also be PyTorch's {@code "valid"} (none) or {@code "same"} (stride 1 only; the output has
 * the input's height and width): a dim whose total padding {@code dilation (kernel - 1)} is odd gets the extra row
 * or column at the end, as PyTorch pads it. With zero padding that dim is convolved with the larger padding on both
 * sides and its first output row (column) is left out, a view: the same values and gradients as padding the input
 * unevenly.
 *
 * <p>{@code padding_mode} {@code "reflect"}, {@code "replicate"} or {@code "circular"} pads the input first, as
 * PyTorch's {@code F.pad} does, by selecting its rows and columns ({@code index_select}, whose gradient adds back into
 * the rows it read), then convolves without padding. Reflection needs each side's padding below the input's size,
 * circular padding at most that size, as in PyTorch.
 */
public final class Conv2d extends Module {

    /** PyTorch's padding modes. */
    public static final List<String> PADDING_MODES = List.of("zeros", "reflect", "replicate", "circular");

    private final int inChannels;
    private final int outChannels;
    private final int[] kernel;
    private final int[] stride;
    /** Padding before (top, left) and after (bottom, right) the input, per dim. */
    private final int[] before;
    private final int[] after;
    /** {@code "same"} or {@code "valid"} when given so, else null. */
    private final String paddingName;
    private final String paddingMode;
    private final int[] dilation;
    private final int groups;
    private final Parameter weight;
    private final Parameter bias;

    public Conv2d(int inChannels, int outChannels, int[] kernelSize, int[] stride, int[] padding, int[] dilation,
                  int groups, boolean bias, Generator g) {
        this(inChannels, outChannels, kernelSize, stride, padding, null, dilation, groups, bias, "zeros", g);
    }

    /** With {@code padding} {@code "valid"} or {@code "same"}, as PyTorch takes it. */
    public Conv2d(int inChannels, int outChannels, int[] kernelSize, int[] stride, String padding, int[] dilation,
                  int groups, boolean bias, Generator g) {
        this(inChannels, outChannels, kernelSize, stride, null, padding, dilation, groups, bias, "zeros", g);
    }

    /**
     * Every argument of PyTorch's: the padding as integers ({@code paddingName} null) or as {@code "valid"} /
     * {@code "same"} ({@code padding} null), and a {@code paddingMode} of {@link #PADDING_MODES}.
     */
    public Conv2d(int inChannels, int outChannels, int[] kernelSize, int[] stride, int[] padding, String paddingName,
                  int[] dilation, int groups, boolean bias, String paddingMode, Generator g) {
        checkChannels(inChannels, outChannels, groups, paddingMode);
        Layers.checkPositive("kernel_size", kernelSize);
        Layers.checkPositive("stride", stride);
        Layers.checkPositive("dilation", dilation);
        int[][] sides = sides(padding, paddingName, kernelSize, stride, dilation);
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernel = kernelSize.clone();
        this.stride = stride.clone();
        this.before = sides[0];
        this.after = sides[1];
        this.paddingName = paddingName;
        this.paddingMode = paddingMode;
        this.dilation = dilation.clone();
        this.groups = groups;
        Parameter[] wb = registerWeightAndBias(new int[] {outChannels, inChannels / groups, kernel[0], kernel[1]}, bias, g);
        this.weight = wb[0];
        this.bias = wb[1];
    }

    /** The channel counts, groups and padding mode of a convolution (Conv1d's too), as PyTorch checks them. */
    static void checkChannels(int inChannels, int outChannels, int groups, String paddingMode) {
        Layers.checkPositive("in_channels", inChannels);
        Layers.checkPositive("out_channels", outChannels);
        Layers.checkPositive("groups", groups);
        if (!PADDING_MODES.contains(paddingMode)) {
            throw new IllegalArgumentException("padding_mode: expected one of " + PADDING_MODES + ", got "
                    + (paddingMode == null ? "null" : "\"" + paddingMode + "\""));
        }
        if (inChannels % groups != 0) {
            throw new IllegalArgumentException("in_channels must be divisible by groups: in_channels " + inChannels
                    + ", groups " + groups);
        }
        if (outChannels % groups != 0) {
            throw new IllegalArgumentException("out_channels must be divisible by groups: out_channels "
                    + outChannels + ", groups " + groups);
        }
    }

    /** The padding before and after the input per dim that the integers, {@code "valid"} or {@code "same"} mean. */
    static int[][] sides(int[] padding, String name, int[] kernel, int[] stride, int[] dilation) {
        if (name == null) {
            if (padding == null) {
                throw new IllegalArgumentException("padding: expected non-negative integers, \"valid\" or \"same\", "
                        + "got null");
            }
            Layers.checkNonNegative("padding", padding);
            return new int[][] {padding.clone(), padding.clone()};
        }
        if ("valid".equals(name)) {
            return new int[][] {{0, 0}, {0, 0}};
        }
        if (!"same".equals(name)) {
            throw new IllegalArgumentException("padding: expected \"valid\", \"same\" or non-negative integers, got "
                    + "\"" + name + "\"");
        }
        if (stride[0] != 1 || stride[1] != 1) {
            throw new IllegalArgumentException("padding: padding='same' is not supported for strided convolutions, "
                    + "got stride " + tuple(stride));
        }
        int[] before = new int[2];
        int[] after = new int[2];
        for (int d = 0; d < 2; d++) {
            long total = (long) dilation[d] * (kernel[d] - 1);
            if (total >= Integer.MAX_VALUE) {
                throw new IllegalArgumentException("padding: padding='same' with kernel_size " + tuple(kernel)
                        + " and dilation " + tuple(dilation) + " needs " + total + " rows or columns of padding");
            }
            before[d] = (int) (total / 2);
            after[d] = (int) (total - total / 2);
        }
        return new int[][] {before, after};
    }

    public Parameter weight() {
        return weight;
    }

    public Parameter bias() {
        return bias;
    }

    @Override
    public Tensor forward(Tensor input) {
        return convolve(input, weight.tensor(), bias == null ? null : bias.tensor(), stride, before, after, dilation,
                groups, paddingMode, DIM_NAMES);
    }

    private static final String[] DIM_NAMES = {"height", "width"};

    /**
     * The convolution of a (C, H, W) or (N, C, H, W) input with padding {@code before} and {@code after} each of
     * the two dims in {@code paddingMode}; {@code dimNames} name the dims in errors. Conv1d runs through here too.
     */
    static Tensor convolve(Tensor input, Tensor w, Tensor b, int[] stride, int[] before, int[] after, int[] dilation,
                           int groups, String paddingMode, String[] dimNames) {
        if (!paddingMode.equals("zeros")) {
            Tensor x = input;
            for (int d = 0; d < 2; d++) {
                if (before[d] > 0 || after[d] > 0) {
                    int dim = x.dim() - 2 + d;
                    x = IndexOps.indexSelect(x, dim, padIndex(x, dim, paddingMode, before[d], after[d],
                            dimNames[d]).toDevice(x.device()));
                }
            }
            return ConvOps.conv2d(x, w, b, stride, new int[2], dilation, groups);
        }
        // zeros: the larger side's padding on both sides, and the first output row or column left out
        Tensor out = ConvOps.conv2d(input, w, b, stride, after, dilation, groups);
        for (int d = 0; d < 2; d++) {
            if (after[d] > before[d]) {
                int dim = out.dim() - 2 + d;
                out = ShapeOps.narrow(out, dim, after[d] - before[d], out.size(dim) - (after[d] - before[d]));
            }
        }
        return out;
    }

    /**
     * The rows (columns) of dim {@code dim} of {@code x} that {@code mode} reads when that dim is padded by
     * {@code before} and {@code after}: an INT64 tensor off the Java heap, whose size and the padded input's are
     * checked before either is allocated.
     */
    static Tensor padIndex(Tensor x, int dim, String mode, int before, int after, String dimName) {
        int n = x.size(dim);
        checkPaddable(mode, before, after, n, dimName);
        long padded = paddedSize(n, before, after, dimName);
        long others = n == 0 ? 0 : x.numel() / n;
        long bytes = Math.max(padded * Long.BYTES, others * padded * x.dtype().itemSize());
        if (bytes > HostAllocator.MAX_BLOCK_BYTES) {
            throw new IllegalArgumentException("padding_mode '" + mode + "': the input " + Shape.format(x.shape())
                    + " padded to " + padded + " in its " + dimName + " needs " + bytes + " bytes, more than the "
                    + HostAllocator.MAX_BLOCK_BYTES + " a tensor holds");
        }
        Tensor index = Tensor.empty(DType.INT64, (int) padded);
        java.nio.LongBuffer at = index.memory().hostBuffer().duplicate().order(java.nio.ByteOrder.nativeOrder())
                .asLongBuffer();
        for (int i = 0; i < padded; i++) {
            long p = i - (long) before;
            at.put(i, switch (mode) {
                case "reflect" -> p < 0 ? -p : p >= n ? 2L * (n - 1) - p : p;
                case "replicate" -> Math.min(Math.max(p, 0), n - 1);
                default -> Math.floorMod(p, (long) n); // circular
            });
        }
        return index;
    }

    /** {@code n + before + after}, which must fit a dim's size (an int). */
    private static long paddedSize(int n, int before, int after, String dimName) {
        long padded = (long) n + before + after;
        if (padded > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("the " + dimName + " of " + n + " padded by (" + before + ", " + after
                    + ") would be " + padded + ", more than the largest size of a dim, " + Integer.MAX_VALUE);
        }
        return padded;
    }

    /** PyTorch's limits of reflect and circular padding, for a dim of size {@code n} (-1: not known yet). */
    private static void checkPaddable(String mode, int before, int after, int n, String dim) {
        boolean reflect = mode.equals("reflect");
        boolean circular = mode.equals("circular");
        if (n == -1 || !(reflect || circular)) {
            return;
        }
        if (reflect ? before >= n || after >= n : before > n || after > n) {
            throw new IllegalArgumentException("padding_mode '" + mode + "' needs the " + dim + "'s padding ("
                    + before + ", " + after + ") to be " + (reflect ? "smaller than" : "at most") + " the "
                    + dim + " of the input, " + n);
        }
    }

    /** An unbatched (C, H, W) input has its channels, which the convolution mixes, in dimension 0. */
    @Override
    public boolean rowsIndependent(int[] in) {
        return in.length == 4;
    }

    /** (N, C_in, H, W) -> (N, C_out, H_out, W_out); the batch dim may be absent. */
    @Override
    public int[] outputShape(int[] in) {
        return outputShape(in, Layers.channelDim2d(in, "Conv2d"), inChannels, outChannels, kernel, stride, before,
                after, dilation, paddingMode, DIM_NAMES);
    }

    /** The output shape of {@link #convolve} for an input shape whose channel dim is {@code c}. */
    static int[] outputShape(int[] in, int c, int inChannels, int outChannels, int[] kernel, int[] stride,
                             int[] before, int[] after, int[] dilation, String paddingMode, String[] names) {
        if (!Layers.fits(in[c], inChannels)) {
            throw new IllegalArgumentException("expected " + inChannels + " input channels (in_channels), got "
                    + in[c] + " in " + Shape.format(in));
        }
        int[] out = in.clone();
        out[c] = outChannels;
        for (int d = 0; d < 2; d++) {
            int size = in[c + 1 + d];
            if (!paddingMode.equals("zeros")) {
                checkPaddable(paddingMode, before[d], after[d], size, names[d]);
                out[c + 1 + d] = Layers.windowOutput(names[d], size == -1 ? -1
                        : (int) paddedSize(size, before[d], after[d], names[d]), kernel[d], stride[d], 0, dilation[d]);
            } else {
                int o = Layers.windowOutput(names[d], size, kernel[d], stride[d], after[d], dilation[d]);
                out[c + 1 + d] = o == -1 ? -1 : o - (after[d] - before[d]);
            }
        }
        return out;
    }

    @Override
    protected String extraRepr() {
        return inChannels + ", " + outChannels + ", kernel_size=" + tuple(kernel) + ", stride=" + tuple(stride)
                + (paddingName != null ? ", padding=" + paddingName
                    : Arrays.equals(before, new int[2]) ? "" : ", padding=" + tuple(before))
                + (Arrays.equals(dilation, new int[] {1, 1}) ? "" : ", dilation=" + tuple(dilation))
                + (groups == 1 ? "" : ", groups=" + groups) + (bias == null ? ", bias=False" : "")
                + (paddingMode.equals("zeros") ? "" : ", padding_mode=" + paddingMode);
    }

    static String tuple(int[] p) {
        return "(" + p[0] + ", " + p[1] + ")";
    }
}
