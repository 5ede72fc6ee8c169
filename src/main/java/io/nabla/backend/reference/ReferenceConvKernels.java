package io.nabla.backend.reference;

import io.nabla.backend.ConvKernels;
import io.nabla.backend.DType;
import io.nabla.backend.ElementAccess;
import io.nabla.backend.Layout;
import io.nabla.backend.Memory;
import io.nabla.backend.Window2d;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Scalar reference implementation of {@link ConvKernels}: one element at a time through {@link ElementAccess}, any
 * strides, sums in double. The public methods validate the layouts and call the protected {@code compute*} hooks,
 * which fast backends override. (A kernel collection: the eight kernels and their checks stay together.)
 */
public class ReferenceConvKernels implements ConvKernels {

    // ---- validation, then the hooks -------------------------------------------------------------------------

    @Override
    public final void im2col(Memory in, Layout inLayout, DType dtype, Window2d w, Memory cols, Layout colsLayout) {
        checkCols("im2col", inLayout, w, colsLayout);
        computeIm2col(in, inLayout, dtype, w, cols, colsLayout);
    }

    @Override
    public final void col2im(Memory cols, Layout colsLayout, DType dtype, Window2d w, Memory out, Layout outLayout) {
        checkCols("col2im", outLayout, w, colsLayout);
        computeCol2im(cols, colsLayout, dtype, w, out, outLayout);
    }

    @Override
    public final void maxPool2d(Memory in, Layout inLayout, DType dtype, Window2d w, Memory out, Layout outLayout,
                                Memory indices, Layout indicesLayout) {
        checkPooled("max_pool2d", inLayout, w, outLayout);
        checkSame("max_pool2d indices", outLayout, indicesLayout);
        computeMaxPool2d(in, inLayout, dtype, w, out, outLayout, indices, indicesLayout);
    }

    @Override
    public final void maxPool2dBackward(Memory gradOut, Layout gradOutLayout, Memory indices, Layout indicesLayout,
                                        DType dtype, Memory gradIn, Layout gradInLayout) {
        check4d("max_pool2d backward", gradInLayout);
        check4d("max_pool2d backward", gradOutLayout);
        checkSame("max_pool2d backward indices", gradOutLayout, indicesLayout);
        checkPlanes("max_pool2d backward", gradInLayout, gradOutLayout);
        computeMaxPool2dBackward(gradOut, gradOutLayout, indices, indicesLayout, dtype, gradIn, gradInLayout);
    }

    @Override
    public final void avgPool2d(Memory in, Layout inLayout, DType dtype, Window2d w, boolean countIncludePad,
                                Memory out, Layout outLayout) {
        checkPooled("avg_pool2d", inLayout, w, outLayout);
        computeAvgPool2d(in, inLayout, dtype, w, countIncludePad, out, outLayout);
    }

    @Override
    public final void avgPool2dBackward(Memory gradOut, Layout gradOutLayout, DType dtype, Window2d w,
                                        boolean countIncludePad, Memory gradIn, Layout gradInLayout) {
        checkPooled("avg_pool2d backward", gradInLayout, w, gradOutLayout);
        computeAvgPool2dBackward(gradOut, gradOutLayout, dtype, w, countIncludePad, gradIn, gradInLayout);
    }

    @Override
    public final void adaptiveAvgPool2d(Memory in, Layout inLayout, DType dtype, Memory out, Layout outLayout) {
        check4d("adaptive_avg_pool2d", inLayout);
        check4d("adaptive_avg_pool2d", outLayout);
        checkPlanes("adaptive_avg_pool2d", inLayout, outLayout);
        computeAdaptiveAvgPool2d(in, inLayout, dtype, out, outLayout, false);
    }

    @Override
    public final void adaptiveAvgPool2dBackward(Memory gradOut, Layout gradOutLayout, DType dtype, Memory gradIn,
                                                Layout gradInLayout) {
        check4d("adaptive_avg_pool2d backward", gradInLayout);
        check4d("adaptive_avg_pool2d backward", gradOutLayout);
        checkPlanes("adaptive_avg_pool2d backward", gradInLayout, gradOutLayout);
        computeAdaptiveAvgPool2d(gradOut, gradOutLayout, dtype, gradIn, gradInLayout, true);
    }

    private static void check4d(String op, Layout l) {
        if (l.rank() != 4) {
            throw new IllegalArgumentException(op + ": expected a layout with 4 dims (N, C, H, W), got "
                    + fmt(l.shape()));
        }
    }

    private static void checkPlanes(String op, Layout a, Layout b) {
        if (a.shape()[0] != b.shape()[0] || a.shape()[1] != b.shape()[1]) {
            throw new IllegalArgumentException(op + ": " + fmt(a.shape()) + " and " + fmt(b.shape())
                    + " differ in batch or channels");
        }
    }

    private static void checkSame(String op, Layout a, Layout b) {
        if (!Arrays.equals(a.shape(), b.shape())) {
            throw new IllegalArgumentException(op + ": expected shape " + fmt(a.shape()) + ", got " + fmt(b.shape()));
        }
    }

    private static void checkPooled(String op, Layout in, Window2d w, Layout out) {
        check4d(op, in);
        int[] s = in.shape();
        int[] expected = {s[0], s[1], w.outHeight(s[2]), w.outWidth(s[3])};
        checkSame(op + " output", new Layout(expected, new int[4], 0), out);
    }

    private static void checkCols(String op, Layout image, Window2d w, Layout cols) {
        check4d(op, image);
        int[] s = image.shape();
        int oh = w.outHeight(s[2]);
        int ow = w.outWidth(s[3]);
        if (oh <= 0 || ow <= 0) {
            throw new IllegalArgumentException(op + ": window " + w + " leaves no output for input " + fmt(s));
        }
        int[] expected = {s[0], Math.multiplyExact(s[1], w.taps()), Math.multiplyExact(oh, ow)};
        checkSame(op + " columns", new Layout(expected, new int[3], 0), cols);
    }

    protected static String fmt(int[] shape) {
        return Arrays.toString(shape).replace('[', '(').replace(']', ')');
    }

    /** Element offset of {@code (n, c, y, x)} in a 4-dim layout. */
    protected static long at(Layout l, int n, int c, int y, int x) {
        int[] s = l.strides();
        return l.offset() + (long) n * s[0] + (long) c * s[1] + (long) y * s[2] + (long) x * s[3];
    }

    // ---- the scalar loops ------------------------------------------------------------------------------------

    protected void computeIm2col(Memory in, Layout inLayout, DType dtype, Window2d w, Memory cols,
                                 Layout colsLayout) {
        fold(in.hostBuffer(), inLayout, dtype, w, cols.hostBuffer(), colsLayout, false);
    }

    protected void computeCol2im(Memory cols, Layout colsLayout, DType dtype, Window2d w, Memory out,
                                 Layout outLayout) {
        fill(out.hostBuffer(), outLayout, dtype);
        fold(out.hostBuffer(), outLayout, dtype, w, cols.hostBuffer(), colsLayout, true);
    }

    /** Walks every (image element, column entry) pair: copies image to columns, or adds columns into the image. */
    private static void fold(ByteBuffer img, Layout il, DType dt, Window2d w, ByteBuffer cols, Layout cl,
                             boolean toImage) {
        int[] s = il.shape();
        int oh = w.outHeight(s[2]);
        int ow = w.outWidth(s[3]);
        int[] cs = cl.strides();
        for (int n = 0; n < s[0]; n++) {
            for (int c = 0; c < s[1]; c++) {
                for (int i = 0; i < w.kh(); i++) {
                    for (int j = 0; j < w.kw(); j++) {
                        long row = cl.offset() + (long) n * cs[0] + (long) ((c * w.kh() + i) * w.kw() + j) * cs[1];
                        for (int oy = 0; oy < oh; oy++) {
                            int y = oy * w.sh() - w.ph() + i * w.dh();
                            for (int ox = 0; ox < ow; ox++) {
                                int x = ox * w.sw() - w.pw() + j * w.dw();
                                long col = row + (long) (oy * ow + ox) * cs[2];
                                boolean inside = y >= 0 && y < s[2] && x >= 0 && x < s[3];
                                if (toImage) {
                                    if (inside) {
                                        long o = at(il, n, c, y, x);
                                        double v = ElementAccess.getDouble(img, dt, o)
                                                + ElementAccess.getDouble(cols, dt, col);
                                        ElementAccess.putDouble(img, dt, o, v);
                                    }
                                } else {
                                    double v = inside ? ElementAccess.getDouble(img, dt, at(il, n, c, y, x)) : 0;
                                    ElementAccess.putDouble(cols, dt, col, v);
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    private static void fill(ByteBuffer b, Layout l, DType dt) {
        int[] s = l.shape();
        for (int n = 0; n < s[0]; n++) {
            for (int c = 0; c < s[1]; c++) {
                for (int y = 0; y < s[2]; y++) {
                    for (int x = 0; x < s[3]; x++) {
                        ElementAccess.putDouble(b, dt, at(l, n, c, y, x), 0);
                    }
                }
            }
        }
    }

    protected void computeMaxPool2d(Memory in, Layout il, DType dt, Window2d w, Memory out, Layout ol,
                                    Memory indices, Layout xl) {
        ByteBuffer src = in.hostBuffer();
        ByteBuffer dst = out.hostBuffer();
        ByteBuffer idx = indices.hostBuffer();
        int[] s = il.shape();
        int[] o = ol.shape();
        for (int n = 0; n < s[0]; n++) {
            for (int c = 0; c < s[1]; c++) {
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
                                double v = ElementAccess.getDouble(src, dt, at(il, n, c, (int) y, (int) x));
                                if (v > max || Double.isNaN(v)) {
                                    max = v;
                                    best = y * s[3] + x;
                                }
                            }
                        }
                        ElementAccess.putDouble(dst, dt, at(ol, n, c, oy, ox), max);
                        ElementAccess.putLong(idx, DType.INT64, at(xl, n, c, oy, ox), best);
                    }
                }
            }
        }
    }

    protected void computeMaxPool2dBackward(Memory gradOut, Layout gl, Memory indices, Layout xl, DType dt,
                                            Memory gradIn, Layout il) {
        ByteBuffer g = gradOut.hostBuffer();
        ByteBuffer idx = indices.hostBuffer();
        ByteBuffer dst = gradIn.hostBuffer();
        fill(dst, il, dt);
        int[] s = il.shape();
        int[] o = gl.shape();
        long plane = (long) s[2] * s[3];
        for (int n = 0; n < o[0]; n++) {
            for (int c = 0; c < o[1]; c++) {
                for (int oy = 0; oy < o[2]; oy++) {
                    for (int ox = 0; ox < o[3]; ox++) {
                        long k = ElementAccess.getLong(idx, DType.INT64, at(xl, n, c, oy, ox));
                        if (k < 0 || k >= plane) {
                            throw new IllegalArgumentException("max_pool2d backward: index " + k + " is outside the "
                                    + "input plane of " + s[2] + "x" + s[3]);
                        }
                        long d = at(il, n, c, (int) (k / s[3]), (int) (k % s[3]));
                        double v = ElementAccess.getDouble(dst, dt, d)
                                + ElementAccess.getDouble(g, dt, at(gl, n, c, oy, ox));
                        ElementAccess.putDouble(dst, dt, d, v);
                    }
                }
            }
        }
    }

    protected void computeAvgPool2d(Memory in, Layout il, DType dt, Window2d w, boolean countIncludePad,
                                    Memory out, Layout ol) {
        avgPool(in.hostBuffer(), il, dt, w, countIncludePad, out.hostBuffer(), ol, false);
    }

    protected void computeAvgPool2dBackward(Memory gradOut, Layout gl, DType dt, Window2d w,
                                            boolean countIncludePad, Memory gradIn, Layout il) {
        fill(gradIn.hostBuffer(), il, dt);
        avgPool(gradIn.hostBuffer(), il, dt, w, countIncludePad, gradOut.hostBuffer(), gl, true);
    }

    /** Forward: window means of {@code img} into {@code pooled}; backward: spreads {@code pooled} into {@code img}. */
    private static void avgPool(ByteBuffer img, Layout il, DType dt, Window2d w, boolean includePad,
                                ByteBuffer pooled, Layout pl, boolean backward) {
        int[] s = il.shape();
        int[] o = pl.shape();
        for (int n = 0; n < o[0]; n++) {
            for (int c = 0; c < o[1]; c++) {
                for (int oy = 0; oy < o[2]; oy++) {
                    for (int ox = 0; ox < o[3]; ox++) {
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
                        window(img, il, dt, n, c, (int) y0, (int) y1, (int) x0, (int) x1, divisor, pooled,
                                at(pl, n, c, oy, ox), backward);
                    }
                }
            }
        }
    }

    /** One window {@code [y0, y1) x [x0, x1)}: its sum over {@code divisor}, or the gradient spread back over it. */
    private static void window(ByteBuffer img, Layout il, DType dt, int n, int c, int y0, int y1, int x0, int x1,
                               long divisor, ByteBuffer pooled, long p, boolean backward) {
        if (backward) {
            double g = ElementAccess.getDouble(pooled, dt, p) / divisor;
            for (int y = y0; y < y1; y++) {
                for (int x = x0; x < x1; x++) {
                    long d = at(il, n, c, y, x);
                    ElementAccess.putDouble(img, dt, d, ElementAccess.getDouble(img, dt, d) + g);
                }
            }
            return;
        }
        double sum = 0;
        for (int y = y0; y < y1; y++) {
            for (int x = x0; x < x1; x++) {
                sum += ElementAccess.getDouble(img, dt, at(il, n, c, y, x));
            }
        }
        ElementAccess.putDouble(pooled, dt, p, y0 == y1 || x0 == x1 ? 0 : sum / divisor);
    }

    /** Forward (pooled = means of {@code a} over the bins) or backward ({@code b} = gradient spread from {@code a}). */
    protected void computeAdaptiveAvgPool2d(Memory a, Layout al, DType dt, Memory b, Layout bl, boolean backward) {
        Layout il = backward ? bl : al;
        Layout pl = backward ? al : bl;
        ByteBuffer img = backward ? b.hostBuffer() : a.hostBuffer();
        ByteBuffer pooled = backward ? a.hostBuffer() : b.hostBuffer();
        if (backward) {
            fill(img, il, dt);
        }
        int[] s = il.shape();
        int[] o = pl.shape();
        for (int n = 0; n < o[0]; n++) {
            for (int c = 0; c < o[1]; c++) {
                for (int oy = 0; oy < o[2]; oy++) {
                    int y0 = binStart(oy, s[2], o[2]);
                    int y1 = binEnd(oy, s[2], o[2]);
                    for (int ox = 0; ox < o[3]; ox++) {
                        int x0 = binStart(ox, s[3], o[3]);
                        int x1 = binEnd(ox, s[3], o[3]);
                        window(img, il, dt, n, c, y0, y1, x0, x1, (y1 - y0) * (x1 - x0), pooled,
                                at(pl, n, c, oy, ox), backward);
                    }
                }
            }
        }
    }

    /** First input index of adaptive bin {@code i} of {@code out} over {@code in}: floor(i * in / out). */
    protected static int binStart(int i, int in, int out) {
        return (int) ((long) i * in / out);
    }

    /** One past the last input index of adaptive bin {@code i}: ceil((i + 1) * in / out). */
    protected static int binEnd(int i, int in, int out) {
        return (int) (((long) (i + 1) * in + out - 1) / out);
    }
}
