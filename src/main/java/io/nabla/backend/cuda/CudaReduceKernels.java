package io.nabla.backend.cuda;

import io.nabla.backend.DType;
import io.nabla.backend.Layout;
import io.nabla.backend.Memory;
import io.nabla.backend.ReduceKernels;
import io.nabla.backend.ReduceOp;

/** Reductions and their gradients as generated CUDA C, one thread per group (see {@link ReduceSource}). */
final class CudaReduceKernels implements ReduceKernels {

    private final CudaContext ctx;

    CudaReduceKernels(CudaContext ctx) {
        this.ctx = ctx;
    }

    private static long groupSize(Layout in, int[] dims) {
        long m = 1;
        for (int d : dims) {
            m *= in.shape()[d];
        }
        return m;
    }

    @Override
    public void reduce(ReduceOp op, double param, Memory in, Layout inLayout, DType inType, int[] dims, Memory out,
                       Layout outLayout, DType outType) {
        ctx.requireDevice(in, "reduction input");
        ctx.requireDevice(out, "reduction output");
        long n = outLayout.numel();
        ctx.run("reduce" + op + inType + outType, () -> ReduceSource.reduce(op, inType, outType), n,
                new Launch().i64(n).i64(groupSize(inLayout, dims)).f64(param).layout(ReduceSource.kept(inLayout, dims))
                        .layout(ReduceSource.reduced(inLayout, dims)).ptr(in).layout(outLayout).ptr(out));
    }

    @Override
    public void reduceBackward(ReduceOp op, double param, Memory in, Layout inLayout, int[] dims, Memory out,
                               Layout outLayout, Memory gradOut, Layout gradOutLayout, Memory gradIn,
                               Layout gradInLayout, DType dtype) {
        ctx.requireDevice(in, "reduction input");
        ctx.requireDevice(out, "reduction output");
        ctx.requireDevice(gradOut, "reduction output gradient");
        ctx.requireDevice(gradIn, "reduction input gradient");
        if (!dtype.isFloatingPoint()) {
            throw new IllegalArgumentException("reduction gradients need a floating dtype, got " + dtype.torchName());
        }
        long n = outLayout.numel();
        ctx.run("reducegrad" + op + dtype, () -> ReduceSource.reduceBackward(op, dtype), n,
                new Launch().i64(n).i64(groupSize(inLayout, dims)).f64(param).layout(ReduceSource.kept(inLayout, dims))
                        .layout(ReduceSource.reduced(inLayout, dims)).ptr(in).layout(outLayout).ptr(out)
                        .layout(gradOutLayout).ptr(gradOut).layout(ReduceSource.kept(gradInLayout, dims))
                        .layout(ReduceSource.reduced(gradInLayout, dims)).ptr(gradIn));
    }
}
