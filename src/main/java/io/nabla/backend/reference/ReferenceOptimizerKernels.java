package io.nabla.backend.reference;

import io.nabla.backend.DType;
import io.nabla.backend.ElementAccess;
import io.nabla.backend.Layout;
import io.nabla.backend.Memory;
import io.nabla.backend.OptimizerKernels;
import io.nabla.backend.StridedCursor;
import java.nio.ByteBuffer;

/** Scalar reference implementation of {@link OptimizerKernels}: any layout, every value computed in double. */
public class ReferenceOptimizerKernels implements OptimizerKernels {

    @Override
    public void sgd(SgdStep h, DType dtype, Memory param, Layout pl, Memory grad, Layout gl, Memory buf,
                    Layout bl) {
        ByteBuffer p = param.hostBuffer();
        ByteBuffer g = grad.hostBuffer();
        ByteBuffer b = buf == null ? null : buf.hostBuffer();
        StridedCursor c = buf == null ? new StridedCursor(pl.shape(), pl, gl)
                : new StridedCursor(pl.shape(), pl, gl, bl);
        long n = pl.numel();
        for (long i = 0; i < n; i++) {
            double pv = ElementAccess.getDouble(p, dtype, c.offset[0]);
            double d = ElementAccess.getDouble(g, dtype, c.offset[1]);
            if (h.maximize()) {
                d = -d;
            }
            d += h.weightDecay() * pv;
            if (h.momentum() != 0) {
                double bv = h.initBuffer() ? d
                        : h.momentum() * ElementAccess.getDouble(b, dtype, c.offset[2]) + (1 - h.dampening()) * d;
                ElementAccess.putDouble(b, dtype, c.offset[2], bv);
                d = h.nesterov() ? d + h.momentum() * bv : bv;
            }
            ElementAccess.putDouble(p, dtype, c.offset[0], pv - h.lr() * d);
            c.next();
        }
    }

    @Override
    public void adam(AdamStep h, DType dtype, Memory param, Layout pl, Memory grad, Layout gl, Memory expAvg,
                     Layout ml, Memory expAvgSq, Layout vl, Memory maxExpAvgSq, Layout xl) {
        ByteBuffer p = param.hostBuffer();
        ByteBuffer g = grad.hostBuffer();
        ByteBuffer m = expAvg.hostBuffer();
        ByteBuffer v = expAvgSq.hostBuffer();
        ByteBuffer x = maxExpAvgSq == null ? null : maxExpAvgSq.hostBuffer();
        StridedCursor c = x == null ? new StridedCursor(pl.shape(), pl, gl, ml, vl)
                : new StridedCursor(pl.shape(), pl, gl, ml, vl, xl);
        long n = pl.numel();
        for (long i = 0; i < n; i++) {
            double pv = ElementAccess.getDouble(p, dtype, c.offset[0]);
            double gv = ElementAccess.getDouble(g, dtype, c.offset[1]);
            if (h.maximize()) {
                gv = -gv;
            }
            if (h.decoupled()) {
                pv *= 1 - h.lr() * h.weightDecay();
            } else {
                gv += h.weightDecay() * pv;
            }
            double mv = h.beta1() * ElementAccess.getDouble(m, dtype, c.offset[2]) + (1 - h.beta1()) * gv;
            double vv = h.beta2() * ElementAccess.getDouble(v, dtype, c.offset[3]) + (1 - h.beta2()) * gv * gv;
            ElementAccess.putDouble(m, dtype, c.offset[2], mv);
            ElementAccess.putDouble(v, dtype, c.offset[3], vv);
            if (x != null) {
                vv = Math.max(vv, ElementAccess.getDouble(x, dtype, c.offset[4]));
                ElementAccess.putDouble(x, dtype, c.offset[4], vv);
            }
            double denom = Math.sqrt(vv) / h.biasCorrection2Sqrt() + h.eps();
            ElementAccess.putDouble(p, dtype, c.offset[0], pv - h.stepSize() * mv / denom);
            c.next();
        }
    }

    @Override
    public double sumAbsPow(DType dtype, Memory data, Layout layout, double p) {
        ByteBuffer b = data.hostBuffer();
        StridedCursor c = new StridedCursor(layout.shape(), layout);
        long n = layout.numel();
        double acc = 0;
        for (long i = 0; i < n; i++) {
            acc = accumulate(acc, Math.abs(ElementAccess.getDouble(b, dtype, c.offset[0])), p);
            c.next();
        }
        return acc;
    }

    /** One step of {@link #sumAbsPow}: {@code a} is |x|. */
    protected static double accumulate(double acc, double a, double p) {
        if (p == Double.POSITIVE_INFINITY) {
            return Double.isNaN(a) || a > acc ? a : acc;
        }
        if (p == 0) {
            return acc + (a != 0 ? 1 : 0);
        }
        if (p == 1) {
            return acc + a;
        }
        if (p == 2) {
            return acc + a * a;
        }
        return acc + Math.pow(a, p);
    }

    @Override
    public void scale(DType dtype, Memory data, Layout layout, double factor) {
        ByteBuffer b = data.hostBuffer();
        StridedCursor c = new StridedCursor(layout.shape(), layout);
        long n = layout.numel();
        double f = dtype == DType.FP64 ? factor : (float) factor;
        for (long i = 0; i < n; i++) {
            ElementAccess.putDouble(b, dtype, c.offset[0], ElementAccess.getDouble(b, dtype, c.offset[0]) * f);
            c.next();
        }
    }
}
