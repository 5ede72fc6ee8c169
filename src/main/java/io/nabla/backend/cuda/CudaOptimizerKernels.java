package io.nabla.backend.cuda;

import io.nabla.backend.DType;
import io.nabla.backend.Layout;
import io.nabla.backend.Memory;
import io.nabla.backend.OptimizerKernels;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.DoublePointer;

/**
 * Fused optimizer updates as generated CUDA C (see {@link OptimizerSource}); the norm reduction of gradient
 * clipping sums a fixed number of partials on the host, in order, so it is deterministic.
 */
final class CudaOptimizerKernels implements OptimizerKernels {

    private final CudaContext ctx;
    private final CudaAllocator allocator;

    CudaOptimizerKernels(CudaContext ctx, CudaAllocator allocator) {
        this.ctx = ctx;
        this.allocator = allocator;
    }

    private static boolean allContiguous(Layout... ls) {
        for (Layout l : ls) {
            if (l != null && !l.isContiguous()) {
                return false;
            }
        }
        return true;
    }

    private static void requireFloat(DType t, String what) {
        if (!t.isFloatingPoint()) {
            throw new IllegalArgumentException(what + " needs a floating dtype, got " + t.torchName());
        }
    }

    @Override
    public void sgd(SgdStep h, DType dtype, Memory param, Layout pl, Memory grad, Layout gl, Memory buf,
                    Layout bl) {
        requireFloat(dtype, "sgd");
        ctx.requireDevice(param, "sgd parameter");
        ctx.requireDevice(grad, "sgd gradient");
        ctx.requireDevice(buf, "sgd momentum buffer");
        if (h.momentum() != 0 && buf == null) {
            throw new IllegalArgumentException("sgd with momentum " + h.momentum() + " needs a momentum buffer");
        }
        boolean c = allContiguous(pl, gl, bl);
        Layout bufLayout = bl == null ? pl : bl;
        ctx.run("sgd" + dtype + c, () -> OptimizerSource.sgd(dtype, c), pl.numel(), new Launch().i64(pl.numel())
                .f64(h.lr()).f64(h.momentum()).f64(h.dampening()).f64(h.weightDecay()).i64(h.nesterov() ? 1 : 0)
                .i64(h.maximize() ? 1 : 0).i64(h.initBuffer() ? 1 : 0).layout(pl).ptr(param).layout(gl).ptr(grad)
                .layout(bufLayout).ptr(buf));
    }

    @Override
    public void adam(AdamStep h, DType dtype, Memory param, Layout pl, Memory grad, Layout gl, Memory expAvg,
                     Layout ml, Memory expAvgSq, Layout vl, Memory maxExpAvgSq, Layout xl) {
        requireFloat(dtype, "adam");
        ctx.requireDevice(param, "adam parameter");
        ctx.requireDevice(grad, "adam gradient");
        ctx.requireDevice(expAvg, "adam exp_avg");
        ctx.requireDevice(expAvgSq, "adam exp_avg_sq");
        ctx.requireDevice(maxExpAvgSq, "adam max_exp_avg_sq");
        boolean ams = maxExpAvgSq != null;
        boolean c = allContiguous(pl, gl, ml, vl, xl);
        ctx.run("adam" + dtype + c + ams, () -> OptimizerSource.adam(dtype, c, ams), pl.numel(),
                new Launch().i64(pl.numel()).f64(h.lr()).f64(h.beta1()).f64(h.beta2()).f64(h.eps())
                        .f64(h.weightDecay()).i64(h.decoupled() ? 1 : 0).i64(h.maximize() ? 1 : 0).f64(h.stepSize())
                        .f64(h.biasCorrection2Sqrt()).layout(pl).ptr(param).layout(gl).ptr(grad).layout(ml).ptr(expAvg)
                        .layout(vl).ptr(expAvgSq).layout(ams ? xl : pl).ptr(maxExpAvgSq));
    }

    @Override
    public double sumAbsPow(DType dtype, Memory data, Layout layout, double p) {
        ctx.requireDevice(data, "norm input");
        int k = OptimizerSource.PARTIALS;
        try (Memory partial = allocator.allocate(8L * k, false); DoublePointer host = new DoublePointer(k)) {
            boolean c = layout.isContiguous();
            ctx.run("sumabspow" + dtype + c, () -> OptimizerSource.sumAbsPow(dtype, c), k,
                    new Launch().i64(layout.numel()).f64(p).layout(layout).ptr(data).ptr(partial));
            CudaRuntime.check(cudart.cudaMemcpyAsync(host, CudaRuntime.at(partial.address()), 8L * k,
                    cudart.cudaMemcpyDeviceToHost, ctx.stream()), "cudaMemcpyAsync(partial sums)");
            ctx.streams.synchronize();
            double acc = 0;
            for (int j = 0; j < k; j++) {
                double a = host.get(j);
                if (p == Double.POSITIVE_INFINITY) {
                    acc = Double.isNaN(a) || a > acc ? a : acc;
                } else {
                    acc += a;
                }
            }
            return acc;
        }
    }

    @Override
    public void scale(DType dtype, Memory data, Layout layout, double factor) {
        requireFloat(dtype, "scale");
        ctx.requireDevice(data, "scale target");
        boolean c = layout.isContiguous();
        double f = dtype == DType.FP64 ? factor : (float) factor;
        ctx.run("scale" + dtype + c, () -> OptimizerSource.scale(dtype, c), layout.numel(),
                new Launch().i64(layout.numel()).f64(f).f64(0).layout(layout).ptr(data));
    }
}
