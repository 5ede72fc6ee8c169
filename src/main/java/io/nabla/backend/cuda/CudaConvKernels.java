package io.nabla.backend.cuda;

import io.nabla.backend.DType;
import io.nabla.backend.Layout;
import io.nabla.backend.Memory;
import io.nabla.backend.Window2d;
import io.nabla.backend.reference.ReferenceConvKernels;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.LongPointer;

/**
 * im2col, col2im and the pooling kernels on CUDA as generated CUDA C (see {@link ConvSource}); the layouts are
 * validated by {@link ReferenceConvKernels}' public methods, whose compute hooks this class replaces. Max-pool
 * indices are checked on the device before the backward pass writes anything.
 */
final class CudaConvKernels extends ReferenceConvKernels {

    private final CudaContext ctx;
    private final CudaAllocator allocator;

    CudaConvKernels(CudaContext ctx, CudaAllocator allocator) {
        this.ctx = ctx;
        this.allocator = allocator;
    }

    /** The cache key of a kernel: its name, so the source is generated only on the first use. */
    private static String key(String prefix, DType t) {
        return prefix + CudaC.tag(t);
    }

    private static Launch window(Launch a, Window2d w) {
        return a.i64(w.kh()).i64(w.kw()).i64(w.sh()).i64(w.sw()).i64(w.ph()).i64(w.pw()).i64(w.dh()).i64(w.dw());
    }

    @Override
    protected void computeIm2col(Memory in, Layout inLayout, DType dtype, Window2d w, Memory cols,
                                 Layout colsLayout) {
        ctx.requireDevice(in, "im2col input");
        ctx.requireDevice(cols, "im2col columns");
        int[] s = inLayout.shape();
        long n = colsLayout.numel();
        Launch a = window(new Launch().i64(n), w).i64(w.outHeight(s[2])).i64(w.outWidth(s[3]));
        ctx.run(key("im2col_", dtype), () -> ConvSource.im2col(dtype), n,
                a.layout(inLayout).ptr(in).layout(colsLayout).ptr(cols));
    }

    @Override
    protected void computeCol2im(Memory cols, Layout colsLayout, DType dtype, Window2d w, Memory out,
                                 Layout outLayout) {
        ctx.requireDevice(cols, "col2im columns");
        ctx.requireDevice(out, "col2im output");
        int[] s = outLayout.shape();
        long n = outLayout.numel();
        Launch a = window(new Launch().i64(n), w).i64(w.outHeight(s[2])).i64(w.outWidth(s[3]));
        ctx.run(key("col2im_", dtype), () -> ConvSource.col2im(dtype), n,
                a.layout(colsLayout).ptr(cols).layout(outLayout).ptr(out));
    }

    @Override
    protected void computeMaxPool2d(Memory in, Layout il, DType dt, Window2d w, Memory out, Layout ol,
                                    Memory indices, Layout xl) {
        ctx.requireDevice(in, "max_pool2d input");
        ctx.requireDevice(out, "max_pool2d output");
        ctx.requireDevice(indices, "max_pool2d indices");
        long n = ol.numel();
        ctx.run(key("maxpool2d_", dt), () -> ConvSource.maxPool(dt), n,
                window(new Launch().i64(n), w).layout(il).ptr(in).layout(ol).ptr(out).layout(xl).ptr(indices));
    }

    @Override
    protected void computeMaxPool2dBackward(Memory gradOut, Layout gl, Memory indices, Layout xl, DType dt,
                                            Memory gradIn, Layout il) {
        ctx.requireDevice(gradOut, "max_pool2d backward output gradient");
        ctx.requireDevice(indices, "max_pool2d backward indices");
        ctx.requireDevice(gradIn, "max_pool2d backward input gradient");
        int[] s = il.shape();
        checkIndices(indices, xl, (long) s[2] * s[3], s);
        long planes = (long) s[0] * s[1];
        ctx.run(key("maxpool2dgrad_", dt), () -> ConvSource.maxPoolBackward(dt), planes,
                new Launch().i64(planes).layout(gl).ptr(gradOut).layout(xl).ptr(indices).layout(il).ptr(gradIn));
    }

    /** Throws the reference's message when an index is outside the input plane (checked on the device). */
    private void checkIndices(Memory indices, Layout xl, long plane, int[] s) {
        long n = xl.numel();
        if (n == 0) {
            return;
        }
        try (Memory bad = allocator.allocate(16, true); LongPointer host = new LongPointer(2)) {
            ctx.run(IndexSource.check(DType.INT64), n, new Launch().i64(n).i64(plane).layout(xl).ptr(indices)
                    .ptr(bad));
            CudaRuntime.check(cudart.cudaMemcpyAsync(host, CudaRuntime.at(bad.address()), 16,
                    cudart.cudaMemcpyDeviceToHost, ctx.stream()), "cudaMemcpyAsync(max_pool2d index check)");
            ctx.streams.synchronize();
            if (host.get(0) != 0) {
                throw new IllegalArgumentException("max_pool2d backward: index " + host.get(1) + " is outside the "
                        + "input plane of " + s[2] + "x" + s[3]);
            }
        }
    }

    @Override
    protected void computeAvgPool2d(Memory in, Layout il, DType dt, Window2d w, boolean countIncludePad,
                                    Memory out, Layout ol) {
        ctx.requireDevice(in, "avg_pool2d input");
        ctx.requireDevice(out, "avg_pool2d output");
        long n = ol.numel();
        ctx.run(key("avgpool2d_", dt), () -> ConvSource.avgPool(dt), n,
                window(new Launch().i64(n), w).i64(countIncludePad ? 1 : 0).layout(il).ptr(in).layout(ol).ptr(out));
    }

    @Override
    protected void computeAvgPool2dBackward(Memory gradOut, Layout gl, DType dt, Window2d w,
                                            boolean countIncludePad, Memory gradIn, Layout il) {
        ctx.requireDevice(gradOut, "avg_pool2d backward output gradient");
        ctx.requireDevice(gradIn, "avg_pool2d backward input gradient");
        long n = il.numel();
        ctx.run(key("avgpool2dgrad_", dt), () -> ConvSource.avgPoolBackward(dt), n,
                window(new Launch().i64(n), w).i64(countIncludePad ? 1 : 0).layout(gl).ptr(gradOut).layout(il)
                        .ptr(gradIn));
    }

    @Override
    protected void computeAdaptiveAvgPool2d(Memory a, Layout al, DType dt, Memory b, Layout bl, boolean backward) {
        ctx.requireDevice(a, backward ? "adaptive_avg_pool2d backward output gradient" : "adaptive_avg_pool2d input");
        ctx.requireDevice(b, backward ? "adaptive_avg_pool2d backward input gradient" : "adaptive_avg_pool2d output");
        long n = bl.numel();
        ctx.run(key(backward ? "adaptiveavgpool2dgrad_" : "adaptiveavgpool2d_", dt),
                () -> backward ? ConvSource.adaptiveAvgPoolBackward(dt) : ConvSource.adaptiveAvgPool(dt), n,
                new Launch().i64(n).layout(al).ptr(a).layout(bl).ptr(b));
    }
}
