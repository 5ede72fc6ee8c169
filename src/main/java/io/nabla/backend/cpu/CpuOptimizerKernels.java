package io.nabla.backend.cpu;

import io.nabla.backend.DType;
import io.nabla.backend.Layout;
import io.nabla.backend.Memory;
import io.nabla.backend.reference.ReferenceOptimizerKernels;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;

/**
 * Host {@link io.nabla.backend.OptimizerKernels}: one fused pass over contiguous FP32/FP64 operands, split across
 * the cores. The FP32 path computes in float with PyTorch 1.13's operation order and its fused multiply-adds
 * ({@code a.add(b, alpha)} is {@code fma(alpha, b, a)}, as ATen's vectorised add), so updates match PyTorch's to the
 * bit in the common cases. Other dtypes and strided operands fall back to the reference loops.
 */
public class CpuOptimizerKernels extends ReferenceOptimizerKernels {

    private static final long GRAIN = 1 << 14;

    private static boolean fast(DType dtype, Layout... layouts) {
        if (dtype != DType.FP32 && dtype != DType.FP64) {
            return false;
        }
        for (Layout l : layouts) {
            if (l != null && !l.isContiguous()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void sgd(SgdStep h, DType dtype, Memory param, Layout pl, Memory grad, Layout gl, Memory buf,
                    Layout bl) {
        if (!fast(dtype, pl, gl, bl)) {
            super.sgd(h, dtype, param, pl, grad, gl, buf, bl);
            return;
        }
        long n = pl.numel();
        if (dtype == DType.FP32) {
            FloatBuffer p = param.hostBuffer().asFloatBuffer();
            FloatBuffer g = grad.hostBuffer().asFloatBuffer();
            FloatBuffer b = buf == null ? null : buf.hostBuffer().asFloatBuffer();
            Parallel.forChunks(n, GRAIN, (chunk, s, e) -> sgd32(h, p, (int) pl.offset(), g, (int) gl.offset(), b,
                    bl == null ? 0 : (int) bl.offset(), (int) s, (int) e));
        } else {
            DoubleBuffer p = param.hostBuffer().asDoubleBuffer();
            DoubleBuffer g = grad.hostBuffer().asDoubleBuffer();
            DoubleBuffer b = buf == null ? null : buf.hostBuffer().asDoubleBuffer();
            Parallel.forChunks(n, GRAIN, (chunk, s, e) -> sgd64(h, p, (int) pl.offset(), g, (int) gl.offset(), b,
                    bl == null ? 0 : (int) bl.offset(), (int) s, (int) e));
        }
    }

    private static void sgd32(SgdStep h, FloatBuffer p, int po, FloatBuffer g, int go, FloatBuffer b, int bo,
                              int start, int end) {
        float wd = (float) h.weightDecay();
        float mom = (float) h.momentum();
        float damp = (float) (1 - h.dampening());
        float negLr = (float) -h.lr();
        boolean useMomentum = h.momentum() != 0;
        for (int i = start; i < end; i++) {
            float pv = p.get(po + i);
            float d = g.get(go + i);
            if (h.maximize()) {
                d = -d;
            }
            if (wd != 0) {
                d = Math.fma(wd, pv, d);
            }
            if (useMomentum) {
                float bv = h.initBuffer() ? d : Math.fma(damp, d, b.get(bo + i) * mom);
                b.put(bo + i, bv);
                d = h.nesterov() ? Math.fma(mom, bv, d) : bv;
            }
            p.put(po + i, Math.fma(negLr, d, pv));
        }
    }

    private static void sgd64(SgdStep h, DoubleBuffer p, int po, DoubleBuffer g, int go, DoubleBuffer b, int bo,
                              int start, int end) {
        double wd = h.weightDecay();
        double mom = h.momentum();
        double damp = 1 - h.dampening();
        double negLr = -h.lr();
        for (int i = start; i < end; i++) {
            double pv = p.get(po + i);
            double d = h.maximize() ? -g.get(go + i) : g.get(go + i);
            if (wd != 0) {
                d = Math.fma(wd, pv, d);
            }
            if (mom != 0) {
                double bv = h.initBuffer() ? d : Math.fma(damp, d, b.get(bo + i) * mom);
                b.put(bo + i, bv);
                d = h.nesterov() ? Math.fma(mom, bv, d) : bv;
            }
            p.put(po + i, Math.fma(negLr, d, pv));
        }
    }

    @Override
    public void adam(AdamStep h, DType dtype, Memory param, Layout pl, Memory grad, Layout gl, Memory expAvg,
                     Layout ml, Memory expAvgSq, Layout vl, Memory maxExpAvgSq, Layout xl) {
        if (!fast(dtype, pl, gl, ml, vl, xl)) {
            super.adam(h, dtype, param, pl, grad, gl, expAvg, ml, expAvgSq, vl, maxExpAvgSq, xl);
            return;
        }
        long n = pl.numel();
        if (dtype == DType.FP32) {
            FloatBuffer[] b = {param.hostBuffer().asFloatBuffer(), grad.hostBuffer().asFloatBuffer(),
                expAvg.hostBuffer().asFloatBuffer(), expAvgSq.hostBuffer().asFloatBuffer(),
                maxExpAvgSq == null ? null : maxExpAvgSq.hostBuffer().asFloatBuffer()};
            int[] o = offsets(pl, gl, ml, vl, xl);
            Parallel.forChunks(n, GRAIN, (chunk, s, e) -> adam32(h, b, o, (int) s, (int) e));
        } else {
            DoubleBuffer[] b = {param.hostBuffer().asDoubleBuffer(), grad.hostBuffer().asDoubleBuffer(),
                expAvg.hostBuffer().asDoubleBuffer(), expAvgSq.hostBuffer().asDoubleBuffer(),
                maxExpAvgSq == null ? null : maxExpAvgSq.hostBuffer().asDoubleBuffer()};
            int[] o = offsets(pl, gl, ml, vl, xl);
            Parallel.forChunks(n, GRAIN, (chunk, s, e) -> adam64(h, b, o, (int) s, (int) e));
        }
    }

    private static int[] offsets(Layout... layouts) {
        int[] o = new int[layouts.length];
        for (int k = 0; k < layouts.length; k++) {
            o[k] = layouts[k] == null ? 0 : (int) layouts[k].offset();
        }
        return o;
    }

    /** p, g, m, v, vmax in {@code b}; PyTorch's op order, each scalar rounded to float first. */
    private static void adam32(AdamStep h, FloatBuffer[] b, int[] o, int start, int end) {
        float b1 = (float) h.beta1();
        float b2 = (float) h.beta2();
        float omb1 = (float) (1 - h.beta1());
        float omb2 = (float) (1 - h.beta2());
        float wd = (float) h.weightDecay();
        float decay = (float) (1 - h.lr() * h.weightDecay());
        float bc2 = (float) h.biasCorrection2Sqrt();
        float eps = (float) h.eps();
        float negStep = (float) -h.stepSize();
        boolean coupledDecay = !h.decoupled() && h.weightDecay() != 0;
        for (int i = start; i < end; i++) {
            float p = b[0].get(o[0] + i);
            float g = h.maximize() ? -b[1].get(o[1] + i) : b[1].get(o[1] + i);
            if (h.decoupled()) {
                p = p * decay;
            } else if (coupledDecay) {
                g = Math.fma(wd, p, g);
            }
            float m = Math.fma(omb1, g, b[2].get(o[2] + i) * b1);
            float v = Math.fma(omb2 * g, g, b[3].get(o[3] + i) * b2);
            b[2].put(o[2] + i, m);
            b[3].put(o[3] + i, v);
            if (b[4] != null) {
                v = Math.max(b[4].get(o[4] + i), v);
                b[4].put(o[4] + i, v);
            }
            float denom = (float) Math.sqrt(v) / bc2 + eps;
            b[0].put(o[0] + i, p + negStep * m / denom);
        }
    }

    private static void adam64(AdamStep h, DoubleBuffer[] b, int[] o, int start, int end) {
        double decay = 1 - h.lr() * h.weightDecay();
        boolean coupledDecay = !h.decoupled() && h.weightDecay() != 0;
        for (int i = start; i < end; i++) {
            double p = b[0].get(o[0] + i);
            double g = h.maximize() ? -b[1].get(o[1] + i) : b[1].get(o[1] + i);
            if (h.decoupled()) {
                p = p * decay;
            } else if (coupledDecay) {
                g = Math.fma(h.weightDecay(), p, g);
            }
            double m = Math.fma(1 - h.beta1(), g, b[2].get(o[2] + i) * h.beta1());
            double v = Math.fma((1 - h.beta2()) * g, g, b[3].get(o[3] + i) * h.beta2());
            b[2].put(o[2] + i, m);
            b[3].put(o[3] + i, v);
            if (b[4] != null) {
                v = Math.max(b[4].get(o[4] + i), v);
                b[4].put(o[4] + i, v);
            }
            double denom = Math.sqrt(v) / h.biasCorrection2Sqrt() + h.eps();
            b[0].put(o[0] + i, p + -h.stepSize() * m / denom);
        }
    }

    @Override
    public double sumAbsPow(DType dtype, Memory data, Layout layout, double p) {
        if (!fast(dtype, layout)) {
            return super.sumAbsPow(dtype, data, layout, p);
        }
        long n = layout.numel();
        int off = (int) layout.offset();
        double[] partial = new double[Parallel.chunkCount(n, GRAIN)];
        if (dtype == DType.FP32) {
            FloatBuffer b = data.hostBuffer().asFloatBuffer();
            Parallel.forChunks(n, GRAIN, (chunk, s, e) -> {
                double acc = 0;
                for (int i = (int) s; i < e; i++) {
                    acc = accumulate(acc, Math.abs(b.get(off + i)), p);
                }
                partial[chunk] = acc;
            });
        } else {
            DoubleBuffer b = data.hostBuffer().asDoubleBuffer();
            Parallel.forChunks(n, GRAIN, (chunk, s, e) -> {
                double acc = 0;
                for (int i = (int) s; i < e; i++) {
                    acc = accumulate(acc, Math.abs(b.get(off + i)), p);
                }
                partial[chunk] = acc;
            });
        }
        double total = 0;
        for (double v : partial) {
            total = p == Double.POSITIVE_INFINITY ? (Double.isNaN(v) || v > total ? v : total) : total + v;
        }
        return total;
    }

    @Override
    public void scale(DType dtype, Memory data, Layout layout, double factor) {
        if (!fast(dtype, layout)) {
            super.scale(dtype, data, layout, factor);
            return;
        }
        int off = (int) layout.offset();
        if (dtype == DType.FP32) {
            FloatBuffer b = data.hostBuffer().asFloatBuffer();
            float f = (float) factor;
            Parallel.forChunks(layout.numel(), GRAIN, (chunk, s, e) -> {
                for (int i = (int) s; i < e; i++) {
                    b.put(off + i, b.get(off + i) * f);
                }
            });
        } else {
            DoubleBuffer b = data.hostBuffer().asDoubleBuffer();
            Parallel.forChunks(layout.numel(), GRAIN, (chunk, s, e) -> {
                for (int i = (int) s; i < e; i++) {
                    b.put(off + i, b.get(off + i) * factor);
                }
            });
        }
    }
}
