package io.nabla.backend.reference;

import io.nabla.backend.BinaryOp;
import io.nabla.backend.DType;
import io.nabla.backend.ElementAccess;
import io.nabla.backend.ElementwiseKernels;
import io.nabla.backend.Layout;
import io.nabla.backend.Memory;
import io.nabla.backend.StridedCursor;
import io.nabla.backend.UnaryOp;
import java.nio.ByteBuffer;

/** Scalar reference implementation of {@link ElementwiseKernels}. */
public class ReferenceElementwiseKernels implements ElementwiseKernels {

    @Override
    public void fill(Memory dst, Layout layout, DType dtype, double value) {
        ByteBuffer d = dst.hostBuffer();
        long n = layout.numel();
        StridedCursor c = new StridedCursor(layout.shape(), layout);
        for (long i = 0; i < n; i++) {
            ElementAccess.putDouble(d, dtype, c.offset[0], value);
            c.next();
        }
    }

    @Override
    public void copy(Memory src, Layout srcLayout, DType srcType, Memory dst, Layout dstLayout, DType dstType) {
        ByteBuffer s = src.hostBuffer();
        ByteBuffer d = dst.hostBuffer();
        long n = dstLayout.numel();
        StridedCursor c = new StridedCursor(dstLayout.shape(), srcLayout, dstLayout);
        boolean integral = !srcType.isFloatingPoint() && !dstType.isFloatingPoint();
        for (long i = 0; i < n; i++) {
            if (integral) {
                ElementAccess.putLong(d, dstType, c.offset[1], ElementAccess.getLong(s, srcType, c.offset[0]));
            } else if (srcType.isFloatingPoint() && dstType.isReducedFloat()) {
                // PyTorch narrows through float: double -> float -> half, each rounding to nearest even
                ElementAccess.putDouble(d, dstType, c.offset[1],
                        (float) ElementAccess.getDouble(s, srcType, c.offset[0]));
            } else if (srcType.isIntegral() && dstType.isFloatingPoint()) {
                ElementAccess.putDouble(d, dstType, c.offset[1], (double) ElementAccess.getLong(s, srcType,
                        c.offset[0]));
            } else {
                ElementAccess.putDouble(d, dstType, c.offset[1], ElementAccess.getDouble(s, srcType, c.offset[0]));
            }
            c.next();
        }
    }

    @Override
    public void unary(UnaryOp op, double p0, double p1, Memory in, Layout inLayout, Memory out, Layout outLayout,
                      DType dtype) {
        throw new UnsupportedOperationException("unary " + op + " is not built yet");
    }

    @Override
    public void binary(BinaryOp op, Memory a, Layout aLayout, Memory b, Layout bLayout, DType dtype,
                       Memory out, Layout outLayout, DType outType) {
        throw new UnsupportedOperationException("binary " + op + " is not built yet");
    }

    @Override
    public void where(Memory cond, Layout condLayout, Memory a, Layout aLayout, Memory b, Layout bLayout,
                      DType dtype, Memory out, Layout outLayout) {
        throw new UnsupportedOperationException("where is not built yet");
    }
}
