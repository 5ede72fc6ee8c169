package io.nabla.backend.cpu;

import static io.nabla.backend.cpu.RawMemory.putDouble;
import static io.nabla.backend.cpu.RawMemory.putFloat;

import io.nabla.backend.DType;
import io.nabla.backend.Layout;
import io.nabla.backend.Memory;
import io.nabla.backend.reference.ReferenceNormKernels;

/**
 * Host {@link io.nabla.backend.NormKernels}: fast paths for contiguous FP32/FP64 rows (softmax and log_softmax
 * along the last dim, forward and backward; layer norm forward), both cores over fixed pieces of whole rows; the
 * rest runs the reference loops. FP32 exponentials use {@link FloatExp}; sums accumulate in double.
 */
public class CpuNormKernels extends ReferenceNormKernels {

    /** Elements per piece of work. */
    private static final long SEG = 1 << 15;

    @Override
    public void softmax(boolean log, int dim, Operand in, Operand out, DType dtype) {
        if (!lastDimRows(dim, dtype, in, out)) {
            super.softmax(log, dim, in, out, dtype);
            return;
        }
        boolean f32 = dtype == DType.FP32;
        int n = lastSize(in.layout());
        long x = address(in, dtype);
        long y = address(out, dtype);
        forRows(in.layout().numel(), n, (r0, r1) -> {
            NormRows.Scratch scratch = f32 ? new NormRows.Scratch() : null;
            for (long r = r0; r < r1; r++) {
                long off = r * n * dtype.itemSize();
                if (f32) {
                    NormRows.forwardF(x + off, y + off, n, log, scratch);
                } else {
                    NormRows.forwardD(x + off, y + off, n, log);
                }
            }
        });
    }

    @Override
    public void softmaxBackward(boolean log, int dim, Operand out, Operand gradOut, Operand gradIn, DType dtype) {
        if (!lastDimRows(dim, dtype, out, gradOut, gradIn)) {
            super.softmaxBackward(log, dim, out, gradOut, gradIn, dtype);
            return;
        }
        boolean f32 = dtype == DType.FP32;
        int n = lastSize(out.layout());
        long y = address(out, dtype);
        long g = address(gradOut, dtype);
        long gx = address(gradIn, dtype);
        forRows(out.layout().numel(), n, (r0, r1) -> {
            for (long r = r0; r < r1; r++) {
                long off = r * n * dtype.itemSize();
                if (f32) {
                    NormRows.backwardF(y + off, g + off, gx + off, n, log);
                } else {
                    NormRows.backwardD(y + off, g + off, gx + off, n, log);
                }
            }
        });
    }

    @Override
    public void layerNorm(Operand in, int normalizedDims, Operand weight, Operand bias, double eps, Operand out,
                          Memory mean, Memory rstd, DType dtype, DType statsType) {
        boolean fast = (dtype == DType.FP32 || dtype == DType.FP64) && statsType == dtype
                && contiguous(in, out, weight, bias) && in.layout().numel() > 0;
        if (!fast) {
            super.layerNorm(in, normalizedDims, weight, bias, eps, out, mean, rstd, dtype, statsType);
            return;
        }
        boolean f32 = dtype == DType.FP32;
        int size = dtype.itemSize();
        int[] shape = in.layout().shape();
        long cols = 1;
        for (int d = shape.length - normalizedDims; d < shape.length; d++) {
            cols *= shape[d];
        }
        int n = Math.toIntExact(cols);
        long x = address(in, dtype);
        long y = address(out, dtype);
        long w = weight == null ? 0 : address(weight, dtype);
        long b = bias == null ? 0 : address(bias, dtype);
        long mu = mean.address();
        long rs = rstd.address();
        forRows(in.layout().numel(), n, (r0, r1) -> {
            double[] acc = new double[2];
            for (long r = r0; r < r1; r++) {
                long off = r * n * size;
                double m = RowLoops.sum(f32, x + off, n) / n;
                acc[0] = 0;
                acc[1] = 0;
                RowLoops.sqDev(f32, x + off, n, m, acc, 0);
                double var = Math.max(0, acc[1] - acc[0] * acc[0] / n) / n;
                double inv = 1.0 / Math.sqrt(var + eps);
                if (f32) {
                    putFloat(mu + r * 4, (float) m);
                    putFloat(rs + r * 4, (float) inv);
                    NormRows.affineF(x + off, y + off, n, (float) m, (float) inv, w, b);
                } else {
                    putDouble(mu + r * 8, m);
                    putDouble(rs + r * 8, inv);
                    NormRows.affineD(x + off, y + off, n, m, inv, w, b);
                }
            }
        });
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    /** A body over rows {@code [r0, r1)}. */
    @FunctionalInterface
    private interface RowBody {
        void run(long r0, long r1);
    }

    /** Runs {@code body} over the rows of {@code numel / n} in fixed pieces of whole rows. */
    private static void forRows(long numel, int n, RowBody body) {
        long perChunk = Math.max(1, SEG / n);
        Parallel.forChunks(numel, perChunk * n, (c, s, e) -> body.run(s / n, e / n));
    }

    private static boolean lastDimRows(int dim, DType dtype, Operand... ops) {
        Layout l = ops[0].layout();
        return (dtype == DType.FP32 || dtype == DType.FP64) && l.rank() > 0 && dim == l.rank() - 1
                && l.numel() > 0 && contiguous(ops);
    }

    private static boolean contiguous(Operand... ops) {
        for (Operand o : ops) {
            if (o != null && !o.layout().isContiguous()) {
                return false;
            }
        }
        return true;
    }

    private static int lastSize(Layout l) {
        return l.shape()[l.rank() - 1];
    }

    private static long address(Operand o, DType dtype) {
        return o.memory().address() + o.layout().offset() * dtype.itemSize();
    }
}
