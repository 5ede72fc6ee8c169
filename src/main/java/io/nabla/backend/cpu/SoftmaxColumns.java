package io.nabla.backend.cpu;

import static io.nabla.backend.cpu.RawMemory.load;
import static io.nabla.backend.cpu.RawMemory.store;

/**
 * Softmax and log_softmax (forward and backward) along a middle or leading dim of a contiguous FP32/FP64 block
 * {@code (outer, len, inner)} with {@code inner > 1}, such as the class dim of (N, C, H, W) logits. One task
 * handles a tile of up to {@link #TILE} columns of one outer block, so each output is computed by exactly one task.
 */
final class SoftmaxColumns {

    /** Columns per task. */
    static final int TILE = 256;

    private final boolean f32;
    private final long outer;
    private final long len;
    private final long inner;
    private final long tiles;

    SoftmaxColumns(boolean f32, long outer, long len, long inner) {
        this.f32 = f32;
        this.outer = outer;
        this.len = len;
        this.inner = inner;
        this.tiles = (inner + TILE - 1) / TILE;
    }

    /** The body of a loop over tasks {@code [0, outer * tiles)}: outer block and first column of each task. */
    @FunctionalInterface
    interface TileBody {
        void run(long base, int w);
    }

    private void forTiles(TileBody body) {
        long perTask = len * Math.min(inner, TILE);
        Parallel.forChunks(outer * tiles * perTask, perTask, (c, s, e) -> {
            long o = c / tiles;
            long j0 = (c % tiles) * TILE;
            body.run(o * len * inner + j0, (int) Math.min(TILE, inner - j0));
        });
    }

    private double exp(double v) {
        return f32 ? FloatExp.exp((float) v) : Math.exp(v);
    }

    void forward(long x, long y, boolean log) {
        forTiles((base, w) -> {
            double[] m = new double[w];
            double[] s = new double[w];
            java.util.Arrays.fill(m, Double.NEGATIVE_INFINITY);
            for (long d = 0; d < len; d++) {
                long row = base + d * inner;
                for (int j = 0; j < w; j++) {
                    m[j] = Math.max(m[j], load(f32, x, row + j));
                }
            }
            for (long d = 0; d < len; d++) {
                long row = base + d * inner;
                for (int j = 0; j < w; j++) {
                    double e = exp(diff(load(f32, x, row + j), m[j]));
                    s[j] += e;
                    if (!log) {
                        store(f32, y, row + j, e);
                    }
                }
            }
            for (long d = 0; d < len; d++) {
                long row = base + d * inner;
                for (int j = 0; j < w; j++) {
                    double v = log ? diff(load(f32, x, row + j), m[j]) - Math.log(s[j])
                            : load(f32, y, row + j) / s[j];
                    store(f32, y, row + j, v);
                }
            }
        });
    }

    /** {@code x - m} as the dtype computes it (in float for FP32). */
    private double diff(double x, double m) {
        return f32 ? (float) x - (float) m : x - m;
    }

    void backward(long y, long g, long gx, boolean log) {
        forTiles((base, w) -> {
            double[] acc = new double[w];
            for (long d = 0; d < len; d++) {
                long row = base + d * inner;
                for (int j = 0; j < w; j++) {
                    double gv = load(f32, g, row + j);
                    acc[j] += log ? gv : gv * load(f32, y, row + j);
                }
            }
            for (long d = 0; d < len; d++) {
                long row = base + d * inner;
                for (int j = 0; j < w; j++) {
                    double yv = load(f32, y, row + j);
                    double gv = load(f32, g, row + j);
                    store(f32, gx, row + j, log ? gv - exp(yv) * acc[j] : yv * (gv - acc[j]));
                }
            }
        });
    }
}
