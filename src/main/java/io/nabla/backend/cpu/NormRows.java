package io.nabla.backend.cpu;

import static io.nabla.backend.cpu.RawMemory.getDouble;
import static io.nabla.backend.cpu.RawMemory.getFloat;
import static io.nabla.backend.cpu.RawMemory.putDouble;
import static io.nabla.backend.cpu.RawMemory.putFloat;

/**
 * Row loops of the norm kernels over contiguous FP32/FP64 rows of {@code n} elements, by address: softmax and
 * log_softmax forward and backward. A row of a few thousand elements stays in
 * the L1/L2 cache between the passes, so each row is read from memory once.
 */
final class NormRows {

    private NormRows() {
    }

    /** Floats per block of the FP32 softmax: a block and its scratch stay in the L1 cache. */
    static final int BLOCK = 2048;

    /** Per-thread scratch blocks of the FP32 softmax. */
    static final class Scratch {
        final float[] x = new float[BLOCK];
        final float[] e = new float[BLOCK];
        final float[] t = new float[BLOCK];
    }

    /**
     * FP32 softmax (or log_softmax) of one row. When the max is finite and no value lies more than 86 below it (no
     * exponential underflows; NaNs still turn the whole row into NaN), blocks of the row are copied into {@code s}
     * and exponentiated by {@link FloatExp#expShifted}, whose first loop C2 vectorises; otherwise the scalar
     * {@link FloatExp#exp} handles each element.
     */
    static void forwardF(long x, long y, int n, boolean log, Scratch s) {
        float[] mm = maxMinF(x, n);
        float m = mm[0];
        if (!blockable(mm)) {
            forwardScalarF(x, y, n, log);
            return;
        }
        boolean oneBlock = n <= BLOCK;
        double sum = sumExpBlocks(x, n, m, s, log || oneBlock ? 0 : y);
        float lse = (float) Math.log(sum);
        float inv = (float) (1.0 / sum);
        for (int b = 0; b < n; b += BLOCK) {
            int len = Math.min(BLOCK, n - b);
            long off = (long) b << 2;
            if (log) {
                if (!oneBlock) {
                    RawMemory.copyToArray(x + off, s.x, len);
                }
                for (int i = 0; i < len; i++) {
                    s.e[i] = (s.x[i] - m) - lse;
                }
            } else {
                if (!oneBlock) {
                    RawMemory.copyToArray(y + off, s.e, len);
                }
                for (int i = 0; i < len; i++) {
                    s.e[i] *= inv;
                }
            }
            RawMemory.copyFromArray(s.e, y + off, len);
        }
    }

    /** log(sum(exp(x))) of an FP32 row (log-sum-exp reductions), by blocks when the row allows it. */
    static double logSumExpF(long x, int n, Scratch s) {
        float[] mm = maxMinF(x, n);
        if (!blockable(mm)) {
            double m = CpuReduceKernels.shift(RowLoops.maxF(x, n));
            return Math.log(RowLoops.sumExpF(x, n, (float) m)) + m;
        }
        return Math.log(sumExpBlocks(x, n, mm[0], s, 0)) + mm[0];
    }

    private static boolean blockable(float[] maxMin) {
        return Float.isFinite(maxMin[0]) && maxMin[1] - maxMin[0] >= -86f;
    }

    /** {@code sum(exp(x - m))} block by block; writes the exponentials to {@code y} unless it is 0. */
    private static double sumExpBlocks(long x, int n, float m, Scratch s, long y) {
        double sum = 0;
        for (int b = 0; b < n; b += BLOCK) {
            int len = Math.min(BLOCK, n - b);
            long off = (long) b << 2;
            RawMemory.copyToArray(x + off, s.x, len);
            FloatExp.expShifted(s.x, m, s.e, s.t, len);
            sum += sumF(s.e, len);
            if (y != 0) {
                RawMemory.copyFromArray(s.e, y + off, len);
            }
        }
        return sum;
    }

    /** Max and min of a row, NaN ignored (a NaN still turns the row's sum, hence the whole row, into NaN). */
    private static float[] maxMinF(long x, int n) {
        float hi0 = Float.NEGATIVE_INFINITY;
        float hi1 = hi0;
        float lo0 = Float.POSITIVE_INFINITY;
        float lo1 = lo0;
        int i = 0;
        for (; i + 2 <= n; i += 2) {
            long o = (long) i << 2;
            float v0 = getFloat(x + o);
            float v1 = getFloat(x + o + 4);
            hi0 = v0 > hi0 ? v0 : hi0;
            hi1 = v1 > hi1 ? v1 : hi1;
            lo0 = v0 < lo0 ? v0 : lo0;
            lo1 = v1 < lo1 ? v1 : lo1;
        }
        for (; i < n; i++) {
            float v = getFloat(x + ((long) i << 2));
            hi0 = v > hi0 ? v : hi0;
            lo0 = v < lo0 ? v : lo0;
        }
        return new float[] {Math.max(hi0, hi1), Math.min(lo0, lo1)};
    }

    /** Sum of a block: groups of four added in float (C2 packs them), accumulated in double. */
    private static double sumF(float[] e, int n) {
        double s0 = 0;
        double s1 = 0;
        int i = 0;
        for (; i + 8 <= n; i += 8) {
            s0 += (e[i] + e[i + 1]) + (e[i + 2] + e[i + 3]);
            s1 += (e[i + 4] + e[i + 5]) + (e[i + 6] + e[i + 7]);
        }
        for (; i < n; i++) {
            s0 += e[i];
        }
        return s0 + s1;
    }

    /** The general FP32 row: any values, each exponential checked by {@link FloatExp#exp}. */
    private static void forwardScalarF(long x, long y, int n, boolean log) {
        float m = (float) RowLoops.maxF(x, n);
        if (log) {
            float lse = (float) Math.log(RowLoops.sumExpF(x, n, m));
            for (int i = 0; i < n; i++) {
                long o = (long) i << 2;
                putFloat(y + o, (getFloat(x + o) - m) - lse);
            }
            return;
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            long o = (long) i << 2;
            float e = FloatExp.exp(getFloat(x + o) - m);
            putFloat(y + o, e);
            sum += e;
        }
        float inv = (float) (1.0 / sum);
        for (int i = 0; i < n; i++) {
            long o = (long) i << 2;
            putFloat(y + o, getFloat(y + o) * inv);
        }
    }

    static void forwardD(long x, long y, int n, boolean log) {
        double m = RowLoops.maxD(x, n);
        if (log) {
            double lse = Math.log(RowLoops.sumExpD(x, n, m));
            for (int i = 0; i < n; i++) {
                long o = (long) i << 3;
                putDouble(y + o, (getDouble(x + o) - m) - lse);
            }
            return;
        }
        double s = 0;
        for (int i = 0; i < n; i++) {
            long o = (long) i << 3;
            double e = Math.exp(getDouble(x + o) - m);
            putDouble(y + o, e);
            s += e;
        }
        for (int i = 0; i < n; i++) {
            long o = (long) i << 3;
            putDouble(y + o, getDouble(y + o) / s);
        }
    }

    /** softmax: {@code gx = y * (g - sum(g * y))}; log_softmax: {@code gx = g - exp(y) * sum(g)}. */
    static void backwardF(long y, long g, long gx, int n, boolean log) {
        double s0 = 0;
        double s1 = 0;
        int i = 0;
        for (; i + 2 <= n; i += 2) {
            long o = (long) i << 2;
            s0 += log ? getFloat(g + o) : (double) getFloat(g + o) * getFloat(y + o);
            s1 += log ? getFloat(g + o + 4) : (double) getFloat(g + o + 4) * getFloat(y + o + 4);
        }
        for (; i < n; i++) {
            long o = (long) i << 2;
            s0 += log ? getFloat(g + o) : (double) getFloat(g + o) * getFloat(y + o);
        }
        float s = (float) (s0 + s1);
        for (int k = 0; k < n; k++) {
            long o = (long) k << 2;
            float yv = getFloat(y + o);
            float gv = getFloat(g + o);
            putFloat(gx + o, log ? gv - FloatExp.exp(yv) * s : yv * (gv - s));
        }
    }

    static void backwardD(long y, long g, long gx, int n, boolean log) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            long o = (long) i << 3;
            s += log ? getDouble(g + o) : getDouble(g + o) * getDouble(y + o);
        }
        for (int i = 0; i < n; i++) {
            long o = (long) i << 3;
            double yv = getDouble(y + o);
            double gv = getDouble(g + o);
            putDouble(gx + o, log ? gv - Math.exp(yv) * s : yv * (gv - s));
        }
    }
}
