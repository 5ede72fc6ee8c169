package io.nabla.backend.cpu;

import io.nabla.backend.DType;
import io.nabla.backend.Layout;
import io.nabla.backend.PointwiseLoss;
import io.nabla.backend.reference.ReferenceLossKernels;
import java.nio.ByteBuffer;

/**
 * Host {@link io.nabla.backend.LossKernels}: fast paths over the reference loops for FP32/FP64 operands laid out
 * densely. Class losses read each row once into a scratch array (no allocation per element) and use the
 * reference's row maths, so the values are identical and only the summation order differs; pointwise losses run
 * a flat loop (broadcast operands may be a scalar or a vector along the last dimension). Work is split over the
 * compute pool only when there are many elements, in chunks of whole rows, and per-chunk sums are added in chunk
 * order so results do not depend on the thread count. Other layouts and dtypes fall back to the reference.
 */
public class CpuLossKernels extends ReferenceLossKernels {

    /** Elements per parallel chunk; a class-loss chunk holds whole rows. */
    private static final long GRAIN = 1 << 14;

    // ---- class-index losses ------------------------------------------------------------------------------------

    @Override
    public void classIndex(boolean logSoftmax, Operand input, Operand target, Operand weight, DType dtype,
                           long ignoreIndex, double eps, Reduction reduction, Operand out) {
        boolean none = reduction == Reduction.NONE;
        if (!isFast(dtype) || isEmpty(input.layout()) || !input.layout().isContiguous()
                || !target.layout().isContiguous() || (none && !out.layout().isContiguous())) {
            super.classIndex(logSoftmax, input, target, weight, dtype, ignoreIndex, eps, reduction, out);
            return;
        }
        Rows rows = new Rows(input.layout());
        int classes = rows.classes;
        double[] w = classWeights(weight, dtype, classes);
        ByteBuffer xb = input.memory().hostBuffer();
        ByteBuffer tb = target.memory().hostBuffer();
        ByteBuffer ob = out.memory().hostBuffer();
        long tOff = target.layout().offset();
        long oOff = out.layout().offset();
        long n = rows.count * classes;
        long grain = rows.grain();
        int chunks = Parallel.chunkCount(n, grain);
        double[] totals = new double[chunks];
        double[] weightSums = new double[chunks];
        Parallel.forChunks(n, grain, (chunk, start, end) -> {
            double[] x = new double[classes];
            double total = 0;
            double weightSum = 0;
            for (long r = start / classes; r < end / classes; r++) {
                long y = tb.getLong(bytes(tOff + r, 8));
                double loss = 0;
                if (y != ignoreIndex) {
                    int k = checkClass(y, classes, ignoreIndex);
                    rows.read(xb, dtype, r, x);
                    loss = rowLoss(logSoftmax, x, k, w, eps);
                    weightSum += w == null ? 1 : w[k];
                }
                if (none) {
                    put(ob, dtype, oOff + r, loss);
                } else {
                    total += loss;
                }
            }
            totals[chunk] = total;
            weightSums[chunk] = weightSum;
        });
        if (!none) {
            double total = 0;
            double weightSum = 0;
            for (int c = 0; c < chunks; c++) {
                total += totals[c];
                weightSum += weightSums[c];
            }
            put(ob, dtype, oOff, reduction == Reduction.MEAN ? total / weightSum : total);
        }
    }

    @Override
    public void classIndexBackward(boolean logSoftmax, Operand gradOut, Operand input, Operand target,
                                   Operand weight, DType dtype, long ignoreIndex, double eps, Reduction reduction,
                                   Operand gradInput) {
        int gStep = flatStep(gradOut.layout());
        if (!isFast(dtype) || gStep < 0 || isEmpty(input.layout()) || !input.layout().isContiguous()
                || !target.layout().isContiguous() || !gradInput.layout().isContiguous()) {
            super.classIndexBackward(logSoftmax, gradOut, input, target, weight, dtype, ignoreIndex, eps, reduction,
                    gradInput);
            return;
        }
        Rows rows = new Rows(input.layout());
        Rows gradRows = new Rows(gradInput.layout());
        int classes = rows.classes;
        double[] w = classWeights(weight, dtype, classes);
        double wTotal = sumOrCount(w, classes);
        double divisor = reduction == Reduction.MEAN ? targetWeightSum(target, w, classes, ignoreIndex) : 1;
        ByteBuffer xb = input.memory().hostBuffer();
        ByteBuffer tb = target.memory().hostBuffer();
        ByteBuffer gb = gradOut.memory().hostBuffer();
        ByteBuffer gib = gradInput.memory().hostBuffer();
        long tOff = target.layout().offset();
        long gOff = gradOut.layout().offset();
        Parallel.forChunks(rows.count * classes, rows.grain(), (chunk, start, end) -> {
            double[] x = new double[classes];
            double[] grad = new double[classes];
            for (long r = start / classes; r < end / classes; r++) {
                long y = tb.getLong(bytes(tOff + r, 8));
                if (y == ignoreIndex) {
                    java.util.Arrays.fill(grad, 0);
                } else {
                    int k = checkClass(y, classes, ignoreIndex);
                    rows.read(xb, dtype, r, x);
                    double g = get(gb, dtype, gOff + r * gStep) / divisor;
                    rowGrad(logSoftmax, x, k, w, wTotal, eps, g, grad);
                }
                gradRows.write(gib, dtype, r, grad);
            }
        });
    }

    // ---- probability targets -----------------------------------------------------------------------------------

    @Override
    public void classProbability(Operand input, Operand target, Operand weight, DType dtype, double eps,
                                 Reduction reduction, Operand out) {
        boolean none = reduction == Reduction.NONE;
        if (!isFast(dtype) || isEmpty(input.layout()) || !input.layout().isContiguous()
                || !target.layout().isContiguous() || (none && !out.layout().isContiguous())) {
            super.classProbability(input, target, weight, dtype, eps, reduction, out);
            return;
        }
        Rows rows = new Rows(input.layout());
        Rows targetRows = new Rows(target.layout());
        int classes = rows.classes;
        double[] w = classWeights(weight, dtype, classes);
        ByteBuffer xb = input.memory().hostBuffer();
        ByteBuffer tb = target.memory().hostBuffer();
        ByteBuffer ob = out.memory().hostBuffer();
        long oOff = out.layout().offset();
        long n = rows.count * classes;
        int chunks = Parallel.chunkCount(n, rows.grain());
        double[] totals = new double[chunks];
        Parallel.forChunks(n, rows.grain(), (chunk, start, end) -> {
            double[] x = new double[classes];
            double[] t = new double[classes];
            double total = 0;
            for (long r = start / classes; r < end / classes; r++) {
                rows.read(xb, dtype, r, x);
                targetRows.read(tb, dtype, r, t);
                double loss = probabilityRowLoss(x, t, w, eps);
                if (none) {
                    put(ob, dtype, oOff + r, loss);
                } else {
                    total += loss;
                }
            }
            totals[chunk] = total;
        });
        if (!none) {
            double total = 0;
            for (double v : totals) {
                total += v;
            }
            put(ob, dtype, oOff, reduction == Reduction.MEAN ? total / rows.count : total);
        }
    }

    @Override
    public void classProbabilityBackward(Operand gradOut, Operand input, Operand target, Operand weight,
                                         DType dtype, double eps, Reduction reduction, Operand gradInput,
                                         Operand gradTarget) {
        int gStep = flatStep(gradOut.layout());
        if (!isFast(dtype) || gStep < 0 || isEmpty(input.layout()) || !input.layout().isContiguous()
                || !target.layout().isContiguous() || (gradInput != null && !gradInput.layout().isContiguous())
                || (gradTarget != null && !gradTarget.layout().isContiguous())) {
            super.classProbabilityBackward(gradOut, input, target, weight, dtype, eps, reduction, gradInput,
                    gradTarget);
            return;
        }
        Rows rows = new Rows(input.layout());
        Rows targetRows = new Rows(target.layout());
        Rows giRows = gradInput == null ? null : new Rows(gradInput.layout());
        Rows gtRows = gradTarget == null ? null : new Rows(gradTarget.layout());
        int classes = rows.classes;
        double[] w = classWeights(weight, dtype, classes);
        double divisor = reduction == Reduction.MEAN ? rows.count : 1;
        ByteBuffer xb = input.memory().hostBuffer();
        ByteBuffer tb = target.memory().hostBuffer();
        ByteBuffer gb = gradOut.memory().hostBuffer();
        ByteBuffer gib = gradInput == null ? null : gradInput.memory().hostBuffer();
        ByteBuffer gtb = gradTarget == null ? null : gradTarget.memory().hostBuffer();
        long gOff = gradOut.layout().offset();
        Parallel.forChunks(rows.count * classes, rows.grain(), (chunk, start, end) -> {
            double[] x = new double[classes];
            double[] t = new double[classes];
            double[] gi = giRows == null ? null : new double[classes];
            double[] gt = gtRows == null ? null : new double[classes];
            for (long r = start / classes; r < end / classes; r++) {
                rows.read(xb, dtype, r, x);
                targetRows.read(tb, dtype, r, t);
                double g = get(gb, dtype, gOff + r * gStep) / divisor;
                probabilityRowGrad(x, t, w, eps, g, gi, gt);
                if (gi != null) {
                    giRows.write(gib, dtype, r, gi);
                }
                if (gt != null) {
                    gtRows.write(gtb, dtype, r, gt);
                }
            }
        });
    }

    /** Row {@code r} of a dense {@code (N, C, d1, ...)} layout starts at {@code (r / S) C S + r % S}, classes S apart. */
    private static final class Rows {
        final long offset;
        final int classes;
        final long inner;
        final long count;

        Rows(Layout l) {
            int[] shape = l.shape();
            long s = 1;
            for (int d = 2; d < shape.length; d++) {
                s *= shape[d];
            }
            this.offset = l.offset();
            this.classes = shape[1];
            this.inner = s;
            this.count = shape[0] * s;
        }

        /** Elements per chunk: a whole number of rows, about {@link #GRAIN} elements. */
        long grain() {
            return Math.max(1, GRAIN / Math.max(classes, 1)) * classes;
        }

        long base(long r) {
            return inner == 1 ? offset + r * classes : offset + (r / inner) * classes * inner + r % inner;
        }

        void read(ByteBuffer b, DType dtype, long r, double[] dst) {
            long base = base(r);
            if (dtype == DType.FP32) {
                for (int c = 0; c < dst.length; c++) {
                    dst[c] = b.getFloat(bytes(base + c * inner, 4));
                }
            } else {
                for (int c = 0; c < dst.length; c++) {
                    dst[c] = b.getDouble(bytes(base + c * inner, 8));
                }
            }
        }

        void write(ByteBuffer b, DType dtype, long r, double[] src) {
            long base = base(r);
            if (dtype == DType.FP32) {
                for (int c = 0; c < src.length; c++) {
                    b.putFloat(bytes(base + c * inner, 4), (float) src[c]);
                }
            } else {
                for (int c = 0; c < src.length; c++) {
                    b.putDouble(bytes(base + c * inner, 8), src[c]);
                }
            }
        }
    }

    // ---- pointwise losses --------------------------------------------------------------------------------------

    @Override
    public void pointwise(PointwiseLoss loss, double beta, Operand input, Operand target, Operand weight,
                          Operand posWeight, DType dtype, boolean reduce, double scale, Operand out) {
        Flat x = Flat.of(input);
        Flat t = Flat.of(target);
        Flat w = Flat.of(weight);
        Flat pw = Flat.of(posWeight);
        Flat o = reduce ? Flat.NONE : Flat.of(out);
        if (!isFast(dtype) || !dense(x) || !dense(t) || w == null || pw == null || !dense(o)) {
            super.pointwise(loss, beta, input, target, weight, posWeight, dtype, reduce, scale, out);
            return;
        }
        ByteBuffer xb = input.memory().hostBuffer();
        ByteBuffer tb = target.memory().hostBuffer();
        ByteBuffer wb = weight == null ? null : weight.memory().hostBuffer();
        ByteBuffer pb = posWeight == null ? null : posWeight.memory().hostBuffer();
        ByteBuffer ob = out.memory().hostBuffer();
        long n = input.layout().numel();
        int chunks = Parallel.chunkCount(n, GRAIN);
        double[] sums = new double[chunks];
        Parallel.forChunks(n, GRAIN, (chunk, start, end) -> {
            double sum = 0;
            for (long i = start; i < end; i++) {
                double p = pb == null ? 1 : get(pb, dtype, pw.index(i));
                double v = loss.value(get(xb, dtype, x.index(i)), get(tb, dtype, t.index(i)), beta, p);
                if (wb != null) {
                    v *= get(wb, dtype, w.index(i));
                }
                if (reduce) {
                    sum += v;
                } else {
                    put(ob, dtype, o.index(i), scale * v);
                }
            }
            sums[chunk] = sum;
        });
        if (reduce) {
            double sum = 0;
            for (double s : sums) {
                sum += s;
            }
            put(ob, dtype, out.layout().offset(), scale * sum);
        }
    }

    @Override
    public void pointwiseBackward(PointwiseLoss loss, double beta, Operand gradOut, Operand input, Operand target,
                                  Operand weight, Operand posWeight, DType dtype, double scale, Operand gradInput,
                                  Operand gradTarget) {
        Flat g = Flat.of(gradOut);
        Flat x = Flat.of(input);
        Flat t = Flat.of(target);
        Flat w = Flat.of(weight);
        Flat pw = Flat.of(posWeight);
        Flat gi = Flat.of(gradInput);
        Flat gt = Flat.of(gradTarget);
        if (!isFast(dtype) || g == null || !dense(x) || !dense(t) || w == null || pw == null || !dense(gi)
                || !dense(gt)) {
            super.pointwiseBackward(loss, beta, gradOut, input, target, weight, posWeight, dtype, scale, gradInput,
                    gradTarget);
            return;
        }
        ByteBuffer gb = gradOut.memory().hostBuffer();
        ByteBuffer xb = input.memory().hostBuffer();
        ByteBuffer tb = target.memory().hostBuffer();
        ByteBuffer wb = weight == null ? null : weight.memory().hostBuffer();
        ByteBuffer pb = posWeight == null ? null : posWeight.memory().hostBuffer();
        ByteBuffer gib = gradInput == null ? null : gradInput.memory().hostBuffer();
        ByteBuffer gtb = gradTarget == null ? null : gradTarget.memory().hostBuffer();
        Parallel.forChunks(input.layout().numel(), GRAIN, (chunk, start, end) -> {
            for (long i = start; i < end; i++) {
                double s = scale * get(gb, dtype, g.index(i));
                if (wb != null) {
                    s *= get(wb, dtype, w.index(i));
                }
                double xv = get(xb, dtype, x.index(i));
                double tv = get(tb, dtype, t.index(i));
                double p = pb == null ? 1 : get(pb, dtype, pw.index(i));
                if (gib != null) {
                    put(gib, dtype, gi.index(i), s * loss.dInput(xv, tv, beta, p));
                }
                if (gtb != null) {
                    put(gtb, dtype, gt.index(i), s * loss.dTarget(xv, tv, beta, p));
                }
            }
        });
    }

    /**
     * Flat element index of a layout that is dense ({@code offset + i}), a broadcast scalar ({@code offset}) or a
     * dense vector broadcast along the leading dimensions ({@code offset + i % last}). {@link #of} gives null for
     * any other layout and {@link #NONE} for an absent operand.
     */
    private record Flat(int mode, long offset, long last) {
        static final Flat NONE = new Flat(0, 0, 1);

        static Flat of(Operand o) {
            if (o == null) {
                return NONE;
            }
            Layout l = o.layout();
            if (l.isContiguous()) {
                return new Flat(0, l.offset(), 1);
            }
            int[] st = l.strides();
            int[] sh = l.shape();
            boolean scalar = true;
            boolean vector = st.length > 0 && st[st.length - 1] == 1;
            for (int d = 0; d < st.length; d++) {
                scalar &= st[d] == 0 || sh[d] == 1;
                vector &= d == st.length - 1 || st[d] == 0 || sh[d] == 1;
            }
            if (scalar) {
                return new Flat(1, l.offset(), 1);
            }
            return vector ? new Flat(2, l.offset(), sh[sh.length - 1]) : null;
        }

        long index(long i) {
            return mode == 0 ? offset + i : mode == 1 ? offset : offset + i % last;
        }
    }

    // ---- plumbing ----------------------------------------------------------------------------------------------

    /** A layout read at {@code offset + i} (false for null: a layout {@link Flat} cannot walk). */
    private static boolean dense(Flat f) {
        return f != null && f.mode == 0;
    }

    private static boolean isFast(DType dtype) {
        return dtype == DType.FP32 || dtype == DType.FP64;
    }

    /** No rows or no classes: the reference handles it (and chunking needs a non-empty row). */
    private static boolean isEmpty(Layout l) {
        return l.numel() == 0;
    }

    /** 1 for a dense row-shaped layout, 0 for a broadcast scalar (stride 0 everywhere), -1 otherwise. */
    private static int flatStep(Layout l) {
        if (l.isContiguous()) {
            return 1;
        }
        for (int s : l.strides()) {
            if (s != 0) {
                return -1;
            }
        }
        return 0;
    }

    private static int bytes(long index, int size) {
        return Math.toIntExact(index * size);
    }

    private static double get(ByteBuffer b, DType dtype, long index) {
        return dtype == DType.FP32 ? b.getFloat(bytes(index, 4)) : b.getDouble(bytes(index, 8));
    }

    private static void put(ByteBuffer b, DType dtype, long index, double v) {
        if (dtype == DType.FP32) {
            b.putFloat(bytes(index, 4), (float) v);
        } else {
            b.putDouble(bytes(index, 8), v);
        }
    }
}
