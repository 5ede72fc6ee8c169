package io.nabla.backend.cuda;

import io.nabla.backend.DType;
import io.nabla.backend.IndexKernels;
import io.nabla.backend.Layout;
import io.nabla.backend.Memory;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.LongPointer;

/**
 * Index kernels on CUDA: gather, scatter_add, index_select, index_add, masked_fill, cumsum and cat (strided device
 * copies) as generated
 * CUDA C; index values are checked on the device before anything is written. scatter_add and index_add run one
 * thread per column, so every element receives its adds in the reference's order.
 */
final class CudaIndexKernels implements IndexKernels {

    private final CudaContext ctx;
    private final CudaAllocator allocator;
    private final CudaElementwiseKernels elementwise;

    CudaIndexKernels(CudaContext ctx, CudaAllocator allocator, CudaElementwiseKernels elementwise) {
        this.ctx = ctx;
        this.allocator = allocator;
        this.elementwise = elementwise;
    }

    private static int sizeAt(Layout l, int dim) {
        return l.rank() == 0 ? 1 : l.shape()[dim];
    }

    private static long strideAt(Layout l, int dim) {
        return l.rank() == 0 ? 0 : l.strides()[dim];
    }

    /** {@code l}'s strides and offset over {@code shape}, with stride 0 along {@code dim}. */
    private static Layout base(Layout l, int[] shape, int dim) {
        int[] strides = l.strides().clone();
        if (strides.length > 0) {
            strides[dim] = 0;
        }
        return new Layout(shape.clone(), strides, l.offset());
    }

    /** Throws the reference's message when an index value is outside [0, size). */
    private void checkIndices(String op, Memory index, Layout layout, DType type, int dim, int size) {
        if (type != DType.INT64 && type != DType.INT32) {
            throw new IllegalArgumentException(op + "(): expected an int64 or int32 index, got " + type.torchName());
        }
        ctx.requireDevice(index, op + " index");
        long n = layout.numel();
        try (Memory bad = allocator.allocate(16, true); LongPointer host = new LongPointer(2)) {
            ctx.run(IndexSource.check(type), n, new Launch().i64(n).i64(size).layout(layout).ptr(index).ptr(bad));
            CudaRuntime.check(cudart.cudaMemcpyAsync(host, CudaRuntime.at(bad.address()), 16,
                    cudart.cudaMemcpyDeviceToHost, ctx.stream()), "cudaMemcpyAsync(index check)");
            ctx.streams.synchronize();
            if (host.get(0) != 0) {
                throw new IllegalArgumentException(op + "(): index " + host.get(1) + " is out of bounds for dimension "
                        + dim + " with size " + size);
            }
        }
    }

    @Override
    public void gather(int dim, Memory in, Layout inLayout, Memory index, Layout indexLayout, DType indexType,
                       DType dtype, Memory out, Layout outLayout) {
        ctx.requireDevice(in, "gather input");
        ctx.requireDevice(out, "gather output");
        checkIndices("gather", index, indexLayout, indexType, dim, sizeAt(inLayout, dim));
        long n = indexLayout.numel();
        ctx.run(IndexSource.gather(dtype, indexType), n, new Launch().i64(n).i64(strideAt(inLayout, dim))
                .layout(indexLayout).ptr(index).layout(base(inLayout, indexLayout.shape(), dim)).ptr(in)
                .layout(outLayout).ptr(out));
    }

    @Override
    public void scatterAdd(int dim, Memory index, Layout indexLayout, DType indexType, Memory src, Layout srcLayout,
                           DType dtype, Memory out, Layout outLayout) {
        ctx.requireDevice(src, "scatter_add source");
        ctx.requireDevice(out, "scatter_add output");
        checkIndices("scatter_add", index, indexLayout, indexType, dim, sizeAt(outLayout, dim));
        int[] shape = indexLayout.shape();
        Layout srcView = new Layout(shape.clone(), srcLayout.strides(), srcLayout.offset());
        Layout outView = new Layout(shape.clone(), outLayout.strides(), outLayout.offset());
        Layout cols = dropDim(indexLayout, dim);
        long n = cols.numel();
        ctx.run(IndexSource.scatterAdd(dtype, indexType), n, new Launch().i64(n).i64(sizeAt(indexLayout, dim))
                .i64(strideAt(indexLayout, dim)).i64(strideAt(srcLayout, dim)).i64(strideAt(outLayout, dim))
                .layout(cols).ptr(index).layout(dropDim(srcView, dim)).ptr(src).layout(dropDim(outView, dim))
                .ptr(out));
    }

    @Override
    public void indexSelect(int dim, Memory in, Layout inLayout, Memory index, Layout indexLayout, DType indexType,
                            DType dtype, Memory out, Layout outLayout) {
        ctx.requireDevice(in, "index_select input");
        ctx.requireDevice(out, "index_select output");
        checkIndices("index_select", index, indexLayout, indexType, dim, sizeAt(inLayout, dim));
        int[] shape = outLayout.shape();
        int[] sel = new int[shape.length];
        if (sel.length > 0) {
            sel[dim] = 1;
        }
        long n = outLayout.numel();
        ctx.run(IndexSource.indexSelect(dtype, indexType), n, new Launch().i64(n).i64(strideAt(inLayout, dim))
                .layout(new Layout(shape.clone(), sel, 0)).layout(indexLayout).ptr(index)
                .layout(base(inLayout, shape, dim)).ptr(in).layout(outLayout).ptr(out));
    }

    @Override
    public void indexAdd(int dim, Memory index, Layout indexLayout, DType indexType, Memory src, Layout srcLayout,
                         DType dtype, Memory out, Layout outLayout) {
        ctx.requireDevice(src, "index_add source");
        ctx.requireDevice(out, "index_add output");
        checkIndices("index_add", index, indexLayout, indexType, dim, sizeAt(outLayout, dim));
        Layout cols = dropDim(outLayout, dim);
        long n = cols.numel();
        ctx.run(IndexSource.indexAdd(dtype, indexType), n, new Launch().i64(n).i64(indexLayout.numel())
                .i64(strideAt(srcLayout, dim)).i64(strideAt(outLayout, dim)).layout(dropDim(srcLayout, dim)).ptr(src)
                .layout(cols).ptr(out).layout(indexLayout).ptr(index));
    }

    @Override
    public void maskedFill(Memory in, Layout inLayout, Memory mask, Layout maskLayout, double value, DType dtype,
                           Memory out, Layout outLayout) {
        ctx.requireDevice(in, "masked_fill input");
        ctx.requireDevice(mask, "masked_fill mask");
        ctx.requireDevice(out, "masked_fill output");
        long n = outLayout.numel();
        ctx.run(IndexSource.maskedFill(dtype), n, new Launch().i64(n).f64(value).f64(0).layout(inLayout).ptr(in)
                .layout(maskLayout).ptr(mask).layout(outLayout).ptr(out));
    }

    @Override
    public void cumsum(int dim, Memory in, Layout inLayout, DType inType, Memory out, Layout outLayout,
                       DType outType) {
        ctx.requireDevice(in, "cumsum input");
        ctx.requireDevice(out, "cumsum output");
        int len = sizeAt(inLayout, dim);
        Layout rowsIn = dropDim(inLayout, dim);
        Layout rowsOut = dropDim(outLayout, dim);
        long n = rowsOut.numel();
        ctx.run(IndexSource.cumsum(inType, outType), n, new Launch().i64(n).i64(len).i64(strideAt(inLayout, dim))
                .i64(strideAt(outLayout, dim)).layout(rowsIn).ptr(in).layout(rowsOut).ptr(out));
    }

    private static Layout dropDim(Layout l, int dim) {
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
        return new Layout(shape, strides, l.offset());
    }

    @Override
    public void cat(int dim, Memory[] ins, Layout[] inLayouts, DType dtype, Memory out, Layout outLayout) {
        long start = 0;
        for (int k = 0; k < ins.length; k++) {
            Layout from = inLayouts[k];
            int[] shape = outLayout.shape().clone();
            shape[dim] = from.shape()[dim];
            Layout to = new Layout(shape, outLayout.strides(), outLayout.offset() + start * outLayout.strides()[dim]);
            elementwise.deviceCopy(ins[k], from, dtype, out, to, dtype);
            start += from.shape()[dim];
        }
    }
}
