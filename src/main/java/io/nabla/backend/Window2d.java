package io.nabla.backend;

/**
 * A sliding window over the two spatial dimensions (height, width) of an NCHW tensor: kernel size, stride, zero
 * (or -inf, for max pooling) padding on both sides, and dilation between kernel taps. Output sizes follow
 * PyTorch: {@code floor((in + 2 * pad - dilation * (kernel - 1) - 1) / stride) + 1}, or with {@code ceil} (pooling's
 * {@code ceil_mode}) the division rounded up, less one where the last window would start past the input and its
 * left padding. A window of ceil mode may run past the right padding; kernels clip it there (and average pooling
 * divides by the part inside the padded input, as PyTorch does).
 */
public record Window2d(int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw, boolean ceil) {

    /** A window of floor mode. */
    public Window2d(int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw) {
        this(kh, kw, sh, sw, ph, pw, dh, dw, false);
    }

    public Window2d {
        if (kh <= 0 || kw <= 0 || sh <= 0 || sw <= 0 || dh <= 0 || dw <= 0 || ph < 0 || pw < 0) {
            throw new IllegalArgumentException("window needs kernel, stride and dilation > 0 and padding >= 0, got "
                    + "kernel (" + kh + ", " + kw + "), stride (" + sh + ", " + sw + "), padding (" + ph + ", " + pw
                    + "), dilation (" + dh + ", " + dw + ")");
        }
    }

    /** A window without dilation (pooling). */
    public static Window2d of(int kh, int kw, int sh, int sw, int ph, int pw) {
        return new Window2d(kh, kw, sh, sw, ph, pw, 1, 1);
    }

    /** Output height for an input of height {@code h} (may be <= 0 when the window does not fit). */
    public int outHeight(int h) {
        return saturated(outSize(h, kh, sh, ph, dh, ceil));
    }

    public int outWidth(int w) {
        return saturated(outSize(w, kw, sw, pw, dw, ceil));
    }

    /** The size as an int that keeps its sign (a window wider than 2^31 rows must not wrap to a positive size). */
    private static int saturated(long size) {
        return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, size));
    }

    /**
     * PyTorch's {@code pooling_output_shape} (which conv shares in floor mode), in 64 bits: a window far wider
     * than the input gives a large negative size, which an int could wrap.
     */
    public static long outSize(int in, int k, int s, int p, int d, boolean ceil) {
        long span = (long) d * (k - 1) + 1;
        long out = Math.floorDiv(in + 2L * p - span + (ceil ? s - 1 : 0), s) + 1;
        if (ceil && (out - 1) * s >= in + (long) p) {
            out--; // the last window must start inside the input or its left padding
        }
        return out;
    }

    /**
     * The first tap inside the input (row or column index >= 0) of the window of output {@code o} along a dim with
     * stride {@code s}, padding {@code p} and dilation {@code d}: the window's start moved past the padding in whole
     * steps of d at once (stepping one at a time took seconds for a window of 2^31 taps). At least the input's size
     * when no tap lies inside it.
     */
    public static long firstTap(int o, int s, int p, int d) {
        long start = (long) o * s - p;
        return start >= 0 ? start : start + (-start + d - 1) / d * (long) d;
    }

    /** One past the window's last tap of output {@code o}, clipped to the dim's size {@code size}. */
    public static long tapsEnd(int o, int s, int p, int k, int d, int size) {
        return Math.min((long) o * s - p + (long) (k - 1) * d + 1, size);
    }

    /** Number of kernel taps, {@code kh * kw}. */
    public int taps() {
        return kh * kw;
    }
}
