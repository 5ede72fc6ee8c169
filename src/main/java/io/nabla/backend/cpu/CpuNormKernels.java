package io.nabla.backend.cpu;

import static io.nabla.backend.cpu.RawMemory.putDouble;
import static io.nabla.backend.cpu.RawMemory.putFloat;

import io.nabla.backend.DType;
import io.nabla.backend.Layout;
import io.nabla.backend.Memory;
import io.nabla.backend.reference.ReferenceNormKernels;

/**
 * Host {@link io.nabla.backend.NormKernels}: fast paths for contiguous FP32/FP64 operands (softmax and log_softmax
 * along the last dim, layer norm and batch norm, forward and backward), both cores over fixed pieces of whole rows
 * or channels; the rest runs the reference loops. FP32 exponentials use {@link FloatExp}; sums accumulate in double.
 * Layer norm's weight and bias gradients sum per-piece partials in piece order, so no result depends on the number
 * of threads.
 */
public class CpuNormKernels extends ReferenceNormKernels {

    /** Elements per piece of work. */
    private static final long SEG = 1 << 15;

    @Override
    public void softmax(boolean log, int dim, Operand in, Operand out, DType dtype) {
        if (!lastDimRows(dim, dtype, in, out)) {
            SoftmaxColumns cols = columns(dim, dtype, in, out);
            if (cols != null) {
                cols.forward(address(in, dtype), address(out, dtype), log);
            } else {
                super.softmax(log, dim, in, out, dtype);
            }
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
            SoftmaxColumns cols = columns(dim, dtype, out, gradOut, gradIn);
            if (cols != null) {
                cols.backward(address(out, dtype), address(gradOut, dtype), address(gradIn, dtype), log);
            } else {
                super.softmaxBackward(log, dim, out, gradOut, gradIn, dtype);
            }
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
                    LayerNormRows.affineF(x + off, y + off, n, (float) m, (float) inv, w, b);
                } else {
                    putDouble(mu + r * 8, m);
                    putDouble(rs + r * 8, inv);
                    LayerNormRows.affineD(x + off, y + off, n, m, inv, w, b);
                }
            }
        });
    }

    @Override
    public void layerNormBackward(Operand in, int normalizedDims, Operand weight, Memory mean, Memory rstd,
                                  Operand gradOut, Operand gradIn, Operand gradWeight, Operand gradBias, DType dtype,
                                  DType statsType) {
        boolean fast = (dtype == DType.FP32 || dtype == DType.FP64) && statsType == dtype
                && contiguous(in, weight, gradOut, gradIn, gradWeight, gradBias) && in.layout().numel() > 0;
        if (!fast) {
            super.layerNormBackward(in, normalizedDims, weight, mean, rstd, gradOut, gradIn, gradWeight, gradBias,
                    dtype, statsType);
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
        long numel = in.layout().numel();
        long x = address(in, dtype);
        long g = address(gradOut, dtype);
        long w = weight == null ? 0 : address(weight, dtype);
        long gx = gradIn == null ? 0 : address(gradIn, dtype);
        long mu = mean.address();
        long rs = rstd.address();
        long rowsPerChunk = Math.max(1, (SEG * 4) / n);
        int chunks = Parallel.chunkCount(numel, rowsPerChunk * n);
        double[][] partW = gradWeight == null ? null : new double[chunks][];
        double[][] partB = gradBias == null ? null : new double[chunks][];
        Parallel.forChunks(numel, rowsPerChunk * n, (c, s, e) -> {
            double[] pw = partW == null ? null : new double[n];
            double[] pb = partB == null ? null : new double[n];
            for (long r = s / n; r < e / n; r++) {
                long off = r * n * size;
                LayerNormRows.backward(f32, x + off, g + off, w, gx == 0 ? 0 : gx + off, n,
                        RawMemory.load(f32, mu, r), RawMemory.load(f32, rs, r), pw, pb);
            }
            if (pw != null) {
                partW[c] = pw;
            }
            if (pb != null) {
                partB[c] = pb;
            }
        });
        storeSum(f32, partW, gradWeight, dtype, n);
        storeSum(f32, partB, gradBias, dtype, n);
    }

    /** Sums per-chunk partials in chunk order into {@code dst}. */
    private static void storeSum(boolean f32, double[][] parts, Operand dst, DType dtype, int n) {
        if (parts == null) {
            return;
        }
        double[] total = new double[n];
        for (double[] p : parts) {
            for (int i = 0; i < n; i++) {
                total[i] += p[i];
            }
        }
        long a = address(dst, dtype);
        for (int i = 0; i < n; i++) {
            RawMemory.store(f32, a, i, total[i]);
        }
    }

    @Override
    public void batchNorm(Operand in, Operand weight, Operand bias, Operand runningMean, Operand runningVar,
                          boolean training, double momentum, double eps, Operand out, Memory saveMean,
                          Memory saveRstd, DType dtype, DType statsType) {
        if (!batchNormFast(dtype, statsType, in, out, weight, bias, runningMean, runningVar)) {
            super.batchNorm(in, weight, bias, runningMean, runningVar, training, momentum, eps, out, saveMean,
                    saveRstd, dtype, statsType);
            return;
        }
        int[] shape = in.layout().shape();
        long spatial = in.layout().numel() / ((long) shape[0] * shape[1]);
        BatchNormChannels ch = new BatchNormChannels(dtype == DType.FP32, shape[0], shape[1], spatial);
        long x = address(in, dtype);
        long y = address(out, dtype);
        long w = optAddress(weight, dtype);
        long b = optAddress(bias, dtype);
        long rm = optAddress(runningMean, dtype);
        long rv = optAddress(runningVar, dtype);
        long per = (long) shape[0] * spatial;
        Parallel.forChunks(in.layout().numel(), per, (c, s, e) -> ch.forward(c, x, y, w, b, rm, rv, training,
                momentum, eps, saveMean.address(), saveRstd.address()));
    }

    @Override
    public void batchNormBackward(boolean training, Operand in, Operand weight, Memory saveMean, Memory saveRstd,
                                  Operand gradOut, Operand gradIn, Operand gradWeight, Operand gradBias, DType dtype,
                                  DType statsType) {
        if (!batchNormFast(dtype, statsType, in, weight, gradOut, gradIn, gradWeight, gradBias)) {
            super.batchNormBackward(training, in, weight, saveMean, saveRstd, gradOut, gradIn, gradWeight, gradBias,
                    dtype, statsType);
            return;
        }
        int[] shape = in.layout().shape();
        long spatial = in.layout().numel() / ((long) shape[0] * shape[1]);
        BatchNormChannels ch = new BatchNormChannels(dtype == DType.FP32, shape[0], shape[1], spatial);
        long x = address(in, dtype);
        long g = address(gradOut, dtype);
        long w = optAddress(weight, dtype);
        long gx = optAddress(gradIn, dtype);
        long gw = optAddress(gradWeight, dtype);
        long gb = optAddress(gradBias, dtype);
        long per = (long) shape[0] * spatial;
        Parallel.forChunks(in.layout().numel(), per, (c, s, e) -> ch.backward(c, training, x, g, w,
                saveMean.address(), saveRstd.address(), gx, gw, gb));
    }

    private static boolean batchNormFast(DType dtype, DType statsType, Operand... ops) {
        return (dtype == DType.FP32 || dtype == DType.FP64) && statsType == dtype && contiguous(ops)
                && ops[0].layout().numel() > 0;
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

    /** The column form of a softmax along a non-last dim of contiguous FP32/FP64 operands, else null. */
    private static SoftmaxColumns columns(int dim, DType dtype, Operand... ops) {
        Layout l = ops[0].layout();
        if ((dtype != DType.FP32 && dtype != DType.FP64) || l.numel() == 0 || !contiguous(ops)) {
            return null;
        }
        int[] shape = l.shape();
        long outer = 1;
        long inner = 1;
        for (int d = 0; d < shape.length; d++) {
            if (d < dim) {
                outer *= shape[d];
            } else if (d > dim) {
                inner *= shape[d];
            }
        }
        return new SoftmaxColumns(dtype == DType.FP32, outer, shape[dim], inner);
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

    private static long optAddress(Operand o, DType dtype) {
        return o == null ? 0 : address(o, dtype);
    }

    private static long address(Operand o, DType dtype) {
        return o.memory().address() + o.layout().offset() * dtype.itemSize();
    }
}
