package io.nabla.backend.reference;

import io.nabla.backend.DType;
import io.nabla.backend.ElementAccess;
import io.nabla.backend.Layout;
import io.nabla.backend.LossKernels;
import io.nabla.backend.PointwiseLoss;
import io.nabla.backend.StridedCursor;
import java.nio.ByteBuffer;

/**
 * Scalar reference implementation of {@link LossKernels}: one element or one row at a time over any strides, in
 * double. The per-row maths ({@link #rowLoss}, {@link #rowGrad}, ...) is shared with the CPU fast paths so both
 * compute identical row values and differ only in summation order. (A kernel collection: longer than most files.)
 */
public class ReferenceLossKernels implements LossKernels {

    // ---- pointwise losses ------------------------------------------------------------------------------------

    @Override
    public void pointwise(PointwiseLoss loss, double beta, Operand input, Operand target, Operand weight,
                          Operand posWeight, DType dtype, boolean reduce, double scale, Operand out) {
        int[] shape = input.layout().shape();
        Layout none = input.layout(); // stands in for absent operands
        ByteBuffer xb = input.memory().hostBuffer();
        ByteBuffer tb = target.memory().hostBuffer();
        ByteBuffer wb = buffer(weight);
        ByteBuffer pb = buffer(posWeight);
        ByteBuffer ob = out.memory().hostBuffer();
        StridedCursor c = new StridedCursor(shape, input.layout(), target.layout(), layout(weight, none),
                layout(posWeight, none), reduce ? none : out.layout());
        long n = input.layout().numel();
        double sum = 0;
        for (long i = 0; i < n; i++) {
            double pw = pb == null ? 1 : get(pb, dtype, c.offset[3]);
            double v = loss.value(get(xb, dtype, c.offset[0]), get(tb, dtype, c.offset[1]), beta, pw);
            if (wb != null) {
                v *= get(wb, dtype, c.offset[2]);
            }
            if (reduce) {
                sum += v;
            } else {
                put(ob, dtype, c.offset[4], scale * v);
            }
            c.next();
        }
        if (reduce) {
            put(ob, dtype, out.layout().offset(), scale * sum);
        }
    }

    @Override
    public void pointwiseBackward(PointwiseLoss loss, double beta, Operand gradOut, Operand input, Operand target,
                                  Operand weight, Operand posWeight, DType dtype, double scale, Operand gradInput,
                                  Operand gradTarget) {
        int[] shape = input.layout().shape();
        Layout none = input.layout();
        ByteBuffer gb = gradOut.memory().hostBuffer();
        ByteBuffer xb = input.memory().hostBuffer();
        ByteBuffer tb = target.memory().hostBuffer();
        ByteBuffer wb = buffer(weight);
        ByteBuffer pb = buffer(posWeight);
        ByteBuffer gib = buffer(gradInput);
        ByteBuffer gtb = buffer(gradTarget);
        StridedCursor c = new StridedCursor(shape, gradOut.layout(), input.layout(), target.layout(),
                layout(weight, none), layout(posWeight, none), layout(gradInput, none), layout(gradTarget, none));
        long n = input.layout().numel();
        for (long i = 0; i < n; i++) {
            double g = scale * get(gb, dtype, c.offset[0]);
            if (wb != null) {
                g *= get(wb, dtype, c.offset[3]);
            }
            double x = get(xb, dtype, c.offset[1]);
            double t = get(tb, dtype, c.offset[2]);
            double pw = pb == null ? 1 : get(pb, dtype, c.offset[4]);
            if (gib != null) {
                put(gib, dtype, c.offset[5], g * loss.dInput(x, t, beta, pw));
            }
            if (gtb != null) {
                put(gtb, dtype, c.offset[6], g * loss.dTarget(x, t, beta, pw));
            }
            c.next();
        }
    }

    // ---- class-index losses (cross entropy, nll) ----------------------------------------------------------------

    @Override
    public void classIndex(boolean logSoftmax, Operand input, Operand target, Operand weight, DType dtype,
                           long ignoreIndex, double labelSmoothing, Reduction reduction, Operand out) {
        Layout rows = rowLayout(input.layout());
        int classes = input.layout().shape()[1];
        int cs = input.layout().strides()[1];
        double[] w = classWeights(weight, dtype, classes);
        ByteBuffer xb = input.memory().hostBuffer();
        ByteBuffer tb = target.memory().hostBuffer();
        ByteBuffer ob = out.memory().hostBuffer();
        boolean none = reduction == Reduction.NONE;
        StridedCursor c = new StridedCursor(rows.shape(), rows, target.layout(), none ? out.layout() : rows);
        double[] x = new double[classes];
        double total = 0;
        double weightSum = 0;
        long n = rows.numel();
        for (long r = 0; r < n; r++) {
            long y = ElementAccess.getLong(tb, DType.INT64, c.offset[1]);
            double loss = 0;
            if (y != ignoreIndex) {
                int k = checkClass(y, classes, ignoreIndex);
                readRow(xb, dtype, c.offset[0], cs, x);
                loss = rowLoss(logSoftmax, x, k, w, labelSmoothing);
                weightSum += w == null ? 1 : w[k];
            }
            if (none) {
                put(ob, dtype, c.offset[2], loss);
            } else {
                total += loss;
            }
            c.next();
        }
        if (!none) {
            put(ob, dtype, out.layout().offset(), reduction == Reduction.MEAN ? total / weightSum : total);
        }
    }

    @Override
    public void classIndexBackward(boolean logSoftmax, Operand gradOut, Operand input, Operand target,
                                   Operand weight, DType dtype, long ignoreIndex, double labelSmoothing,
                                   Reduction reduction, Operand gradInput) {
        Layout rows = rowLayout(input.layout());
        Layout gradRows = rowLayout(gradInput.layout());
        int classes = input.layout().shape()[1];
        int cs = input.layout().strides()[1];
        int gcs = gradInput.layout().strides()[1];
        double[] w = classWeights(weight, dtype, classes);
        double wTotal = sumOrCount(w, classes);
        ByteBuffer xb = input.memory().hostBuffer();
        ByteBuffer tb = target.memory().hostBuffer();
        ByteBuffer gb = gradOut.memory().hostBuffer();
        ByteBuffer gib = gradInput.memory().hostBuffer();
        double divisor = reduction == Reduction.MEAN ? targetWeightSum(target, w, classes, ignoreIndex) : 1;
        StridedCursor c = new StridedCursor(rows.shape(), rows, target.layout(), gradOut.layout(), gradRows);
        double[] x = new double[classes];
        double[] grad = new double[classes];
        long n = rows.numel();
        for (long r = 0; r < n; r++) {
            long y = ElementAccess.getLong(tb, DType.INT64, c.offset[1]);
            if (y == ignoreIndex) {
                java.util.Arrays.fill(grad, 0);
            } else {
                int k = checkClass(y, classes, ignoreIndex);
                readRow(xb, dtype, c.offset[0], cs, x);
                double g = get(gb, dtype, c.offset[2]) / divisor;
                rowGrad(logSoftmax, x, k, w, wTotal, labelSmoothing, g, grad);
            }
            writeRow(gib, dtype, c.offset[3], gcs, grad);
            c.next();
        }
    }

    /** Sum of {@code w[y]} (or the count) over the rows whose target is not ignored: the weighted mean's divisor. */
    protected static double targetWeightSum(Operand target, double[] w, int classes, long ignoreIndex) {
        ByteBuffer tb = target.memory().hostBuffer();
        StridedCursor c = new StridedCursor(target.layout().shape(), target.layout());
        long n = target.layout().numel();
        double sum = 0;
        for (long r = 0; r < n; r++) {
            long y = ElementAccess.getLong(tb, DType.INT64, c.offset[0]);
            if (y != ignoreIndex) {
                int k = checkClass(y, classes, ignoreIndex);
                sum += w == null ? 1 : w[k];
            }
            c.next();
        }
        return sum;
    }

    // ---- probability targets ----------------------------------------------------------------------------------

    @Override
    public void classProbability(Operand input, Operand target, Operand weight, DType dtype, double labelSmoothing,
                                 Reduction reduction, Operand out) {
        Layout rows = rowLayout(input.layout());
        int classes = input.layout().shape()[1];
        int cs = input.layout().strides()[1];
        int ts = target.layout().strides()[1];
        double[] w = classWeights(weight, dtype, classes);
        ByteBuffer xb = input.memory().hostBuffer();
        ByteBuffer tb = target.memory().hostBuffer();
        ByteBuffer ob = out.memory().hostBuffer();
        boolean none = reduction == Reduction.NONE;
        StridedCursor c = new StridedCursor(rows.shape(), rows, rowLayout(target.layout()), none ? out.layout() : rows);
        double[] x = new double[classes];
        double[] t = new double[classes];
        double total = 0;
        long n = rows.numel();
        for (long r = 0; r < n; r++) {
            readRow(xb, dtype, c.offset[0], cs, x);
            readRow(tb, dtype, c.offset[1], ts, t);
            double loss = probabilityRowLoss(x, t, w, labelSmoothing);
            if (none) {
                put(ob, dtype, c.offset[2], loss);
            } else {
                total += loss;
            }
            c.next();
        }
        if (!none) {
            put(ob, dtype, out.layout().offset(), reduction == Reduction.MEAN ? total / n : total);
        }
    }

    @Override
    public void classProbabilityBackward(Operand gradOut, Operand input, Operand target, Operand weight, DType dtype,
                                         double labelSmoothing, Reduction reduction, Operand gradInput,
                                         Operand gradTarget) {
        Layout rows = rowLayout(input.layout());
        int classes = input.layout().shape()[1];
        double[] w = classWeights(weight, dtype, classes);
        StridedCursor c = new StridedCursor(rows.shape(), rows, rowLayout(target.layout()), gradOut.layout(),
                gradInput == null ? rows : rowLayout(gradInput.layout()),
                gradTarget == null ? rows : rowLayout(gradTarget.layout()));
        ByteBuffer xb = input.memory().hostBuffer();
        ByteBuffer tb = target.memory().hostBuffer();
        ByteBuffer gb = gradOut.memory().hostBuffer();
        ByteBuffer gib = buffer(gradInput);
        ByteBuffer gtb = buffer(gradTarget);
        int xs = input.layout().strides()[1];
        int ts = target.layout().strides()[1];
        int gis = gradInput == null ? 0 : gradInput.layout().strides()[1];
        int gts = gradTarget == null ? 0 : gradTarget.layout().strides()[1];
        double[] x = new double[classes];
        double[] t = new double[classes];
        double[] gi = gradInput == null ? null : new double[classes];
        double[] gt = gradTarget == null ? null : new double[classes];
        long n = rows.numel();
        double divisor = reduction == Reduction.MEAN ? n : 1;
        for (long r = 0; r < n; r++) {
            readRow(xb, dtype, c.offset[0], xs, x);
            readRow(tb, dtype, c.offset[1], ts, t);
            double g = get(gb, dtype, c.offset[2]) / divisor;
            probabilityRowGrad(x, t, w, labelSmoothing, g, gi, gt);
            if (gi != null) {
                writeRow(gib, dtype, c.offset[3], gis, gi);
            }
            if (gt != null) {
                writeRow(gtb, dtype, c.offset[4], gts, gt);
            }
            c.next();
        }
    }

    // ---- per-row maths, shared with the fast paths -----------------------------------------------------------------

    /** {@code log(sum(exp(x)))} with the maximum taken out first. */
    public static double logSumExp(double[] x) {
        double max = Double.NEGATIVE_INFINITY;
        for (double v : x) {
            max = Math.max(max, v);
        }
        if (max == Double.NEGATIVE_INFINITY) {
            return max;
        }
        double s = 0;
        for (double v : x) {
            s += Math.exp(v - max);
        }
        return max + Math.log(s);
    }

    /** The loss of one row with target class {@code y}; {@code x} holds logits or log-probabilities. */
    public static double rowLoss(boolean logSoftmax, double[] x, int y, double[] w, double eps) {
        double wy = w == null ? 1 : w[y];
        if (!logSoftmax) {
            return -wy * x[y];
        }
        double lse = logSumExp(x);
        double loss = (1 - eps) * wy * (lse - x[y]);
        if (eps > 0) {
            double s = 0;
            for (int c = 0; c < x.length; c++) {
                s += (w == null ? 1 : w[c]) * (lse - x[c]);
            }
            loss += eps / x.length * s;
        }
        return loss;
    }

    /**
     * {@code grad = g * d(row loss)/dx}. With log-softmax: {@code g (p[c] ((1 - eps) w[y] + eps W / C)
     * - eps w[c] / C - [c == y] (1 - eps) w[y])}, where {@code W} is the sum of the class weights.
     */
    public static void rowGrad(boolean logSoftmax, double[] x, int y, double[] w, double wTotal, double eps,
                               double g, double[] grad) {
        double wy = w == null ? 1 : w[y];
        if (!logSoftmax) {
            java.util.Arrays.fill(grad, 0);
            grad[y] = -g * wy;
            return;
        }
        int classes = x.length;
        // softmax with one exp per class: grad first holds exp(x - max)
        double max = Double.NEGATIVE_INFINITY;
        for (double v : x) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (int c = 0; c < classes; c++) {
            grad[c] = Math.exp(x[c] - max);
            sum += grad[c];
        }
        double a = (1 - eps) * wy + eps / classes * wTotal;
        double ga = g * a / sum;
        double smooth = g * eps / classes;
        for (int c = 0; c < classes; c++) {
            grad[c] = grad[c] * ga - smooth * (w == null ? 1 : w[c]);
        }
        grad[y] -= g * (1 - eps) * wy;
    }

    /** {@code -sum_c w[c] t'[c] logp[c]} for one row of logits {@code x} and probabilities {@code t}. */
    public static double probabilityRowLoss(double[] x, double[] t, double[] w, double eps) {
        double lse = logSumExp(x);
        int classes = x.length;
        double s = 0;
        for (int c = 0; c < classes; c++) {
            double tc = eps > 0 ? t[c] * (1 - eps) + eps / classes : t[c];
            s += (w == null ? 1 : w[c]) * tc * (x[c] - lse);
        }
        return -s;
    }

    /** Gradients of {@link #probabilityRowLoss} times {@code g}; {@code gi} or {@code gt} may be null. */
    public static void probabilityRowGrad(double[] x, double[] t, double[] w, double eps, double g, double[] gi,
                                          double[] gt) {
        double lse = logSumExp(x);
        int classes = x.length;
        double wt = 0;
        for (int c = 0; c < classes; c++) {
            double tc = eps > 0 ? t[c] * (1 - eps) + eps / classes : t[c];
            wt += (w == null ? 1 : w[c]) * tc;
        }
        for (int c = 0; c < classes; c++) {
            double wc = w == null ? 1 : w[c];
            if (gi != null) {
                double tc = eps > 0 ? t[c] * (1 - eps) + eps / classes : t[c];
                gi[c] = g * (Math.exp(x[c] - lse) * wt - wc * tc);
            }
            if (gt != null) {
                gt[c] = -g * (1 - eps) * wc * (x[c] - lse);
            }
        }
    }

    /** The class of target {@code y}, or an error naming it and the class count. */
    public static int checkClass(long y, int classes, long ignoreIndex) {
        if (y < 0 || y >= classes) {
            throw new IllegalArgumentException("target " + y + " is out of bounds for " + classes
                    + " classes (expected 0 <= target < " + classes + " or ignore_index " + ignoreIndex + ")");
        }
        return (int) y;
    }

    /** The class weights as doubles, or null when there are none. */
    public static double[] classWeights(Operand weight, DType dtype, int classes) {
        if (weight == null) {
            return null;
        }
        ByteBuffer b = weight.memory().hostBuffer();
        double[] w = new double[classes];
        long off = weight.layout().offset();
        int stride = weight.layout().strides()[0];
        for (int c = 0; c < classes; c++) {
            w[c] = get(b, dtype, off + (long) c * stride);
        }
        return w;
    }

    /** Sum of the class weights, or the class count when there are none. */
    public static double sumOrCount(double[] w, int classes) {
        if (w == null) {
            return classes;
        }
        double s = 0;
        for (double v : w) {
            s += v;
        }
        return s;
    }

    // ---- plumbing ----------------------------------------------------------------------------------------------

    /** The layout of the rows of an {@code (N, C, d1, ...)} layout: dimension 1 removed. */
    protected static Layout rowLayout(Layout l) {
        int rank = l.rank();
        int[] shape = new int[rank - 1];
        int[] strides = new int[rank - 1];
        for (int d = 0, k = 0; d < rank; d++) {
            if (d != 1) {
                shape[k] = l.shape()[d];
                strides[k++] = l.strides()[d];
            }
        }
        return new Layout(shape, strides, l.offset());
    }

    private static void readRow(ByteBuffer b, DType dtype, long base, int stride, double[] dst) {
        for (int c = 0; c < dst.length; c++) {
            dst[c] = get(b, dtype, base + (long) c * stride);
        }
    }

    private static void writeRow(ByteBuffer b, DType dtype, long base, int stride, double[] src) {
        for (int c = 0; c < src.length; c++) {
            put(b, dtype, base + (long) c * stride, src[c]);
        }
    }

    private static ByteBuffer buffer(Operand o) {
        return o == null ? null : o.memory().hostBuffer();
    }

    private static Layout layout(Operand o, Layout standIn) {
        return o == null ? standIn : o.layout();
    }

    private static double get(ByteBuffer b, DType dtype, long index) {
        return ElementAccess.getDouble(b, dtype, index);
    }

    private static void put(ByteBuffer b, DType dtype, long index, double v) {
        ElementAccess.putDouble(b, dtype, index, v);
    }
}
