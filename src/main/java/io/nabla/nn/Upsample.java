package io.nabla.nn;

import io.nabla.autograd.ConvOps;
import io.nabla.autograd.ElementwiseOps;
import io.nabla.autograd.IndexOps;
import io.nabla.autograd.ShapeOps;
import io.nabla.backend.DType;
import io.nabla.tensor.Shape;
import io.nabla.tensor.Tensor;

/**
 * {@code torch.nn.Upsample(size=None, scale_factor=None, mode="nearest", align_corners=None,
 * recompute_scale_factor=None)} and {@code UpsamplingNearest2d(size, scale_factor)}: resizing of the spatial dims of
 * an (N, C, L), (N, C, H, W) or (N, C, D, H, W) input, to {@code size} or to {@code floor(size * scale_factor)}.
 *
 * <p>{@code nearest}: output position {@code i} of a dim reads input position {@code min(floor(i * scale), in - 1)},
 * with PyTorch's float {@code scale}: {@code 1 / scale_factor} when a scale factor is given (and not recomputed), else
 * {@code in / out}; a dim that keeps its size reads itself and one that doubles reads {@code i / 2}, as PyTorch's
 * kernel. {@code linear} (3-D), {@code bilinear} (4-D) and {@code trilinear} (5-D): per dim, the last first, the two
 * neighbours of PyTorch's source position ({@code scale * i} with {@code align_corners}, else
 * {@code max(scale * (i + 0.5) - 0.5, 0)}, in float) weighted by their distances, as its kernel computes them (so a
 * bilinear output is {@code l_h0 (l_w0 x00 + l_w1 x01) + l_h1 (l_w0 x10 + l_w1 x11)}). {@code nearest-exact}: position
 * {@code min(floor((i + 0.5) * scale), in - 1)}. {@code bicubic} (4-D): the four neighbours of the cubic source
 * position with PyTorch's cubic convolution weights ({@code A = -0.75}), clamped at the edges. {@code area} (3-D, 4-D):
 * {@code adaptive_avg_pool} to the output size, as PyTorch's {@code interpolate} computes it. Runs as
 * {@code index_select}s (and weighted sums), whose gradients carry each output's gradient back to the positions it
 * read.
 */
public final class Upsample extends Module {

    /** The modes built: PyTorch's but none. */
    public static final java.util.List<String> MODES = java.util.List.of("nearest", "nearest-exact", "linear",
            "bilinear", "bicubic", "trilinear", "area");

    private final String type;
    private final int[] size;
    private final double[] scaleFactor;
    private final boolean recompute;
    private final String mode;
    private final boolean alignCorners;

    /** As below, in {@code nearest} mode. */
    public Upsample(String type, int[] size, double[] scaleFactor, boolean recomputeScaleFactor) {
        this(type, size, scaleFactor, "nearest", null, recomputeScaleFactor);
    }

    /**
     * Exactly one of {@code size} and {@code scaleFactor} is given (not null): one value for every spatial dim, or
     * one per dim. {@code type} is PyTorch's class name ({@code UpsamplingNearest2d} takes only 4-D inputs);
     * {@code alignCorners} null is PyTorch's None (false for the linear modes, and the only value nearest takes).
     */
    public Upsample(String type, int[] size, double[] scaleFactor, String mode, Boolean alignCorners,
                    boolean recomputeScaleFactor) {
        if (mode == null || !MODES.contains(mode)) {
            throw new IllegalArgumentException("mode: expected one of " + MODES + ", got \"" + mode + "\"");
        }
        if ((mode.startsWith("nearest") || mode.equals("area")) && alignCorners != null) {
            throw new IllegalArgumentException("align_corners: can only be set with the interpolating modes: linear "
                    + "| bilinear | bicubic | trilinear, got " + alignCorners + " with mode \"" + mode + "\"");
        }
        if (recomputeScaleFactor && size != null) {
            throw new IllegalArgumentException("recompute_scale_factor: is not meaningful with an explicit size");
        }
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
        this.mode = mode;
        this.alignCorners = Boolean.TRUE.equals(alignCorners);
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
        if (mode.equals("area")) { // PyTorch's interpolate(mode="area") is adaptive_avg_pool to the output size
            if (x.dim() == 3) {
                return ShapeOps.squeeze(ConvOps.adaptiveAvgPool2d(ShapeOps.unsqueeze(x, 2), new int[] {1, out[2]}), 2);
            }
            return ConvOps.adaptiveAvgPool2d(x, new int[] {out[2], out[3]});
        }
        for (int d = x.dim() - 1; d >= 2; d--) { // the last dim first: PyTorch's inner sum
            int in = input.size(d);
            int size = out[d];
            if (size == in) {
                continue;
            }
            Double scale = scaleFactor != null && !recompute ? scaleFor(d - 2) : null;
            if (mode.equals("nearest")) {
                x = IndexOps.indexSelect(x, d, positions(size, i -> sourceIndex(i, in, size, scale), x));
                continue;
            }
            if (mode.equals("nearest-exact")) {
                float ratio = scale != null ? (float) (1.0 / scale) : (float) in / size;
                x = IndexOps.indexSelect(x, d, positions(size, i -> exactSourceIndex(i, in, ratio), x));
                continue;
            }
            if (mode.equals("bicubic")) {
                x = bicubic(x, d, in, size, linearScale(in, size, alignCorners, scale));
                continue;
            }
            float ratio = linearScale(in, size, alignCorners, scale);
            // positions and weights off the heap: their sizes are the output's
            Tensor first = IndexOps.indexSelect(x, d, positions(size,
                    i -> (long) linearSource(ratio, i, alignCorners), x));
            Tensor second = IndexOps.indexSelect(x, d, positions(size, i -> {
                long i0 = (long) linearSource(ratio, i, alignCorners);
                return i0 + (i0 < in - 1 ? 1 : 0);
            }, x));
            Tensor l1 = weights(size, i -> {
                float real = linearSource(ratio, i, alignCorners);
                return Math.min(Math.max(real - (long) real, 0f), 1f);
            }, d, x);
            Tensor l0 = weights(size, i -> {
                float real = linearSource(ratio, i, alignCorners);
                return 1f - Math.min(Math.max(real - (long) real, 0f), 1f);
            }, d, x);
            x = io.nabla.autograd.ElementwiseOps.add(io.nabla.autograd.ElementwiseOps.mul(first, l0),
                    io.nabla.autograd.ElementwiseOps.mul(second, l1));
        }
        return x;
    }

    /** An INT64 index of {@code n} positions, off the heap (its size is the output's), on {@code like}'s device. */
    private static Tensor positions(int n, java.util.function.IntToLongFunction at, Tensor like) {
        Tensor index = Tensor.empty(DType.INT64, n);
        java.nio.LongBuffer b = index.memory().hostBuffer().duplicate().order(java.nio.ByteOrder.nativeOrder())
                .asLongBuffer();
        for (int i = 0; i < n; i++) {
            b.put(i, at.applyAsLong(i));
        }
        return index.toDevice(like.device());
    }

    /** Float weights lined up with dim {@code d} of {@code like}: shape (1, ..., n, ..., 1), its dtype and device. */
    private static Tensor weights(int n, java.util.function.IntFunction<Float> at, int d, Tensor like) {
        int[] shape = new int[like.dim()];
        java.util.Arrays.fill(shape, 1);
        shape[d] = n;
        Tensor w = Tensor.empty(DType.FP32, shape);
        java.nio.FloatBuffer b = w.memory().hostBuffer().duplicate().order(java.nio.ByteOrder.nativeOrder())
                .asFloatBuffer();
        for (int i = 0; i < n; i++) {
            b.put(i, at.apply(i));
        }
        return w.dataAs(like.dtype()).toDevice(like.device());
    }

    /** PyTorch's {@code area_pixel_compute_scale} in float. */
    static float linearScale(int in, int out, boolean alignCorners, Double scaleFactor) {
        if (alignCorners) {
            return out > 1 ? (float) (in - 1) / (out - 1) : 0f;
        }
        return scaleFactor != null && scaleFactor > 0 ? (float) (1.0 / scaleFactor) : (float) in / out;
    }

    /** PyTorch's {@code area_pixel_compute_source_index} (not cubic) in float. */
    static float linearSource(float scale, int i, boolean alignCorners) {
        if (alignCorners) {
            return scale * i;
        }
        float src = scale * (i + 0.5f) - 0.5f;
        return src < 0 ? 0f : src;
    }

    /** PyTorch's {@code nearest_neighbor_exact_compute_source_index}: {@code min(floor((i + 0.5) * scale), in - 1)}. */
    static long exactSourceIndex(int i, int in, float scale) {
        return Math.min((long) Math.floor((float) ((i + 0.5) * scale)), in - 1);
    }

    /**
     * Bicubic interpolation along dim {@code d} (PyTorch's {@code upsample_bicubic2d}, one dim at a time, the last
     * first, as its kernel nests them): output {@code i} reads the four inputs around {@code floor(src)} (clamped to
     * the edges) weighted by the cubic convolution coefficients of {@code t = src - floor(src)} with
     * {@code A = -0.75}, summed in order, in float; {@code src} is PyTorch's cubic source index (not clamped at 0).
     */
    private Tensor bicubic(Tensor x, int d, int in, int size, float ratio) {
        Tensor sum = null;
        for (int k = 0; k < 4; k++) {
            int tap = k;
            Tensor taps = IndexOps.indexSelect(x, d, positions(size, i -> {
                long at = (long) Math.floor(cubicSource(ratio, i)) - 1 + tap;
                return Math.min(Math.max(at, 0), in - 1);
            }, x));
            Tensor term = ElementwiseOps.mul(taps, weights(size, i -> {
                float real = cubicSource(ratio, i);
                return cubicCoefficient(real - (float) Math.floor(real), tap);
            }, d, x));
            sum = sum == null ? term : ElementwiseOps.add(sum, term);
        }
        return sum;
    }

    /** PyTorch's {@code area_pixel_compute_source_index(scale, i, align_corners, cubic=true)} in float. */
    private float cubicSource(float ratio, int i) {
        return alignCorners ? ratio * i : ratio * (i + 0.5f) - 0.5f;
    }

    /** PyTorch's {@code get_cubic_upsample_coefficients} with {@code A = -0.75}, in float: coefficient {@code k}. */
    static float cubicCoefficient(float t, int k) {
        final float a = -0.75f;
        return switch (k) {
            case 0 -> cubic2((float) (t + 1.0), a);
            case 1 -> cubic1(t, a);
            case 2 -> cubic1((float) (1.0 - t), a);
            default -> cubic2((float) ((float) (1.0 - t) + 1.0), a);
        };
    }

    private static float cubic1(float x, float a) {
        return ((a + 2) * x - (a + 3)) * x * x + 1;
    }

    private static float cubic2(float x, float a) {
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
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

    private double scaleFor(int k) {
        return scaleFactor.length == 1 ? scaleFactor[0] : scaleFactor[k];
    }

    @Override
    public int[] outputShape(int[] in) {
        boolean nearest2d = type.equals("UpsamplingNearest2d");
        if (nearest2d ? in.length != 4 : in.length < 3 || in.length > 5) {
            throw new IllegalArgumentException("expected a " + (nearest2d ? "4D (N, C, H, W)" : "3D, 4D or 5D (N, C, "
                    + "...)") + " input for " + type + ", got " + Shape.format(in));
        }
        int needs = switch (mode) {
            case "linear" -> 3;
            case "bilinear", "bicubic" -> 4;
            case "trilinear" -> 5;
            default -> in.length;
        };
        if (mode.equals("area") && in.length == 5) {
            throw new IllegalArgumentException("mode \"area\" on a 5D input (adaptive_avg_pool3d) is not built; "
                    + "expected a 3D or 4D input, got " + Shape.format(in));
        }
        if (in.length != needs) {
            throw new IllegalArgumentException("mode \"" + mode + "\" needs a " + needs + "D input, got "
                    + Shape.format(in));
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
                double s = Math.floor(in[d] * scaleFor(k));
                if (s < 1 || s > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException("scale_factor: " + scaleFor(k) + " turns the size "
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
                + ", mode='" + mode + "'";
    }
}
