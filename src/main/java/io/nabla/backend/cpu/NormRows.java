package io.nabla.backend.cpu;

import static io.nabla.backend.cpu.RawMemory.getDouble;
import static io.nabla.backend.cpu.RawMemory.getFloat;
import static io.nabla.backend.cpu.RawMemory.putDouble;
import static io.nabla.backend.cpu.RawMemory.putFloat;

/**
 * Row loops of the norm kernels over contiguous FP32/FP64 rows of {@code n} elements, by address: softmax and
 * log_softmax forward and backward, and the affine step of layer norm. A row of a few thousand elements stays in
 * the L1/L2 cache between the passes, so each row is read from memory once.
 */
final class NormRows {

    private NormRows() {
    }

    static void forwardF(long x, long y, int n, boolean log) {
        float m = (float) RowLoops.maxF(x, n);
        if (log) {
            float lse = (float) Math.log(RowLoops.sumExpF(x, n, m));
            for (int i = 0; i < n; i++) {
                long o = (long) i << 2;
                putFloat(y + o, (getFloat(x + o) - m) - lse);
            }
            return;
        }
        double s0 = 0;
        double s1 = 0;
        int i = 0;
        for (; i + 2 <= n; i += 2) {
            long o = (long) i << 2;
            float e0 = FloatExp.exp(getFloat(x + o) - m);
            float e1 = FloatExp.exp(getFloat(x + o + 4) - m);
            putFloat(y + o, e0);
            putFloat(y + o + 4, e1);
            s0 += e0;
            s1 += e1;
        }
        for (; i < n; i++) {
            long o = (long) i << 2;
            float e = FloatExp.exp(getFloat(x + o) - m);
            putFloat(y + o, e);
            s0 += e;
        }
        float inv = (float) (1.0 / (s0 + s1));
        for (int k = 0; k < n; k++) {
            long o = (long) k << 2;
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

    /** {@code y = (x - m) * inv * w + b} with optional {@code w}, {@code b} (address 0 when absent). */
    static void affineF(long x, long y, int n, float m, float inv, long w, long b) {
        for (int i = 0; i < n; i++) {
            long o = (long) i << 2;
            float v = (getFloat(x + o) - m) * inv;
            if (w != 0) {
                v *= getFloat(w + o);
            }
            if (b != 0) {
                v += getFloat(b + o);
            }
            putFloat(y + o, v);
        }
    }

    static void affineD(long x, long y, int n, double m, double inv, long w, long b) {
        for (int i = 0; i < n; i++) {
            long o = (long) i << 3;
            double v = (getDouble(x + o) - m) * inv;
            if (w != 0) {
                v *= getDouble(w + o);
            }
            if (b != 0) {
                v += getDouble(b + o);
            }
            putDouble(y + o, v);
        }
    }
}
