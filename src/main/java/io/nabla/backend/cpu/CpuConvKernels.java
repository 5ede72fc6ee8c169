package io.nabla.backend.cpu;

import io.nabla.backend.DType;
import io.nabla.backend.Layout;
import io.nabla.backend.Memory;
import io.nabla.backend.Window2d;
import io.nabla.backend.reference.ReferenceConvKernels;

/**
 * Host {@link io.nabla.backend.ConvKernels}: FP32/FP64 loops over (image, channel) planes spread across the
 * engine's pool; each plane is written by one task only, so results do not depend on the thread count. Other
 * dtypes take the reference loops. (A kernel collection: the loops mirror the reference ones and stay together.)
 */
public class CpuConvKernels extends ReferenceConvKernels {

    /** Work (elements touched) a task should get at least. */
    private static final long TASK_WORK = 1 << 15;

    /** The (image, channel) planes [from, to) of an N x C grid; {@code c} is the channel count. */
    @FunctionalInterface
    private interface PlaneBody {
        void run(int n, int c);
    }

    private static void forPlanes(int[] nchw, long workPerPlane, PlaneBody body) {
        long planes = (long) nchw[0] * nchw[1];
        long work = Math.max(1, workPerPlane);
        long grain = Math.max(1, TASK_WORK / work);
        int channels = nchw[1];
        Parallel.forChunks(planes, grain, work, (chunk, from, to) -> {
            for (long p = from; p < to; p++) {
                body.run((int) (p / channels), (int) (p % channels));
            }
        });
    }

    @Override
    protected void computeIm2col(Memory in, Layout il, DType dt, Window2d w, Memory cols, Layout cl) {
        HostArray src = HostArray.of(in, dt);
        HostArray dst = HostArray.of(cols, dt);
        if (src == null) {
            super.computeIm2col(in, il, dt, w, cols, cl);
            return;
        }
        int[] s = il.shape();
        int oh = w.outHeight(s[2]);
        int ow = w.outWidth(s[3]);
        int[] is = il.strides();
        int[] cs = cl.strides();
        forPlanes(s, (long) w.taps() * oh * ow, (n, c) -> {
            long img = at(il, n, c, 0, 0);
            for (int i = 0; i < w.kh(); i++) {
                for (int j = 0; j < w.kw(); j++) {
                    long row = cl.offset() + (long) n * cs[0] + (long) ((c * w.kh() + i) * w.kw() + j) * cs[1];
                    // output columns ox in [lo, hi) read inside the image row; the rest is padding
                    int shift = j * w.dw() - w.pw();
                    int lo = Math.min(ow, Math.max(0, ceilDiv(-shift, w.sw())));
                    int hi = Math.max(lo, Math.min(ow, ceilDiv(s[3] - shift, w.sw())));
                    boolean runs = w.sw() == 1 && is[3] == 1 && cs[2] == 1;
                    for (int oy = 0; oy < oh; oy++) {
                        int y = oy * w.sh() - w.ph() + i * w.dh();
                        long out = row + (long) oy * ow * cs[2];
                        if (y < 0 || y >= s[2]) {
                            fillZero(dst, out, ow, cs[2]);
                            continue;
                        }
                        long line = img + (long) y * is[2];
                        fillZero(dst, out, lo, cs[2]);
                        fillZero(dst, out + (long) hi * cs[2], ow - hi, cs[2]);
                        if (runs) {
                            dst.copy(src, line + lo + shift, out + lo, hi - lo);
                            continue;
                        }
                        for (int ox = lo; ox < hi; ox++) {
                            dst.set(out + (long) ox * cs[2], src.get(line + (long) (ox * w.sw() + shift) * is[3]));
                        }
                    }
                }
            }
        });
    }

    @Override
    protected void computeCol2im(Memory cols, Layout cl, DType dt, Window2d w, Memory out, Layout ol) {
        HostArray src = HostArray.of(cols, dt);
        HostArray dst = HostArray.of(out, dt);
        if (src == null) {
            super.computeCol2im(cols, cl, dt, w, out, ol);
            return;
        }
        int[] s = ol.shape();
        int oh = w.outHeight(s[2]);
        int ow = w.outWidth(s[3]);
        int[] os = ol.strides();
        int[] cs = cl.strides();
        forPlanes(s, (long) w.taps() * oh * ow, (n, c) -> {
            long img = at(ol, n, c, 0, 0);
            zeroPlane(dst, img, s[2], s[3], os);
            for (int i = 0; i < w.kh(); i++) {
                for (int j = 0; j < w.kw(); j++) {
                    long row = cl.offset() + (long) n * cs[0] + (long) ((c * w.kh() + i) * w.kw() + j) * cs[1];
                    int shift = j * w.dw() - w.pw();
                    int lo = Math.min(ow, Math.max(0, ceilDiv(-shift, w.sw())));
                    int hi = Math.max(lo, Math.min(ow, ceilDiv(s[3] - shift, w.sw())));
                    boolean runs = w.sw() == 1 && os[3] == 1 && cs[2] == 1;
                    for (int oy = 0; oy < oh; oy++) {
                        int y = oy * w.sh() - w.ph() + i * w.dh();
                        if (y < 0 || y >= s[2]) {
                            continue;
                        }
                        long in = row + (long) oy * ow * cs[2];
                        long line = img + (long) y * os[2];
                        if (runs) {
                            dst.addRange(src, in + lo, line + lo + shift, hi - lo);
                            continue;
                        }
                        for (int ox = lo; ox < hi; ox++) {
                            dst.add(line + (long) (ox * w.sw() + shift) * os[3], src.get(in + (long) ox * cs[2]));
                        }
                    }
                }
            }
        });
    }

    /** Smallest integer >= a / b for b > 0. */
    private static int ceilDiv(int a, int b) {
        return -Math.floorDiv(-a, b);
    }

    private static void fillZero(HostArray a, long from, int count, int stride) {
        if (stride == 1) {
            a.zero(from, Math.max(0, count));
            return;
        }
        for (int k = 0; k < count; k++) {
            a.set(from + (long) k * stride, 0);
        }
    }

    private static void zeroPlane(HostArray a, long base, int h, int w, int[] strides) {
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                a.set(base + (long) y * strides[2] + (long) x * strides[3], 0);
            }
        }
    }

    @Override
    protected void computeMaxPool2d(Memory in, Layout il, DType dt, Window2d w, Memory out, Layout ol,
                                    Memory indices, Layout xl) {
        HostArray src = HostArray.of(in, dt);
        HostArray dst = HostArray.of(out, dt);
        if (src == null) {
            super.computeMaxPool2d(in, il, dt, w, out, ol, indices, xl);
            return;
        }
        if (dt == DType.FP32 && w.kh() == 2 && w.kw() == 2 && w.ph() == 0 && w.pw() == 0 && w.dh() == 1
                && w.dw() == 1 && !w.ceil()) { // ceil mode's last window may be partial
            maxPool2x2F(in.address(), il, w, out.address(), ol, indices.address(), xl);
            return;
        }
        java.nio.LongBuffer idx = indices.hostBuffer().asLongBuffer();
        int[] s = il.shape();
        int[] o = ol.shape();
        int[] is = il.strides();
        forPlanes(o, (long) w.kh() * w.kw() * o[2] * o[3], (n, c) -> {
            long img = at(il, n, c, 0, 0);
            for (int oy = 0; oy < o[2]; oy++) {
                for (int ox = 0; ox < o[3]; ox++) {
                    long y0 = Window2d.firstTap(oy, w.sh(), w.ph(), w.dh());
                    long x0 = Window2d.firstTap(ox, w.sw(), w.pw(), w.dw());
                    long y1 = Window2d.tapsEnd(oy, w.sh(), w.ph(), w.kh(), w.dh(), s[2]);
                    long x1 = Window2d.tapsEnd(ox, w.sw(), w.pw(), w.kw(), w.dw(), s[3]);
                    long best = y0 * s[3] + x0;
                    double max = Double.NEGATIVE_INFINITY;
                    for (long y = y0; y < y1; y += w.dh()) {
                        for (long x = x0; x < x1; x += w.dw()) {
                            double v = src.get(img + y * is[2] + x * is[3]);
                            if (v > max || Double.isNaN(v)) {
                                max = v;
                                best = y * s[3] + x;
                            }
                        }
                    }
                    dst.set(at(ol, n, c, oy, ox), max);
                    idx.put((int) at(xl, n, c, oy, ox), best);
                }
            }
        });
    }

    @Override
    protected void computeMaxPool2dBackward(Memory gradOut, Layout gl, Memory indices, Layout xl, DType dt,
                                            Memory gradIn, Layout il) {
        HostArray g = HostArray.of(gradOut, dt);
        HostArray dst = HostArray.of(gradIn, dt);
        if (g == null) {
            super.computeMaxPool2dBackward(gradOut, gl, indices, xl, dt, gradIn, il);
            return;
        }
        java.nio.LongBuffer idx = indices.hostBuffer().asLongBuffer();
        int[] s = il.shape();
        int[] o = gl.shape();
        int[] is = il.strides();
        long plane = (long) s[2] * s[3];
        boolean dense = is[3] == 1 && is[2] == s[3]; // a plane is one run: index k is its k-th element
        forPlanes(o, plane + (long) o[2] * o[3], (n, c) -> {
            long img = at(il, n, c, 0, 0);
            if (dense) {
                dst.zero(img, (int) plane);
            } else {
                zeroPlane(dst, img, s[2], s[3], is);
            }
            for (int oy = 0; oy < o[2]; oy++) {
                for (int ox = 0; ox < o[3]; ox++) {
                    long k = idx.get((int) at(xl, n, c, oy, ox));
                    if (k < 0 || k >= plane) {
                        throw new IllegalArgumentException("max_pool2d backward: index " + k + " is outside the "
                                + "input plane of " + s[2] + "x" + s[3]);
                    }
                    long pos = img + (dense ? k : (k / s[3]) * is[2] + (k % s[3]) * is[3]);
                    dst.add(pos, g.get(at(gl, n, c, oy, ox)));
                }
            }
        });
    }

    /** 1 when the FP32 bit patterns {@code a} and {@code b} compare equal as floats (+0 equals -0), else 0. */
    private static int equal(int a, int b) {
        int d = a ^ b;
        int z = (a | b) & 0x7fffffff;
        return 1 - (((d | -d) >>> 31) & ((z | -z) >>> 31));
    }

    /**
     * The max-pooling loop for the common FP32 2x2 window without padding or dilation, in straight-line code: the max by
     * {@link Math#max} (branch-free), then the first tap equal to it (the last NaN when it is NaN) picked by
     * arithmetic on 0/1 equality flags, which gives the loop's value (rounded to float) and index exactly (also the sign of a zero max).
     * The loop's compare-and-branch on random data mispredicted about every other tap: a (64, 16, 28, 28) pooling
     * took 3.3 ms on two cores, this 1.4 ms (selects written as conditional expressions still compiled to branches).
     */
    private static void maxPool2x2F(long src, Layout il, Window2d w, long dst, Layout ol, long ix, Layout xl) {
        int width = il.shape()[3];
        int[] o = ol.shape();
        long row = (long) il.strides()[2] << 2;
        long col = (long) il.strides()[3] << 2;
        long outStep = ol.strides()[3];
        long idxStep = xl.strides()[3];
        int sh = w.sh();
        int sw = w.sw();
        // in C, eight windows at a time, where the plane's rows and the output rows are contiguous
        boolean inC = NativeLoops.available() && col == 4 && sw == 2 && outStep == 1 && idxStep == 1;
        forPlanes(o, 4L * o[2] * o[3], (n, c) -> {
            long img = src + (at(il, n, c, 0, 0) << 2);
            if (inC) {
                NativeLoops.maxPool2x2(img, sh * (row >> 2), row >> 2, o[2], o[3], dst + (at(ol, n, c, 0, 0) << 2),
                        ol.strides()[2], ix + (at(xl, n, c, 0, 0) << 3), xl.strides()[2], sh, width);
                return;
            }
            for (int oy = 0; oy < o[2]; oy++) {
                long out = dst + (at(ol, n, c, oy, 0) << 2);
                long idx = ix + (at(xl, n, c, oy, 0) << 3);
                long top = img + oy * sh * row;
                for (int ox = 0; ox < o[3]; ox++) {
                    long a = top + ox * sw * col;
                    int b0 = RawMemory.getInt(a);
                    int b1 = RawMemory.getInt(a + col);
                    int b2 = RawMemory.getInt(a + row);
                    int b3 = RawMemory.getInt(a + row + col);
                    float m = Math.max(Math.max(Float.intBitsToFloat(b0), Float.intBitsToFloat(b1)),
                            Math.max(Float.intBitsToFloat(b2), Float.intBitsToFloat(b3)));
                    int k;
                    int bits;
                    if (m == m) { // the first tap equal to the max (-0 equals +0, as in the compare)
                        int mb = Float.floatToRawIntBits(m);
                        k = 3;
                        bits = b3;
                        int e2 = equal(b2, mb);
                        k += e2 * (2 - k);
                        bits += e2 * (b2 - bits);
                        int e1 = equal(b1, mb);
                        k += e1 * (1 - k);
                        bits += e1 * (b1 - bits);
                        int e0 = equal(b0, mb);
                        k -= e0 * k;
                        bits += e0 * (b0 - bits);
                    } else { // the last NaN
                        k = (b3 & 0x7fffffff) > 0x7f800000 ? 3 : (b2 & 0x7fffffff) > 0x7f800000 ? 2
                                : (b1 & 0x7fffffff) > 0x7f800000 ? 1 : 0;
                        bits = k == 3 ? b3 : k == 2 ? b2 : k == 1 ? b1 : b0;
                    }
                    RawMemory.putInt(out + ((ox * outStep) << 2), bits);
                    RawMemory.putLong(idx + ((ox * idxStep) << 3),
                            (long) (oy * sh + (k >> 1)) * width + ox * sw + (k & 1));
                }
            }
        });
    }

    @Override
    protected void computeAvgPool2d(Memory in, Layout il, DType dt, Window2d w, boolean includePad,
                                    Memory out, Layout ol) {
        HostArray img = HostArray.of(in, dt);
        HostArray pooled = HostArray.of(out, dt);
        if (img == null) {
            super.computeAvgPool2d(in, il, dt, w, includePad, out, ol);
            return;
        }
        avgPool(img, il, w, includePad, pooled, ol, false);
    }

    @Override
    protected void computeAvgPool2dBackward(Memory gradOut, Layout gl, DType dt, Window2d w, boolean includePad,
                                            Memory gradIn, Layout il) {
        HostArray pooled = HostArray.of(gradOut, dt);
        HostArray img = HostArray.of(gradIn, dt);
        if (img == null) {
            super.computeAvgPool2dBackward(gradOut, gl, dt, w, includePad, gradIn, il);
            return;
        }
        avgPool(img, il, w, includePad, pooled, gl, true);
    }

    private static void avgPool(HostArray img, Layout il, Window2d w, boolean includePad, HostArray pooled,
                                Layout pl, boolean backward) {
        int[] s = il.shape();
        int[] o = pl.shape();
        boolean twoByTwo = w.kh() == 2 && w.kw() == 2 && w.ph() == 0 && w.pw() == 0 && !w.ceil(); // whole windows
        forPlanes(o, (long) w.kh() * w.kw() * o[2] * o[3] + (backward ? (long) s[2] * s[3] : 0), (n, c) -> {
            if (backward) {
                zeroPlane(img, at(il, n, c, 0, 0), s[2], s[3], il.strides());
            }
            if (twoByTwo) {
                avgPool2x2(img, il, w, pooled, pl, backward, n, c);
                return;
            }
            for (int oy = 0; oy < o[2]; oy++) {
                for (int ox = 0; ox < o[3]; ox++) {
                    // in 64 bits, as PyTorch: a window of 2^16 x 2^16 holds more than 2^31 positions
                    long y0 = (long) oy * w.sh() - w.ph();
                    long x0 = (long) ox * w.sw() - w.pw();
                    long y1 = Math.min(y0 + w.kh(), (long) s[2] + w.ph());
                    long x1 = Math.min(x0 + w.kw(), (long) s[3] + w.pw());
                    long padded = (y1 - y0) * (x1 - x0);
                    y0 = Math.max(y0, 0);
                    x0 = Math.max(x0, 0);
                    y1 = Math.min(y1, s[2]);
                    x1 = Math.min(x1, s[3]);
                    y0 = Math.min(y0, y1); // an empty window (past the input) gives 0, as PyTorch's
                    x0 = Math.min(x0, x1);
                    long divisor = includePad ? padded : (y1 - y0) * (x1 - x0);
                    window(img, il, n, c, (int) y0, (int) y1, (int) x0, (int) x1, divisor, pooled,
                            at(pl, n, c, oy, ox), backward);
                }
            }
        });
    }

    /**
     * One plane of a 2x2 average pooling without padding (every window whole, divisor 4) in straight-line code, the
     * same adds in the same order as {@link #window}: its loops of two iterations with bounds known only at run time
     * cost more than the arithmetic.
     */
    private static void avgPool2x2(HostArray img, Layout il, Window2d w, HostArray pooled, Layout pl,
                                   boolean backward, int n, int c) {
        int[] o = pl.shape();
        int[] is = il.strides();
        long base = at(il, n, c, 0, 0);
        long row = is[2];
        long col = is[3];
        for (int oy = 0; oy < o[2]; oy++) {
            for (int ox = 0; ox < o[3]; ox++) {
                long a = base + (long) oy * w.sh() * row + (long) ox * w.sw() * col;
                long p = at(pl, n, c, oy, ox);
                if (backward) {
                    double g = pooled.get(p) / 4;
                    img.add(a, g);
                    img.add(a + col, g);
                    img.add(a + row, g);
                    img.add(a + row + col, g);
                } else {
                    double sum = 0;
                    sum += img.get(a);
                    sum += img.get(a + col);
                    sum += img.get(a + row);
                    sum += img.get(a + row + col);
                    pooled.set(p, sum / 4);
                }
            }
        }
    }

    private static void window(HostArray img, Layout il, int n, int c, int y0, int y1, int x0, int x1, long divisor,
                               HostArray pooled, long p, boolean backward) {
        int[] is = il.strides();
        long base = at(il, n, c, 0, 0);
        if (y0 == y1 || x0 == x1) {
            if (!backward) {
                pooled.set(p, 0);
            }
            return;
        }
        if (backward) {
            double g = pooled.get(p) / divisor;
            for (int y = y0; y < y1; y++) {
                for (int x = x0; x < x1; x++) {
                    img.add(base + (long) y * is[2] + (long) x * is[3], g);
                }
            }
            return;
        }
        double sum = 0;
        for (int y = y0; y < y1; y++) {
            for (int x = x0; x < x1; x++) {
                sum += img.get(base + (long) y * is[2] + (long) x * is[3]);
            }
        }
        pooled.set(p, sum / divisor);
    }

    @Override
    protected void computeAdaptiveAvgPool2d(Memory a, Layout al, DType dt, Memory b, Layout bl, boolean backward) {
        HostArray img = HostArray.of(backward ? b : a, dt);
        HostArray pooled = HostArray.of(backward ? a : b, dt);
        if (img == null) {
            super.computeAdaptiveAvgPool2d(a, al, dt, b, bl, backward);
            return;
        }
        Layout il = backward ? bl : al;
        Layout pl = backward ? al : bl;
        int[] s = il.shape();
        int[] o = pl.shape();
        forPlanes(o, (long) s[2] * s[3] * 2, (n, c) -> {
            if (backward) {
                zeroPlane(img, at(il, n, c, 0, 0), s[2], s[3], il.strides());
            }
            for (int oy = 0; oy < o[2]; oy++) {
                int y0 = binStart(oy, s[2], o[2]);
                int y1 = binEnd(oy, s[2], o[2]);
                for (int ox = 0; ox < o[3]; ox++) {
                    int x0 = binStart(ox, s[3], o[3]);
                    int x1 = binEnd(ox, s[3], o[3]);
                    window(img, il, n, c, y0, y1, x0, x1, (y1 - y0) * (x1 - x0), pooled, at(pl, n, c, oy, ox),
                            backward);
                }
            }
        });
    }
}
