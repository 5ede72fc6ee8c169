package io.nabla.backend.cuda;

import io.nabla.backend.BinaryOp;
import io.nabla.backend.DType;
import io.nabla.backend.ElementwiseKernels;
import io.nabla.backend.ElementwiseMath;
import io.nabla.backend.Layout;
import io.nabla.backend.Memory;
import io.nabla.backend.TernaryOp;
import io.nabla.backend.UnaryOp;

/**
 * Elementwise kernels as generated CUDA C (see {@link ElementwiseSource}), any strides and broadcasts. A copy with
 * one operand in host memory is a transfer and goes through {@link Transfers}.
 */
final class CudaElementwiseKernels implements ElementwiseKernels {

    private final CudaContext ctx;
    private final Transfers transfers;

    CudaElementwiseKernels(CudaContext ctx, Transfers transfers) {
        this.ctx = ctx;
        this.transfers = transfers;
    }

    @Override
    public void fill(Memory dst, Layout layout, DType dtype, double value) {
        ctx.requireDevice(dst, "fill target");
        boolean c = layout.isContiguous();
        ctx.run("fill_" + dtype + c, () -> ElementwiseSource.fill(dtype, c), layout.numel(),
                new Launch().i64(layout.numel()).f64(value).f64(0).layout(layout).ptr(dst));
    }

    @Override
    public void copy(Memory src, Layout srcLayout, DType srcType, Memory dst, Layout dstLayout, DType dstType) {
        if (src.device().isCpu() || dst.device().isCpu()) {
            transfers.copy(src, srcLayout, srcType, dst, dstLayout, dstType);
            return;
        }
        deviceCopy(src, srcLayout, srcType, dst, dstLayout, dstType);
    }

    /** A copy between two views in this device's memory, converting the dtype. */
    void deviceCopy(Memory src, Layout srcLayout, DType srcType, Memory dst, Layout dstLayout, DType dstType) {
        ctx.requireDevice(src, "copy source");
        ctx.requireDevice(dst, "copy target");
        boolean cs = srcLayout.isContiguous();
        boolean cd = dstLayout.isContiguous();
        long n = dstLayout.numel();
        ctx.run("copy" + srcType + dstType + cs + cd, () -> ElementwiseSource.copy(srcType, dstType, cs, cd), n,
                new Launch().i64(n).f64(0).f64(0).layout(srcLayout).ptr(src).layout(dstLayout).ptr(dst));
    }

    @Override
    public void unary(UnaryOp op, double p0, double p1, Memory in, Layout inLayout, Memory out, Layout outLayout,
                      DType dtype) {
        ctx.requireDevice(in, "unary input");
        ctx.requireDevice(out, "unary output");
        if (!dtype.isFloatingPoint() && !ElementwiseSource.hasIntegerForm(op)) {
            throw new IllegalArgumentException("unary " + op + " needs a floating dtype, got " + dtype.torchName());
        }
        boolean ci = inLayout.isContiguous();
        boolean co = outLayout.isContiguous();
        long n = outLayout.numel();
        ctx.run("unary" + op + dtype + ci + co, () -> ElementwiseSource.unary(op, dtype, ci, co), n,
                new Launch().i64(n).f64(ElementwiseMath.param(op, dtype, p0)).f64(ElementwiseMath.param(op, dtype, p1))
                        .layout(inLayout).ptr(in).layout(outLayout).ptr(out));
    }

    @Override
    public void unaryBackward(UnaryOp op, double p0, double p1, Memory grad, Layout gradLayout, Memory saved,
                              Layout savedLayout, Memory out, Layout outLayout, DType dtype) {
        ctx.requireDevice(grad, "gradient");
        ctx.requireDevice(saved, "saved operand");
        ctx.requireDevice(out, "gradient output");
        if (!dtype.isFloatingPoint()) {
            throw new IllegalArgumentException("unary gradients need a floating dtype, got " + dtype.torchName());
        }
        boolean cg = gradLayout.isContiguous();
        boolean cs = savedLayout.isContiguous();
        boolean co = outLayout.isContiguous();
        long n = outLayout.numel();
        ctx.run("unarygrad" + op + dtype + cg + cs + co,
                () -> ElementwiseSource.unaryBackward(op, dtype, cg, cs, co), n,
                new Launch().i64(n).f64(ElementwiseMath.param(op, dtype, p0)).f64(ElementwiseMath.param(op, dtype, p1))
                        .layout(gradLayout).ptr(grad).layout(savedLayout).ptr(saved).layout(outLayout).ptr(out));
    }

    @Override
    public void binary(BinaryOp op, Memory a, Layout aLayout, Memory b, Layout bLayout, DType dtype, Memory out,
                       Layout outLayout, DType outType) {
        ctx.requireDevice(a, "binary operand a");
        ctx.requireDevice(b, "binary operand b");
        ctx.requireDevice(out, "binary output");
        if (op == BinaryOp.DIV && !dtype.isFloatingPoint()) {
            throw new IllegalArgumentException("DIV is true division; the caller computes it in a floating dtype, "
                    + "got " + dtype.torchName());
        }
        boolean ca = aLayout.isContiguous();
        boolean cb = bLayout.isContiguous();
        boolean co = outLayout.isContiguous();
        long n = outLayout.numel();
        ctx.run("binary" + op + dtype + outType + ca + cb + co,
                () -> ElementwiseSource.binary(op, dtype, outType, ca, cb, co), n,
                new Launch().i64(n).f64(0).f64(0).layout(aLayout).ptr(a).layout(bLayout).ptr(b).layout(outLayout)
                        .ptr(out));
    }

    @Override
    public void ternary(TernaryOp op, double value, Memory a, Layout aLayout, Memory b, Layout bLayout, Memory c,
                        Layout cLayout, DType dtype, Memory out, Layout outLayout, DType outType) {
        ctx.requireDevice(a, "ternary operand a");
        ctx.requireDevice(b, "ternary operand b");
        ctx.requireDevice(c, "ternary operand c");
        ctx.requireDevice(out, "ternary output");
        boolean ca = aLayout.isContiguous();
        boolean cb = bLayout.isContiguous();
        boolean cc = cLayout.isContiguous();
        boolean co = outLayout.isContiguous();
        long n = outLayout.numel();
        ctx.run("ternary" + op + dtype + outType + ca + cb + cc + co,
                () -> ElementwiseSource.ternary(op, dtype, outType, ca, cb, cc, co), n,
                new Launch().i64(n).f64(value).f64(0).layout(aLayout).ptr(a).layout(bLayout).ptr(b).layout(cLayout)
                        .ptr(c).layout(outLayout).ptr(out));
    }

    @Override
    public void where(Memory cond, Layout condLayout, Memory a, Layout aLayout, Memory b, Layout bLayout,
                      DType dtype, Memory out, Layout outLayout) {
        ctx.requireDevice(cond, "where condition");
        ctx.requireDevice(a, "where operand a");
        ctx.requireDevice(b, "where operand b");
        ctx.requireDevice(out, "where output");
        boolean cc = condLayout.isContiguous();
        boolean ca = aLayout.isContiguous();
        boolean cb = bLayout.isContiguous();
        boolean co = outLayout.isContiguous();
        long n = outLayout.numel();
        ctx.run("where" + dtype + cc + ca + cb + co, () -> ElementwiseSource.where(dtype, cc, ca, cb, co), n,
                new Launch().i64(n).f64(0).f64(0).layout(condLayout).ptr(cond).layout(aLayout).ptr(a).layout(bLayout)
                        .ptr(b).layout(outLayout).ptr(out));
    }
}
