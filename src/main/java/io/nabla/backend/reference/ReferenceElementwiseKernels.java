package io.nabla.backend.reference;

import io.nabla.backend.BinaryOp;
import io.nabla.backend.DType;
import io.nabla.backend.ElementAccess;
import io.nabla.backend.ElementwiseKernels;
import io.nabla.backend.ElementwiseMath;
import io.nabla.backend.Layout;
import io.nabla.backend.Memory;
import io.nabla.backend.StridedCursor;
import io.nabla.backend.TernaryOp;
import io.nabla.backend.UnaryOp;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Scalar reference implementation of {@link ElementwiseKernels}: one element at a time through {@link ElementAccess},
 * floating values in double (rounded once to the storage type; FP16/BF16 through float), integers in long. The
 * public methods check the layouts and call the protected hooks, which the fast backends override.
 */
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
    public final void unary(UnaryOp op, double p0, double p1, Memory in, Layout inLayout, Memory out,
                            Layout outLayout, DType dtype) {
        checkShapes("unary " + op, outLayout, inLayout);
        unaryKernel(op, ElementwiseMath.param(op, dtype, p0), ElementwiseMath.param(op, dtype, p1), in, inLayout,
                out, outLayout, dtype);
    }

    @Override
    public final void unaryBackward(UnaryOp op, double p0, double p1, Memory grad, Layout gradLayout, Memory saved,
                                    Layout savedLayout, Memory out, Layout outLayout, DType dtype) {
        checkShapes("backward of " + op, outLayout, gradLayout, savedLayout);
        if (!dtype.isFloatingPoint()) {
            throw new IllegalArgumentException("backward of " + op + " needs a floating dtype, got "
                    + dtype.torchName());
        }
        unaryBackwardKernel(op, ElementwiseMath.param(op, dtype, p0), ElementwiseMath.param(op, dtype, p1), grad,
                gradLayout, saved, savedLayout, out, outLayout, dtype);
    }

    @Override
    public final void binary(BinaryOp op, Memory a, Layout aLayout, Memory b, Layout bLayout, DType dtype,
                             Memory out, Layout outLayout, DType outType) {
        checkShapes("binary " + op, outLayout, aLayout, bLayout);
        if (op.isComparison() && outType != DType.BOOL) {
            throw new IllegalArgumentException("binary " + op + " writes bool, got an output of "
                    + outType.torchName());
        }
        binaryKernel(op, a, aLayout, b, bLayout, dtype, out, outLayout, outType);
    }

    @Override
    public final void ternary(TernaryOp op, double value, Memory a, Layout aLayout, Memory b, Layout bLayout,
                              Memory c, Layout cLayout, DType dtype, Memory out, Layout outLayout, DType outType) {
        checkShapes("ternary " + op, outLayout, aLayout, bLayout, cLayout);
        ternaryKernel(op, value, a, aLayout, b, bLayout, c, cLayout, dtype, out, outLayout, outType);
    }

    @Override
    public final void where(Memory cond, Layout condLayout, Memory a, Layout aLayout, Memory b, Layout bLayout,
                            DType dtype, Memory out, Layout outLayout) {
        checkShapes("where", outLayout, condLayout, aLayout, bLayout);
        whereKernel(cond, condLayout, a, aLayout, b, bLayout, dtype, out, outLayout);
    }

    /** Fails unless every operand layout has the output's shape (broadcast operands carry stride 0). */
    protected static void checkShapes(String what, Layout out, Layout... operands) {
        for (int k = 0; k < operands.length; k++) {
            if (!Arrays.equals(operands[k].shape(), out.shape()) || operands[k].strides().length
                    != operands[k].shape().length) {
                throw new IllegalArgumentException(what + ": operand " + k + " has shape "
                        + Arrays.toString(operands[k].shape()) + " and strides "
                        + Arrays.toString(operands[k].strides()) + ", expected the output's shape "
                        + Arrays.toString(out.shape()));
            }
        }
    }

    // ---- hooks (parameters already rounded as the dtype needs) ------------------------------------------------

    protected void unaryKernel(UnaryOp op, double p0, double p1, Memory in, Layout inLayout, Memory out,
                               Layout outLayout, DType dtype) {
        ByteBuffer src = in.hostBuffer();
        ByteBuffer dst = out.hostBuffer();
        long n = outLayout.numel();
        StridedCursor c = new StridedCursor(outLayout.shape(), inLayout, outLayout);
        boolean floating = dtype.isFloatingPoint();
        for (long i = 0; i < n; i++) {
            if (floating) {
                double x = ElementAccess.getDouble(src, dtype, c.offset[0]);
                ElementAccess.putDouble(dst, dtype, c.offset[1], ElementwiseMath.unary(op, x, p0, p1));
            } else {
                long x = ElementAccess.getLong(src, dtype, c.offset[0]);
                ElementAccess.putLong(dst, dtype, c.offset[1], ElementwiseMath.unaryLong(op, x, p0, p1));
            }
            c.next();
        }
    }

    protected void unaryBackwardKernel(UnaryOp op, double p0, double p1, Memory grad, Layout gradLayout,
                                       Memory saved, Layout savedLayout, Memory out, Layout outLayout, DType dtype) {
        ByteBuffer g = grad.hostBuffer();
        ByteBuffer s = saved.hostBuffer();
        ByteBuffer dst = out.hostBuffer();
        long n = outLayout.numel();
        StridedCursor c = new StridedCursor(outLayout.shape(), gradLayout, savedLayout, outLayout);
        for (long i = 0; i < n; i++) {
            double gv = ElementAccess.getDouble(g, dtype, c.offset[0]);
            double sv = ElementAccess.getDouble(s, dtype, c.offset[1]);
            ElementAccess.putDouble(dst, dtype, c.offset[2], ElementwiseMath.unaryGrad(op, gv, sv, p0, p1));
            c.next();
        }
    }

    protected void binaryKernel(BinaryOp op, Memory a, Layout aLayout, Memory b, Layout bLayout, DType dtype,
                                Memory out, Layout outLayout, DType outType) {
        ByteBuffer x = a.hostBuffer();
        ByteBuffer y = b.hostBuffer();
        ByteBuffer dst = out.hostBuffer();
        long n = outLayout.numel();
        StridedCursor c = new StridedCursor(outLayout.shape(), aLayout, bLayout, outLayout);
        boolean floating = dtype.isFloatingPoint();
        for (long i = 0; i < n; i++) {
            if (floating) {
                double r = ElementwiseMath.binary(op, ElementAccess.getDouble(x, dtype, c.offset[0]),
                        ElementAccess.getDouble(y, dtype, c.offset[1]));
                put(dst, outType, c.offset[2], r);
            } else {
                long r = ElementwiseMath.binaryLong(op, ElementAccess.getLong(x, dtype, c.offset[0]),
                        ElementAccess.getLong(y, dtype, c.offset[1]));
                ElementAccess.putLong(dst, outType, c.offset[2], r);
            }
            c.next();
        }
    }

    protected void ternaryKernel(TernaryOp op, double value, Memory a, Layout aLayout, Memory b, Layout bLayout,
                                 Memory c, Layout cLayout, DType dtype, Memory out, Layout outLayout,
                                 DType outType) {
        ByteBuffer x = a.hostBuffer();
        ByteBuffer y = b.hostBuffer();
        ByteBuffer z = c.hostBuffer();
        ByteBuffer dst = out.hostBuffer();
        long n = outLayout.numel();
        StridedCursor cur = new StridedCursor(outLayout.shape(), aLayout, bLayout, cLayout, outLayout);
        boolean floating = dtype.isFloatingPoint();
        double v = step(dtype, value);
        for (long i = 0; i < n; i++) {
            if (floating) {
                double t = step(dtype, v * ElementAccess.getDouble(y, dtype, cur.offset[1]));
                double zc = ElementAccess.getDouble(z, dtype, cur.offset[2]);
                t = step(dtype, op == TernaryOp.ADDCMUL ? t * zc : t / zc);
                put(dst, outType, cur.offset[3], ElementAccess.getDouble(x, dtype, cur.offset[0]) + t);
            } else {
                if (op == TernaryOp.ADDCDIV) {
                    throw new IllegalArgumentException("addcdiv is true division; the caller computes it in a "
                            + "floating dtype");
                }
                long t = (long) value * ElementAccess.getLong(y, dtype, cur.offset[1])
                        * ElementAccess.getLong(z, dtype, cur.offset[2]);
                ElementAccess.putLong(dst, outType, cur.offset[3], ElementAccess.getLong(x, dtype, cur.offset[0])
                        + t);
            }
            cur.next();
        }
    }

    protected void whereKernel(Memory cond, Layout condLayout, Memory a, Layout aLayout, Memory b, Layout bLayout,
                               DType dtype, Memory out, Layout outLayout) {
        ByteBuffer m = cond.hostBuffer();
        ByteBuffer x = a.hostBuffer();
        ByteBuffer y = b.hostBuffer();
        ByteBuffer dst = out.hostBuffer();
        long n = outLayout.numel();
        StridedCursor c = new StridedCursor(outLayout.shape(), condLayout, aLayout, bLayout, outLayout);
        boolean floating = dtype.isFloatingPoint();
        for (long i = 0; i < n; i++) {
            boolean pick = m.get((int) c.offset[0]) != 0;
            if (floating) {
                double r = pick ? ElementAccess.getDouble(x, dtype, c.offset[1])
                        : ElementAccess.getDouble(y, dtype, c.offset[2]);
                ElementAccess.putDouble(dst, dtype, c.offset[3], r);
            } else {
                long r = pick ? ElementAccess.getLong(x, dtype, c.offset[1])
                        : ElementAccess.getLong(y, dtype, c.offset[2]);
                ElementAccess.putLong(dst, dtype, c.offset[3], r);
            }
            c.next();
        }
    }

    /** Rounds an intermediate result to the precision PyTorch computes this dtype in (float for FP32/FP16/BF16). */
    protected static double step(DType dtype, double v) {
        return dtype == DType.FP64 ? v : (double) (float) v;
    }

    /** Stores a floating result into any output dtype (reduced floats narrow through float). */
    private static void put(ByteBuffer dst, DType outType, long index, double v) {
        ElementAccess.putDouble(dst, outType, index, v);
    }
}
