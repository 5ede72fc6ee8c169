package io.nabla.backend.cpu;

import io.nabla.backend.DType;
import io.nabla.backend.Layout;
import io.nabla.backend.Memory;
import io.nabla.backend.reference.ReferenceOptimizerKernels;

/**
 * Host {@link io.nabla.backend.OptimizerKernels}: one fused pass over contiguous FP32/FP64 operands, split across
 * the cores. The FP32 path computes in float with PyTorch 1.13's operation order and its fused multiply-adds
 * ({@code a.add(b, alpha)} is {@code fma(alpha, b, a)}, as ATen's vectorised add), so updates match PyTorch's bit for
 * bit. It works on blocks copied into per-thread arrays: C2 vectorises the branch-free array loops (square roots and
 * divisions included), which made an Adam step three times faster than a loop over raw memory. Other dtypes and
 * strided operands fall back to the reference loops. (Longer than most files: one kernel family, two dtypes each.)
 */
public class CpuOptimizerKernels extends ReferenceOptimizerKernels {

    private static final long GRAIN = 1 << 14;
    private static final int BLOCK = 512;
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[5][BLOCK]);

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

    /** Address of the first element of a contiguous operand, 0 for an absent one. */
    private static long base(Memory m, Layout l, DType dtype) {
        return m == null ? 0 : m.address() + l.offset() * dtype.itemSize();
    }

    // ---- SGD ---------------------------------------------------------------------------------------------------

    @Override
    public void sgd(SgdStep h, DType dtype, Memory param, Layout pl, Memory grad, Layout gl, Memory buf,
                    Layout bl) {
        if (!fast(dtype, pl, gl, bl)) {
            super.sgd(h, dtype, param, pl, grad, gl, buf, bl);
            return;
        }
        long p = base(param, pl, dtype);
        long g = base(grad, gl, dtype);
        long b = base(buf, bl, dtype);
        if (dtype == DType.FP32) {
            Parallel.forChunks(pl.numel(), GRAIN, (chunk, s, e) -> sgd32(h, p, g, b, s, e));
        } else {
            Parallel.forChunks(pl.numel(), GRAIN, (chunk, s, e) -> sgd64(h, p, g, b, s, e));
        }
    }

    private static void sgd32(SgdStep h, long pa, long ga, long ba, long start, long end) {
        float sign = h.maximize() ? -1f : 1f;
        float wd = (float) h.weightDecay();
        float mom = (float) h.momentum();
        float damp = (float) (1 - h.dampening());
        float negLr = (float) -h.lr();
        boolean decay = wd != 0;
        boolean momentum = h.momentum() != 0;
        boolean init = h.initBuffer();
        boolean nesterov = h.nesterov();
        float[][] s = SCRATCH.get();
        float[] pv = s[0];
        float[] gv = s[1];
        float[] bv = s[2];
        for (long blk = start; blk < end; blk += BLOCK) {
            int len = (int) Math.min(BLOCK, end - blk);
            long o = blk << 2;
            RawMemory.copyToArray(pa + o, pv, len);
            RawMemory.copyToArray(ga + o, gv, len);
            if (momentum && !init) {
                RawMemory.copyToArray(ba + o, bv, len);
            }
            for (int i = 0; i < len; i++) {
                float p = pv[i];
                float d = gv[i] * sign;
                if (decay) {
                    d = Math.fma(wd, p, d);
                }
                if (momentum) {
                    float b = init ? d : Math.fma(damp, d, bv[i] * mom);
                    bv[i] = b;
                    d = nesterov ? Math.fma(mom, b, d) : b;
                }
                pv[i] = Math.fma(negLr, d, p);
            }
            RawMemory.copyFromArray(pv, pa + o, len);
            if (momentum) {
                RawMemory.copyFromArray(bv, ba + o, len);
            }
        }
    }

    private static void sgd64(SgdStep h, long pa, long ga, long ba, long start, long end) {
        double sign = h.maximize() ? -1 : 1;
        double wd = h.weightDecay();
        double mom = h.momentum();
        double damp = 1 - h.dampening();
        for (long i = start; i < end; i++) {
            long o = i << 3;
            double p = RawMemory.getDouble(pa + o);
            double d = RawMemory.getDouble(ga + o) * sign;
            if (wd != 0) {
                d = Math.fma(wd, p, d);
            }
            if (mom != 0) {
                double b = h.initBuffer() ? d : Math.fma(damp, d, RawMemory.getDouble(ba + o) * mom);
                RawMemory.putDouble(ba + o, b);
                d = h.nesterov() ? Math.fma(mom, b, d) : b;
            }
            RawMemory.putDouble(pa + o, Math.fma(-h.lr(), d, p));
        }
    }

    // ---- Adam / AdamW ------------------------------------------------------------------------------------------

    @Override
    public void adam(AdamStep h, DType dtype, Memory param, Layout pl, Memory grad, Layout gl, Memory expAvg,
                     Layout ml, Memory expAvgSq, Layout vl, Memory maxExpAvgSq, Layout xl) {
        if (!fast(dtype, pl, gl, ml, vl, xl)) {
            super.adam(h, dtype, param, pl, grad, gl, expAvg, ml, expAvgSq, vl, maxExpAvgSq, xl);
            return;
        }
        long[] a = {base(param, pl, dtype), base(grad, gl, dtype), base(expAvg, ml, dtype),
            base(expAvgSq, vl, dtype), base(maxExpAvgSq, xl, dtype)};
        if (dtype == DType.FP32) {
            Parallel.forChunks(pl.numel(), GRAIN, (chunk, s, e) -> adam32(h, a, s, e));
        } else {
            Parallel.forChunks(pl.numel(), GRAIN, (chunk, s, e) -> adam64(h, a, s, e));
        }
    }

    /** Addresses in {@code a}: param, grad, exp_avg, exp_avg_sq, max_exp_avg_sq (0 without amsgrad). */
    private static void adam32(AdamStep h, long[] a, long start, long end) {
        float b1 = (float) h.beta1();
        float b2 = (float) h.beta2();
        float omb1 = (float) (1 - h.beta1());
        float omb2 = (float) (1 - h.beta2());
        boolean coupled = !h.decoupled() && h.weightDecay() != 0;
        float wd = (float) h.weightDecay();
        // multiplying by exactly 1 leaves every value (inf and NaN included) unchanged
        float decay = h.decoupled() ? (float) (1 - h.lr() * h.weightDecay()) : 1f;
        float sign = h.maximize() ? -1f : 1f;
        float bc2 = (float) h.biasCorrection2Sqrt();
        float eps = (float) h.eps();
        float negStep = (float) -h.stepSize();
        boolean ams = a[4] != 0;
        float[][] s = SCRATCH.get();
        float[] pv = s[0];
        float[] gv = s[1];
        float[] mv = s[2];
        float[] vv = s[3];
        float[] xv = s[4];
        for (long blk = start; blk < end; blk += BLOCK) {
            int len = (int) Math.min(BLOCK, end - blk);
            long o = blk << 2;
            RawMemory.copyToArray(a[0] + o, pv, len);
            RawMemory.copyToArray(a[1] + o, gv, len);
            RawMemory.copyToArray(a[2] + o, mv, len);
            RawMemory.copyToArray(a[3] + o, vv, len);
            if (ams) {
                RawMemory.copyToArray(a[4] + o, xv, len);
            }
            for (int i = 0; i < len; i++) {
                float p = pv[i] * decay;
                float g = gv[i] * sign;
                if (coupled) {
                    g = Math.fma(wd, p, g);
                }
                float m = Math.fma(omb1, g, mv[i] * b1);
                float v = Math.fma(omb2 * g, g, vv[i] * b2);
                mv[i] = m;
                vv[i] = v;
                if (ams) {
                    v = Math.max(xv[i], v);
                    xv[i] = v;
                }
                pv[i] = p + negStep * m / ((float) Math.sqrt(v) / bc2 + eps);
            }
            RawMemory.copyFromArray(pv, a[0] + o, len);
            RawMemory.copyFromArray(mv, a[2] + o, len);
            RawMemory.copyFromArray(vv, a[3] + o, len);
            if (ams) {
                RawMemory.copyFromArray(xv, a[4] + o, len);
            }
        }
    }

    private static void adam64(AdamStep h, long[] a, long start, long end) {
        double decay = h.decoupled() ? 1 - h.lr() * h.weightDecay() : 1;
        boolean coupled = !h.decoupled() && h.weightDecay() != 0;
        double sign = h.maximize() ? -1 : 1;
        for (long i = start; i < end; i++) {
            long o = i << 3;
            double p = RawMemory.getDouble(a[0] + o) * decay;
            double g = RawMemory.getDouble(a[1] + o) * sign;
            if (coupled) {
                g = Math.fma(h.weightDecay(), p, g);
            }
            double m = Math.fma(1 - h.beta1(), g, RawMemory.getDouble(a[2] + o) * h.beta1());
            double v = Math.fma((1 - h.beta2()) * g, g, RawMemory.getDouble(a[3] + o) * h.beta2());
            RawMemory.putDouble(a[2] + o, m);
            RawMemory.putDouble(a[3] + o, v);
            if (a[4] != 0) {
                v = Math.max(RawMemory.getDouble(a[4] + o), v);
                RawMemory.putDouble(a[4] + o, v);
            }
            RawMemory.putDouble(a[0] + o, p + -h.stepSize() * m / (Math.sqrt(v) / h.biasCorrection2Sqrt() + h.eps()));
        }
    }

    // ---- gradient clipping -------------------------------------------------------------------------------------

    @Override
    public double sumAbsPow(DType dtype, Memory data, Layout layout, double p) {
        if (!fast(dtype, layout)) {
            return super.sumAbsPow(dtype, data, layout, p);
        }
        long n = layout.numel();
        long a = base(data, layout, dtype);
        boolean f32 = dtype == DType.FP32;
        double[] partial = new double[Parallel.chunkCount(n, GRAIN)];
        Parallel.forChunks(n, GRAIN, (chunk, s, e) -> {
            double acc = 0;
            for (long i = s; i < e; i++) {
                acc = accumulate(acc, Math.abs(RawMemory.load(f32, a, i)), p);
            }
            partial[chunk] = acc;
        });
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
        long a = base(data, layout, dtype);
        boolean f32 = dtype == DType.FP32;
        double f = f32 ? (float) factor : factor;
        Parallel.forChunks(layout.numel(), GRAIN, (chunk, s, e) -> {
            for (long i = s; i < e; i++) {
                RawMemory.store(f32, a, i, RawMemory.load(f32, a, i) * f);
            }
        });
    }
}
