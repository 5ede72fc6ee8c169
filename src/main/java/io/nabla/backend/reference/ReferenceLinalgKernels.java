package io.nabla.backend.reference;

import io.nabla.backend.DType;
import io.nabla.backend.ElementAccess;
import io.nabla.backend.Int8;
import io.nabla.backend.Layout;
import io.nabla.backend.LinalgKernels;
import io.nabla.backend.Memory;
import io.nabla.backend.StridedCursor;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Scalar reference implementation of {@link LinalgKernels}: the plain triple loop, accumulating floating products in
 * double and integer products in long, over any strides. {@link #gemm} validates; {@link #compute} does the work.
 */
public class ReferenceLinalgKernels implements LinalgKernels {

    /** The sizes of a validated product: {@code batch} (the leading dims of C), m, n, k. */
    protected record GemmShape(int[] batch, long batchCount, int m, int n, int k) {
    }

    @Override
    public final void gemm(double alpha, Memory a, Layout aLayout, Memory b, Layout bLayout, double beta,
                           Memory c, Layout cLayout, DType dtype) {
        GemmShape s = check(aLayout, bLayout, cLayout);
        if (dtype == DType.BOOL) {
            throw new IllegalArgumentException("gemm is not defined for bool tensors");
        }
        if (!dtype.isFloatingPoint() && (alpha != Math.rint(alpha) || beta != Math.rint(beta))) {
            throw new IllegalArgumentException("gemm on " + dtype.torchName() + " needs whole alpha and beta, got "
                    + alpha + " and " + beta);
        }
        if (s.batchCount() == 0 || s.m() == 0 || s.n() == 0) {
            return;
        }
        compute(alpha, a, aLayout, b, bLayout, beta, c, cLayout, dtype, s);
    }

    private static GemmShape check(Layout a, Layout b, Layout c) {
        int r = c.rank();
        if (r < 2 || a.rank() != r || b.rank() != r) {
            throw new IllegalArgumentException("gemm needs operands of equal rank >= 2, got A " + fmt(a) + ", B "
                    + fmt(b) + ", C " + fmt(c));
        }
        int[] batch = Arrays.copyOf(c.shape(), r - 2);
        if (!Arrays.equals(batch, Arrays.copyOf(a.shape(), r - 2))
                || !Arrays.equals(batch, Arrays.copyOf(b.shape(), r - 2))) {
            throw new IllegalArgumentException("gemm operands must share their batch sizes, got A " + fmt(a) + ", B "
                    + fmt(b) + ", C " + fmt(c));
        }
        int m = a.shape()[r - 2];
        int k = a.shape()[r - 1];
        int n = b.shape()[r - 1];
        if (b.shape()[r - 2] != k || c.shape()[r - 2] != m || c.shape()[r - 1] != n) {
            throw new IllegalArgumentException("gemm shapes do not chain: A " + fmt(a) + " times B " + fmt(b)
                    + " into C " + fmt(c) + " (expected A (..., m, k), B (..., k, n), C (..., m, n))");
        }
        for (int d = 0; d < r - 2; d++) {
            if (batch[d] > 1 && c.strides()[d] == 0) {
                throw new IllegalArgumentException("gemm output C " + fmt(c) + " has stride 0 in batch dim " + d
                        + ": every batch entry needs its own output");
            }
        }
        long count = 1;
        for (int s : batch) {
            count *= s;
        }
        return new GemmShape(batch, count, m, n, k);
    }

    private static String fmt(Layout l) {
        return Arrays.toString(l.shape()).replace('[', '(').replace(']', ')');
    }

    /** The batch part of a layout: its leading {@code rank - 2} dims. */
    protected static Layout batchLayout(Layout l) {
        int r = l.rank();
        return new Layout(Arrays.copyOf(l.shape(), r - 2), Arrays.copyOf(l.strides(), r - 2), l.offset());
    }

    /** Element offsets of each batch entry of {@code layouts}, in row-major batch order: {@code [operand][entry]}. */
    protected static long[][] batchOffsets(GemmShape s, Layout... layouts) {
        Layout[] batch = new Layout[layouts.length];
        for (int i = 0; i < layouts.length; i++) {
            batch[i] = batchLayout(layouts[i]);
        }
        StridedCursor cursor = new StridedCursor(s.batch(), batch);
        long[][] out = new long[layouts.length][Math.toIntExact(s.batchCount())];
        for (int t = 0; t < out[0].length; t++) {
            for (int i = 0; i < layouts.length; i++) {
                out[i][t] = cursor.offset[i];
            }
            cursor.next();
        }
        return out;
    }

    @Override
    public int quantizeRows(Memory x, long xOffset, int m, int k, Memory q, Memory scale, Memory zeroPoint) {
        ByteBuffer in = x.hostBuffer();
        ByteBuffer qb = q.hostBuffer();
        int nonFinite = 0;
        rows:
        for (int i = 0; i < m; i++) {
            long row = xOffset + (long) i * k;
            float lo = 0;
            float hi = 0;
            for (int c = 0; c < k; c++) {
                float v = in.getFloat(Math.toIntExact((row + c) * 4));
                if (!Float.isFinite(v)) {
                    for (int z = 0; z < k; z++) {
                        qb.putShort(Math.toIntExact(((long) i * k + z) * 2), (short) 0);
                    }
                    scale.hostBuffer().putFloat(i * 4, Float.NaN);
                    zeroPoint.hostBuffer().putInt(i * 4, 0);
                    nonFinite++;
                    continue rows;
                }
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
            float s = Int8.rowScale(lo, hi);
            int zp = Int8.rowZeroPoint(lo, s);
            float inv = 1f / s;
            for (int c = 0; c < k; c++) {
                qb.putShort(Math.toIntExact(((long) i * k + c) * 2),
                        (short) Int8.quantizeActivation(in.getFloat(Math.toIntExact((row + c) * 4)), inv, zp));
            }
            scale.hostBuffer().putFloat(i * 4, s);
            zeroPoint.hostBuffer().putInt(i * 4, zp);
        }
        return nonFinite;
    }

    @Override
    public void int8Linear(Memory q, Memory scale, Memory zeroPoint, int m, int k, Memory w, Memory wScale,
                           Memory wSum, Memory bias, Memory y, int n) {
        ByteBuffer qb = q.hostBuffer();
        ByteBuffer wb = w.hostBuffer();
        ByteBuffer yb = y.hostBuffer();
        for (int i = 0; i < m; i++) {
            float sx = scale.hostBuffer().getFloat(i * 4);
            int zx = zeroPoint.hostBuffer().getInt(i * 4);
            for (int j = 0; j < n; j++) {
                long dot = 0;
                for (int c = 0; c < k; c++) {
                    dot += (long) qb.getShort(Math.toIntExact(((long) i * k + c) * 2))
                            * wb.get(Math.toIntExact((long) j * k + c));
                }
                long acc = dot - (long) zx * wSum.hostBuffer().getInt(j * 4);
                float sw = wScale.hostBuffer().getFloat(j * 4);
                yb.putFloat(Math.toIntExact(((long) i * n + j) * 4), bias == null ? Int8.output(acc, sx, sw)
                        : Int8.output(acc, sx, sw, bias.hostBuffer().getFloat(j * 4)));
            }
        }
    }

    /** Computes the validated, non-empty product. Subclasses override with fast paths and call super otherwise. */
    protected void compute(double alpha, Memory a, Layout aLayout, Memory b, Layout bLayout, double beta,
                           Memory c, Layout cLayout, DType dtype, GemmShape s) {
        long[][] off = batchOffsets(s, aLayout, bLayout, cLayout);
        for (int t = 0; t < off[0].length; t++) {
            Operand x = new Operand(a.hostBuffer(), off[0][t], aLayout);
            Operand y = new Operand(b.hostBuffer(), off[1][t], bLayout);
            Operand z = new Operand(c.hostBuffer(), off[2][t], cLayout);
            for (int i = 0; i < s.m(); i++) {
                for (int j = 0; j < s.n(); j++) {
                    if (dtype.isFloatingPoint()) {
                        double old = beta == 0 ? 0 : ElementAccess.getDouble(z.buf, dtype, z.at(i, j));
                        ElementAccess.putDouble(z.buf, dtype, z.at(i, j), alpha * dot(x, y, i, j, s.k(), dtype)
                                + beta * old);
                    } else {
                        long old = beta == 0 ? 0 : ElementAccess.getLong(z.buf, dtype, z.at(i, j));
                        ElementAccess.putLong(z.buf, dtype, z.at(i, j), (long) alpha * dotLong(x, y, i, j, s.k(),
                                dtype) + (long) beta * old);
                    }
                }
            }
        }
    }

    /** One matrix of a batch: its buffer, the offset of element (0, 0) and the row and column strides. */
    private static final class Operand {
        final ByteBuffer buf;
        final long base;
        final int rowStride;
        final int colStride;

        Operand(ByteBuffer buf, long base, Layout l) {
            this.buf = buf;
            this.base = base;
            this.rowStride = l.strides()[l.rank() - 2];
            this.colStride = l.strides()[l.rank() - 1];
        }

        long at(int i, int j) {
            return base + (long) i * rowStride + (long) j * colStride;
        }
    }

    private static double dot(Operand a, Operand b, int i, int j, int k, DType dt) {
        double acc = 0;
        for (int p = 0; p < k; p++) {
            acc += ElementAccess.getDouble(a.buf, dt, a.at(i, p)) * ElementAccess.getDouble(b.buf, dt, b.at(p, j));
        }
        return acc;
    }

    private static long dotLong(Operand a, Operand b, int i, int j, int k, DType dt) {
        long acc = 0;
        for (int p = 0; p < k; p++) {
            acc += ElementAccess.getLong(a.buf, dt, a.at(i, p)) * ElementAccess.getLong(b.buf, dt, b.at(p, j));
        }
        return acc;
    }
}
