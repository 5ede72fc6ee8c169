package io.nabla.backend.cpu;

import static io.nabla.backend.cpu.RawMemory.getDouble;
import static io.nabla.backend.cpu.RawMemory.getFloat;
import static io.nabla.backend.cpu.RawMemory.load;
import static io.nabla.backend.cpu.RawMemory.putDouble;
import static io.nabla.backend.cpu.RawMemory.putFloat;
import static io.nabla.backend.cpu.RawMemory.store;

/**
 * Row loops of layer norm over contiguous FP32/FP64 rows of {@code n} elements, by address (0 for an absent
 * operand): the affine step of the forward pass and the backward pass of one row.
 */
final class LayerNormRows {

    private LayerNormRows() {
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
    /**
     * Backward of one row with mean {@code mu} and {@code rs = 1/sqrt(var + eps)}: writes
     * {@code gx = rs * (d - mean(d) - xhat * mean(d * xhat))} with {@code d = g * w} (when {@code gx != 0}) and adds
     * {@code g * xhat} and {@code g} to the weight and bias accumulators (when not null).
     */
    static void backward(boolean f32, long x, long g, long w, long gx, int n, double mu, double rs, double[] gw,
                         double[] gb) {
        double sumD = 0;
        double sumDX = 0;
        for (int i = 0; i < n; i++) {
            double gv = load(f32, g, i);
            double xhat = (load(f32, x, i) - mu) * rs;
            double d = w != 0 ? gv * load(f32, w, i) : gv;
            sumD += d;
            sumDX += d * xhat;
            if (gw != null) {
                gw[i] += gv * xhat;
            }
            if (gb != null) {
                gb[i] += gv;
            }
        }
        if (gx == 0) {
            return;
        }
        double meanD = sumD / n;
        double meanDX = sumDX / n;
        for (int i = 0; i < n; i++) {
            double gv = load(f32, g, i);
            double xhat = (load(f32, x, i) - mu) * rs;
            double d = w != 0 ? gv * load(f32, w, i) : gv;
            store(f32, gx, i, rs * (d - meanD - xhat * meanDX));
        }
    }
}
