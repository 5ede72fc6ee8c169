package io.nabla.backend.cpu;

import io.nabla.backend.BinaryOp;
import io.nabla.backend.DType;
import io.nabla.backend.Layout;
import io.nabla.backend.Memory;
import io.nabla.backend.TernaryOp;
import io.nabla.backend.UnaryOp;
import io.nabla.backend.reference.ReferenceElementwiseKernels;
import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;

/**
 * Host {@link io.nabla.backend.ElementwiseKernels}: fast paths over the reference loops. FP32 and FP64 operands of
 * any layout are merged into runs ({@link Runs}: contiguous tensors become one run, broadcast operands keep stride
 * 0) and processed by the typed loops of {@link FloatLoops}/{@link DoubleLoops}, on both cores for large tensors.
 * Unit-stride FP32 add and sub run in OpenBLAS ({@link BlasLoops#axpy}). Other dtypes (FP16, BF16, integers,
 * bool) and dtype-converting stores use the reference loops. Results equal the reference backend's bit for bit.
 */
public class CpuElementwiseKernels extends ReferenceElementwiseKernels {

    /** Elements per parallel chunk: large enough to amortise a task, small enough to split 16 M elements well. */
    static final long GRAIN = 1 << 16;

    @Override
    public void copy(Memory src, Layout srcLayout, DType srcType, Memory dst, Layout dstLayout, DType dstType) {
        if (dstLayout.numel() == 0) {
            return;
        }
        if (!CopyLoops.copy(src, srcLayout, srcType, dst, dstLayout, dstType)) {
            super.copy(src, srcLayout, srcType, dst, dstLayout, dstType);
        }
    }

    @Override
    public void fill(Memory dst, Layout layout, DType dtype, double value) {
        if (layout.numel() == 0) {
            return;
        }
        if (!CopyLoops.fill(dst, layout, dtype, value)) {
            super.fill(dst, layout, dtype, value);
        }
    }

    @Override
    protected void unaryKernel(UnaryOp op, double p0, double p1, Memory in, Layout inLayout, Memory out,
                               Layout outLayout, DType dtype) {
        if (dtype == DType.FP32) {
            FloatBuffer x = floats(in);
            FloatBuffer y = floats(out);
            Runs r = Runs.of(outLayout.shape(), inLayout, outLayout);
            int sx = r.innerStride(0);
            int sy = r.innerStride(1);
            r.parallel(GRAIN, (o, n) -> FloatLoops.unary(op, p0, p1, x, o[0], sx, y, o[1], sy, n));
        } else if (dtype == DType.FP64) {
            DoubleBuffer x = doubles(in);
            DoubleBuffer y = doubles(out);
            Runs r = Runs.of(outLayout.shape(), inLayout, outLayout);
            int sx = r.innerStride(0);
            int sy = r.innerStride(1);
            r.parallel(GRAIN, (o, n) -> DoubleLoops.unary(op, p0, p1, x, o[0], sx, y, o[1], sy, n));
        } else if ((dtype == DType.FP16 || dtype == DType.BF16) && RawMemory.bufferAddresses()) {
            long x = in.address();
            long y = out.address();
            boolean bf16 = dtype == DType.BF16;
            Runs r = Runs.of(outLayout.shape(), inLayout, outLayout);
            int sx = r.innerStride(0);
            int sy = r.innerStride(1);
            r.parallel(GRAIN, (o, n) -> {
                Scratch sc = Scratch.get();
                FloatBuffer a = sc.floats(0);
                FloatBuffer b = sc.floats(1);
                for (int done = 0; done < n; done += Scratch.BLOCK) {
                    int m = Math.min(Scratch.BLOCK, n - done);
                    CopyLoops.widen(x, o[0] + done * sx, sx, RawMemory.address(a), 0, 1, m, bf16, false);
                    FloatLoops.unary(op, p0, p1, a, 0, 1, b, 0, 1, m);
                    CopyLoops.narrow(RawMemory.address(b), 0, 1, y, o[1] + done * sy, sy, m, bf16, false);
                }
            });
        } else {
            super.unaryKernel(op, p0, p1, in, inLayout, out, outLayout, dtype);
        }
    }

    /*
     * FP16/BF16 elementwise ops run the FP32 loops on blocks widened to float: the reference computes every
     * floating op in double, rounds it to float (which the FP32 loops reproduce bit for bit) and then to the half
     * type, and a half value widens to float exactly, so the results are the reference's.
     */

    @Override
    protected void unaryBackwardKernel(UnaryOp op, double p0, double p1, Memory grad, Layout gradLayout,
                                       Memory saved, Layout savedLayout, Memory out, Layout outLayout, DType dtype) {
        if (dtype == DType.FP32) {
            FloatBuffer g = floats(grad);
            FloatBuffer s = floats(saved);
            FloatBuffer y = floats(out);
            Runs r = Runs.of(outLayout.shape(), gradLayout, savedLayout, outLayout);
            int sg = r.innerStride(0);
            int ss = r.innerStride(1);
            int sy = r.innerStride(2);
            r.parallel(GRAIN, (o, n) -> FloatLoops.unaryBackward(op, p0, p1, g, o[0], sg, s, o[1], ss, y, o[2], sy,
                    n));
        } else if (dtype == DType.FP64) {
            DoubleBuffer g = doubles(grad);
            DoubleBuffer s = doubles(saved);
            DoubleBuffer y = doubles(out);
            Runs r = Runs.of(outLayout.shape(), gradLayout, savedLayout, outLayout);
            int sg = r.innerStride(0);
            int ss = r.innerStride(1);
            int sy = r.innerStride(2);
            r.parallel(GRAIN, (o, n) -> DoubleLoops.unaryBackward(op, p0, p1, g, o[0], sg, s, o[1], ss, y, o[2], sy,
                    n));
        } else if ((dtype == DType.FP16 || dtype == DType.BF16) && RawMemory.bufferAddresses()) {
            long g = grad.address();
            long s = saved.address();
            long y = out.address();
            boolean bf16 = dtype == DType.BF16;
            Runs r = Runs.of(outLayout.shape(), gradLayout, savedLayout, outLayout);
            int sg = r.innerStride(0);
            int ss = r.innerStride(1);
            int sy = r.innerStride(2);
            r.parallel(GRAIN, (o, n) -> {
                Scratch sc = Scratch.get();
                FloatBuffer fg = sc.floats(0);
                FloatBuffer fs = sc.floats(1);
                FloatBuffer fy = sc.floats(2);
                for (int done = 0; done < n; done += Scratch.BLOCK) {
                    int m = Math.min(Scratch.BLOCK, n - done);
                    CopyLoops.widen(g, o[0] + done * sg, sg, RawMemory.address(fg), 0, 1, m, bf16, false);
                    CopyLoops.widen(s, o[1] + done * ss, ss, RawMemory.address(fs), 0, 1, m, bf16, false);
                    FloatLoops.unaryBackward(op, p0, p1, fg, 0, 1, fs, 0, 1, fy, 0, 1, m);
                    CopyLoops.narrow(RawMemory.address(fy), 0, 1, y, o[2] + done * sy, sy, m, bf16, false);
                }
            });
        } else {
            super.unaryBackwardKernel(op, p0, p1, grad, gradLayout, saved, savedLayout, out, outLayout, dtype);
        }
    }

    @Override
    protected void binaryKernel(BinaryOp op, Memory a, Layout aLayout, Memory b, Layout bLayout, DType dtype,
                                Memory out, Layout outLayout, DType outType) {
        boolean typed = op.isComparison() ? outType == DType.BOOL : outType == dtype;
        if (!typed || (dtype != DType.FP32 && dtype != DType.FP64)) {
            super.binaryKernel(op, a, aLayout, b, bLayout, dtype, out, outLayout, outType);
            return;
        }
        Runs r = Runs.of(outLayout.shape(), aLayout, bLayout, outLayout);
        int sa = r.innerStride(0);
        int sb = r.innerStride(1);
        int sy = r.innerStride(2);
        if (dtype == DType.FP32) {
            FloatBuffer x = floats(a);
            FloatBuffer z = floats(b);
            if (op.isComparison()) {
                ByteBuffer y = out.hostBuffer();
                r.parallel(GRAIN, (o, n) -> FloatLoops.compare(op, x, o[0], sa, z, o[1], sb, y, o[2], sy, n));
            } else if (NativeLoops.available() && NativeLoops.code(op) >= 0 && sa == 1 && sb == 1 && sy == 1) {
                FloatBuffer y = floats(out);
                int code = NativeLoops.code(op);
                boolean stream = (outLayout.numel() << 2) >= NativeLoops.STREAM_BYTES;
                long pa = a.address();
                long pb = b.address();
                long py = out.address();
                r.parallel(GRAIN, (o, n) -> {
                    if (!NativeLoops.binary(code, pa + ((long) o[0] << 2), pb + ((long) o[1] << 2),
                            py + ((long) o[2] << 2), n, stream)) {
                        FloatLoops.binary(op, x, o[0], sa, z, o[1], sb, y, o[2], sy, n);
                    }
                });
            } else if ((op == BinaryOp.ADD || op == BinaryOp.SUB) && sa == 1 && sb == 1 && sy == 1
                    && OpenBlas.available()) {
                FloatBuffer y = floats(out);
                float alpha = op == BinaryOp.ADD ? 1f : -1f;
                long pa = a.address();
                long pb = b.address();
                long py = out.address();
                r.parallel(GRAIN, (o, n) -> {
                    if (!BlasLoops.axpy(alpha, pa + ((long) o[0] << 2), pb + ((long) o[1] << 2),
                            py + ((long) o[2] << 2), n)) {
                        FloatLoops.binary(op, x, o[0], sa, z, o[1], sb, y, o[2], sy, n);
                    }
                });
            } else {
                FloatBuffer y = floats(out);
                r.parallel(GRAIN, (o, n) -> FloatLoops.binary(op, x, o[0], sa, z, o[1], sb, y, o[2], sy, n));
            }
        } else {
            DoubleBuffer x = doubles(a);
            DoubleBuffer z = doubles(b);
            if (op.isComparison()) {
                ByteBuffer y = out.hostBuffer();
                r.parallel(GRAIN, (o, n) -> DoubleLoops.compare(op, x, o[0], sa, z, o[1], sb, y, o[2], sy, n));
            } else {
                DoubleBuffer y = doubles(out);
                r.parallel(GRAIN, (o, n) -> DoubleLoops.binary(op, x, o[0], sa, z, o[1], sb, y, o[2], sy, n));
            }
        }
    }

    @Override
    protected void ternaryKernel(TernaryOp op, double value, Memory a, Layout aLayout, Memory b, Layout bLayout,
                                 Memory c, Layout cLayout, DType dtype, Memory out, Layout outLayout,
                                 DType outType) {
        if (outType != dtype || (dtype != DType.FP32 && dtype != DType.FP64)) {
            super.ternaryKernel(op, value, a, aLayout, b, bLayout, c, cLayout, dtype, out, outLayout, outType);
            return;
        }
        Runs r = Runs.of(outLayout.shape(), aLayout, bLayout, cLayout, outLayout);
        int sa = r.innerStride(0);
        int sb = r.innerStride(1);
        int sc = r.innerStride(2);
        int sy = r.innerStride(3);
        if (dtype == DType.FP32) {
            FloatBuffer x = floats(a);
            FloatBuffer z = floats(b);
            FloatBuffer w = floats(c);
            FloatBuffer y = floats(out);
            r.parallel(GRAIN, (o, n) -> FloatLoops.ternary(op, value, x, o[0], sa, z, o[1], sb, w, o[2], sc, y,
                    o[3], sy, n));
        } else {
            DoubleBuffer x = doubles(a);
            DoubleBuffer z = doubles(b);
            DoubleBuffer w = doubles(c);
            DoubleBuffer y = doubles(out);
            r.parallel(GRAIN, (o, n) -> DoubleLoops.ternary(op, value, x, o[0], sa, z, o[1], sb, w, o[2], sc, y,
                    o[3], sy, n));
        }
    }

    @Override
    protected void whereKernel(Memory cond, Layout condLayout, Memory a, Layout aLayout, Memory b, Layout bLayout,
                               DType dtype, Memory out, Layout outLayout) {
        if (dtype != DType.FP32 && dtype != DType.FP64) {
            super.whereKernel(cond, condLayout, a, aLayout, b, bLayout, dtype, out, outLayout);
            return;
        }
        ByteBuffer m = cond.hostBuffer();
        Runs r = Runs.of(outLayout.shape(), condLayout, aLayout, bLayout, outLayout);
        int sm = r.innerStride(0);
        int sa = r.innerStride(1);
        int sb = r.innerStride(2);
        int sy = r.innerStride(3);
        if (dtype == DType.FP32) {
            FloatBuffer x = floats(a);
            FloatBuffer z = floats(b);
            FloatBuffer y = floats(out);
            r.parallel(GRAIN, (o, n) -> FloatLoops.where(m, o[0], sm, x, o[1], sa, z, o[2], sb, y, o[3], sy, n));
        } else {
            DoubleBuffer x = doubles(a);
            DoubleBuffer z = doubles(b);
            DoubleBuffer y = doubles(out);
            r.parallel(GRAIN, (o, n) -> DoubleLoops.where(m, o[0], sm, x, o[1], sa, z, o[2], sb, y, o[3], sy, n));
        }
    }

    private static FloatBuffer floats(Memory m) {
        return m.hostBuffer().asFloatBuffer();
    }

    private static DoubleBuffer doubles(Memory m) {
        return m.hostBuffer().asDoubleBuffer();
    }
}
