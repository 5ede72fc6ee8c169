package io.nabla.backend.cpu;

import static io.nabla.backend.cpu.RawMemory.load;
import static io.nabla.backend.cpu.RawMemory.store;

/**
 * Batch norm over one channel of a contiguous FP32/FP64 input (N, C, S): the channel is N runs of S contiguous
 * elements, run {@code n} starting at element {@code (n * C + c) * S}. Vectors (weight, bias, running and saved
 * statistics) are contiguous with one element per channel, at address 0 when absent.
 */
final class BatchNormChannels {

    private final boolean f32;
    private final int size;
    private final long batch;
    private final long channels;
    private final long spatial;

    BatchNormChannels(boolean f32, long batch, long channels, long spatial) {
        this.f32 = f32;
        this.size = f32 ? 4 : 8;
        this.batch = batch;
        this.channels = channels;
        this.spatial = spatial;
    }

    private long run(long base, long n, long c) {
        return base + (n * channels + c) * spatial * size;
    }

    private long count() {
        return batch * spatial;
    }

    /**
     * Forward of channel {@code c}: batch statistics (training, updating the running ones when given) or the running
     * ones (evaluation), saved as mean and rstd; then {@code y = x * alpha + beta} with
     * {@code alpha = rstd * w}, {@code beta = b - mean * alpha}.
     */
    void forward(long c, long x, long y, long w, long b, long runMean, long runVar, boolean training,
                 double momentum, double eps, long saveMean, long saveRstd) {
        double mean;
        double rstd;
        if (training) {
            double sum = 0;
            for (long n = 0; n < batch; n++) {
                sum += RowLoops.sum(f32, run(x, n, c), spatial);
            }
            mean = sum / count();
            double[] acc = new double[2];
            for (long n = 0; n < batch; n++) {
                RowLoops.sqDev(f32, run(x, n, c), spatial, mean, acc, 0);
            }
            double m2 = Math.max(0, acc[1] - acc[0] * acc[0] / count());
            rstd = 1.0 / Math.sqrt(m2 / count() + eps);
            if (runMean != 0) {
                store(f32, runMean, c, (1 - momentum) * load(f32, runMean, c) + momentum * mean);
            }
            if (runVar != 0) {
                store(f32, runVar, c, (1 - momentum) * load(f32, runVar, c) + momentum * m2 / (count() - 1));
            }
        } else {
            mean = load(f32, runMean, c);
            rstd = 1.0 / Math.sqrt(load(f32, runVar, c) + eps);
        }
        store(f32, saveMean, c, mean);
        store(f32, saveRstd, c, rstd);
        double alpha = w != 0 ? rstd * load(f32, w, c) : rstd;
        double beta = (b != 0 ? load(f32, b, c) : 0) - mean * alpha;
        for (long n = 0; n < batch; n++) {
            scaleShift(run(x, n, c), run(y, n, c), alpha, beta);
        }
    }

    private void scaleShift(long x, long y, double alpha, double beta) {
        if (f32) {
            float a = (float) alpha;
            float b = (float) beta;
            for (long i = 0; i < spatial; i++) {
                RawMemory.putFloat(y + (i << 2), RawMemory.getFloat(x + (i << 2)) * a + b);
            }
        } else {
            for (long i = 0; i < spatial; i++) {
                RawMemory.putDouble(y + (i << 3), RawMemory.getDouble(x + (i << 3)) * alpha + beta);
            }
        }
    }

    /**
     * Backward of channel {@code c} from the saved mean and rstd: {@code gb = sum(g)}, {@code gw = sum(g * xhat)};
     * with batch statistics {@code gx = w * rstd * (g - sum(g)/M - xhat * sum(g * xhat)/M)}, with running ones
     * {@code gx = g * w * rstd}. Gradient addresses are 0 when not wanted.
     */
    void backward(long c, boolean training, long x, long g, long w, long saveMean, long saveRstd, long gx,
                  long gw, long gb) {
        double mean = load(f32, saveMean, c);
        double rstd = load(f32, saveRstd, c);
        double sumG = 0;
        double sumGX = 0;
        for (long n = 0; n < batch; n++) {
            long xr = run(x, n, c);
            long gr = run(g, n, c);
            for (long i = 0; i < spatial; i++) {
                double gv = load(f32, gr, i);
                sumG += gv;
                sumGX += gv * (load(f32, xr, i) - mean);
            }
        }
        if (gw != 0) {
            store(f32, gw, c, sumGX * rstd);
        }
        if (gb != 0) {
            store(f32, gb, c, sumG);
        }
        if (gx == 0) {
            return;
        }
        double scale = w != 0 ? rstd * load(f32, w, c) : rstd;
        double meanG = training ? sumG / count() : 0;
        double proj = training ? sumGX * rstd * rstd / count() : 0;
        for (long n = 0; n < batch; n++) {
            long xr = run(x, n, c);
            long gr = run(g, n, c);
            long out = run(gx, n, c);
            for (long i = 0; i < spatial; i++) {
                double d = load(f32, gr, i) - meanG - (load(f32, xr, i) - mean) * proj;
                store(f32, out, i, scale * d);
            }
        }
    }
}
