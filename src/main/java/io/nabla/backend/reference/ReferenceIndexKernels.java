package io.nabla.backend.reference;

import io.nabla.backend.DType;
import io.nabla.backend.ElementAccess;
import io.nabla.backend.IndexKernels;
import io.nabla.backend.Layout;
import io.nabla.backend.Memory;
import io.nabla.backend.StridedCursor;
import java.nio.ByteBuffer;

/**
 * Scalar reference implementation of {@link IndexKernels}: any strides (negative ones included), one element at a
 * time. Data elements are moved as raw bits, so every dtype is copied exactly; adds go through
 * {@link ElementAccess} (double for floats, rounded to the dtype after each add; long for integers).
 */
public class ReferenceIndexKernels implements IndexKernels {

    @Override
    public void gather(int dim, Memory in, Layout inLayout, Memory index, Layout indexLayout, DType indexType,
                       DType dtype, Memory out, Layout outLayout) {
        long[] idx = readIndices("gather", index, indexLayout, indexType, dim, sizeAt(inLayout, dim));
        int[] shape = indexLayout.shape();
        long dimStride = strideAt(inLayout, dim);
        Layout inView = new Layout(shape, withStride(inLayout.strides(), dim, 0), inLayout.offset());
        ByteBuffer s = in.hostBuffer();
        ByteBuffer d = out.hostBuffer();
        int item = dtype.itemSize();
        StridedCursor c = new StridedCursor(shape, inView, outLayout);
        for (int i = 0; i < idx.length; i++) {
            copyElement(s, c.offset[0] + idx[i] * dimStride, d, c.offset[1], item);
            c.next();
        }
    }

    @Override
    public void scatterAdd(int dim, Memory index, Layout indexLayout, DType indexType, Memory src, Layout srcLayout,
                           DType dtype, Memory out, Layout outLayout) {
        long[] idx = readIndices("scatter_add", index, indexLayout, indexType, dim, sizeAt(outLayout, dim));
        int[] shape = indexLayout.shape();
        long dimStride = strideAt(outLayout, dim);
        Layout srcView = new Layout(shape, srcLayout.strides(), srcLayout.offset());
        Layout outView = new Layout(shape, withStride(outLayout.strides(), dim, 0), outLayout.offset());
        ByteBuffer s = src.hostBuffer();
        ByteBuffer d = out.hostBuffer();
        StridedCursor c = new StridedCursor(shape, srcView, outView);
        for (int i = 0; i < idx.length; i++) {
            addElement(s, c.offset[0], d, c.offset[1] + idx[i] * dimStride, dtype);
            c.next();
        }
    }

    @Override
    public void indexSelect(int dim, Memory in, Layout inLayout, Memory index, Layout indexLayout, DType indexType,
                            DType dtype, Memory out, Layout outLayout) {
        long[] idx = readIndices("index_select", index, indexLayout, indexType, dim, sizeAt(inLayout, dim));
        for (int j = 0; j < idx.length; j++) {
            copyStrided(in, dropDim(inLayout, dim, idx[j]), out, dropDim(outLayout, dim, j), dtype.itemSize());
        }
    }

    @Override
    public void indexAdd(int dim, Memory index, Layout indexLayout, DType indexType, Memory src, Layout srcLayout,
                         DType dtype, Memory out, Layout outLayout) {
        long[] idx = readIndices("index_add", index, indexLayout, indexType, dim, sizeAt(outLayout, dim));
        ByteBuffer s = src.hostBuffer();
        ByteBuffer d = out.hostBuffer();
        for (int j = 0; j < idx.length; j++) {
            Layout from = dropDim(srcLayout, dim, j);
            Layout to = dropDim(outLayout, dim, idx[j]);
            StridedCursor c = new StridedCursor(to.shape(), from, to);
            for (long n = to.numel(), i = 0; i < n; i++) {
                addElement(s, c.offset[0], d, c.offset[1], dtype);
                c.next();
            }
        }
    }

    @Override
    public void maskedFill(Memory in, Layout inLayout, Memory mask, Layout maskLayout, double value, DType dtype,
                           Memory out, Layout outLayout) {
        ByteBuffer s = in.hostBuffer();
        ByteBuffer m = mask.hostBuffer();
        ByteBuffer d = out.hostBuffer();
        int item = dtype.itemSize();
        StridedCursor c = new StridedCursor(outLayout.shape(), inLayout, maskLayout, outLayout);
        for (long n = outLayout.numel(), i = 0; i < n; i++) {
            if (m.get((int) c.offset[1]) != 0) {
                ElementAccess.putDouble(d, dtype, c.offset[2], value);
            } else {
                copyElement(s, c.offset[0], d, c.offset[2], item);
            }
            c.next();
        }
    }

    @Override
    public void cumsum(int dim, Memory in, Layout inLayout, DType inType, Memory out, Layout outLayout,
                       DType outType) {
        ByteBuffer s = in.hostBuffer();
        ByteBuffer d = out.hostBuffer();
        int len = sizeAt(inLayout, dim);
        long is = strideAt(inLayout, dim);
        long os = strideAt(outLayout, dim);
        Layout inRows = dropDim(inLayout, dim, 0);
        Layout outRows = dropDim(outLayout, dim, 0);
        StridedCursor c = new StridedCursor(outRows.shape(), inRows, outRows);
        boolean integral = !inType.isFloatingPoint();
        boolean viaFloat = inType.isReducedFloat();
        for (long n = outRows.numel(), r = 0; r < n; r++) {
            long accLong = 0;
            double acc = 0;
            for (int k = 0; k < len; k++) {
                long si = c.offset[0] + k * is;
                long di = c.offset[1] + k * os;
                if (integral) {
                    accLong += ElementAccess.getLong(s, inType, si);
                    ElementAccess.putLong(d, outType, di, accLong);
                } else {
                    acc += ElementAccess.getDouble(s, inType, si);
                    acc = viaFloat ? (float) acc : acc;
                    ElementAccess.putDouble(d, outType, di, acc);
                }
            }
            c.next();
        }
    }

    @Override
    public void cat(int dim, Memory[] ins, Layout[] inLayouts, DType dtype, Memory out, Layout outLayout) {
        long start = 0;
        for (int k = 0; k < ins.length; k++) {
            Layout from = inLayouts[k];
            copyStrided(ins[k], from, out, sliceAlong(outLayout, dim, start, from.shape()[dim]), dtype.itemSize());
            start += from.shape()[dim];
        }
    }

    // ---- shared helpers (the CPU kernels use them too) -----------------------------------------------------------

    /**
     * The index values in row-major order, each checked against {@code [0, size)}: a value outside is an
     * {@link IllegalArgumentException} naming the op, the value, the dimension and its size.
     */
    protected static long[] readIndices(String op, Memory index, Layout layout, DType type, int dim, int size) {
        if (type != DType.INT64 && type != DType.INT32) {
            throw new IllegalArgumentException(op + "(): expected an int64 or int32 index, got " + type.torchName());
        }
        ByteBuffer b = index.hostBuffer();
        long[] out = new long[Math.toIntExact(layout.numel())];
        StridedCursor c = new StridedCursor(layout.shape(), layout);
        for (int i = 0; i < out.length; i++) {
            long v = type == DType.INT64 ? b.getLong((int) c.offset[0] << 3) : b.getInt((int) c.offset[0] << 2);
            if (v < 0 || v >= size) {
                throw new IllegalArgumentException(op + "(): index " + v + " is out of bounds for dimension " + dim
                        + " with size " + size);
            }
            out[i] = v;
            c.next();
        }
        return out;
    }

    /** The size along {@code dim}; a 0-dim layout counts as size 1 (as PyTorch treats scalars). */
    protected static int sizeAt(Layout l, int dim) {
        return l.rank() == 0 ? 1 : l.shape()[dim];
    }

    protected static long strideAt(Layout l, int dim) {
        return l.rank() == 0 ? 0 : l.strides()[dim];
    }

    /** The layout without {@code dim}, positioned at element {@code at} along it. */
    protected static Layout dropDim(Layout l, int dim, long at) {
        if (l.rank() == 0) {
            return l;
        }
        int[] shape = new int[l.rank() - 1];
        int[] strides = new int[shape.length];
        for (int d = 0, k = 0; d < l.rank(); d++) {
            if (d != dim) {
                shape[k] = l.shape()[d];
                strides[k++] = l.strides()[d];
            }
        }
        return new Layout(shape, strides, l.offset() + at * l.strides()[dim]);
    }

    /** {@code length} elements of {@code l} from {@code start} along {@code dim}. */
    protected static Layout sliceAlong(Layout l, int dim, long start, int length) {
        int[] shape = l.shape().clone();
        shape[dim] = length;
        return new Layout(shape, l.strides(), l.offset() + start * l.strides()[dim]);
    }

    private static int[] withStride(int[] strides, int dim, int value) {
        int[] s = strides.clone();
        if (s.length > 0) {
            s[dim] = value;
        }
        return s;
    }

    /** Copies a view element by element into another of the same shape. */
    protected static void copyStrided(Memory src, Layout from, Memory dst, Layout to, int item) {
        ByteBuffer s = src.hostBuffer();
        ByteBuffer d = dst.hostBuffer();
        StridedCursor c = new StridedCursor(to.shape(), from, to);
        for (long n = to.numel(), i = 0; i < n; i++) {
            copyElement(s, c.offset[0], d, c.offset[1], item);
            c.next();
        }
    }

    /** Copies one element's bits ({@code item} bytes) between element indices. */
    protected static void copyElement(ByteBuffer s, long si, ByteBuffer d, long di, int item) {
        int from = (int) si;
        int to = (int) di;
        switch (item) {
            case 8: d.putLong(to << 3, s.getLong(from << 3)); break;
            case 4: d.putInt(to << 2, s.getInt(from << 2)); break;
            case 2: d.putShort(to << 1, s.getShort(from << 1)); break;
            default: d.put(to, s.get(from));
        }
    }

    /** {@code d[di] += s[si]} in the dtype's arithmetic (bool: logical or). */
    protected static void addElement(ByteBuffer s, long si, ByteBuffer d, long di, DType t) {
        if (t.isFloatingPoint()) {
            double v = ElementAccess.getDouble(d, t, di) + ElementAccess.getDouble(s, t, si);
            ElementAccess.putDouble(d, t, di, t.isReducedFloat() ? (float) v : v);
        } else {
            ElementAccess.putLong(d, t, di, ElementAccess.getLong(d, t, di) + ElementAccess.getLong(s, t, si));
        }
    }
}
