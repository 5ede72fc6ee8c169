package io.nabla.backend.reference;

import io.nabla.backend.DType;
import io.nabla.backend.ElementAccess;
import io.nabla.backend.Layout;
import io.nabla.backend.Memory;
import io.nabla.backend.ReduceKernels;
import io.nabla.backend.ReduceOp;
import io.nabla.backend.StridedCursor;
import java.nio.ByteBuffer;

/** Scalar reference implementation of {@link ReduceKernels}: one output element at a time, accumulating in double. */
public class ReferenceReduceKernels implements ReduceKernels {

    @Override
    public void reduce(ReduceOp op, double param, Memory in, Layout inLayout, DType inType, int[] dims,
                       Memory out, Layout outLayout, DType outType) {
        if (op != ReduceOp.SUM && op != ReduceOp.MEAN) {
            throw new UnsupportedOperationException("reduce " + op + " is not built yet");
        }
        ByteBuffer src = in.hostBuffer();
        ByteBuffer dst = out.hostBuffer();
        int rank = inLayout.rank();
        boolean[] reduced = new boolean[rank];
        for (int d : dims) {
            reduced[d] = true;
        }
        // split the input's dims into kept (outer loop) and reduced (inner loop)
        int[] keptShape = outLayout.shape();
        int[] innerShape = new int[rank];
        int[] innerStrides = new int[rank];
        int[] outerStrides = new int[rank];
        for (int d = 0; d < rank; d++) {
            innerShape[d] = reduced[d] ? inLayout.shape()[d] : 1;
            innerStrides[d] = reduced[d] ? inLayout.strides()[d] : 0;
            outerStrides[d] = reduced[d] ? 0 : inLayout.strides()[d];
        }
        long innerCount = new Layout(innerShape, innerStrides, 0).numel();
        long outCount = outLayout.numel();
        StridedCursor outer = new StridedCursor(keptShape, new Layout(keptShape, outerStrides, inLayout.offset()),
                outLayout);
        boolean integral = !inType.isFloatingPoint() && op == ReduceOp.SUM;
        for (long o = 0; o < outCount; o++) {
            StridedCursor inner = new StridedCursor(innerShape, new Layout(innerShape, innerStrides, outer.offset[0]));
            if (integral) {
                long acc = 0;
                for (long i = 0; i < innerCount; i++) {
                    acc += ElementAccess.getLong(src, inType, inner.offset[0]);
                    inner.next();
                }
                ElementAccess.putLong(dst, outType, outer.offset[1], acc);
            } else {
                double acc = 0;
                for (long i = 0; i < innerCount; i++) {
                    acc += ElementAccess.getDouble(src, inType, inner.offset[0]);
                    inner.next();
                }
                if (op == ReduceOp.MEAN) {
                    acc /= innerCount;
                }
                ElementAccess.putDouble(dst, outType, outer.offset[1], acc);
            }
            outer.next();
        }
    }
}
