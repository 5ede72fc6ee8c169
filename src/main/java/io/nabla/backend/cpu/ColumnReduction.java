package io.nabla.backend.cpu;

import io.nabla.backend.ReduceOp;
import java.util.Arrays;

/**
 * Reduction of a contiguous {@code (outer, len, inner)} block over {@code len} with {@code inner > 1} (sums over
 * leading or middle dims). Small blocks are reduced whole, several per piece of work. Large ones are cut into tiles
 * of up to {@link CpuReduceKernels#TILE} columns by row blocks of a fixed height; each tile writes partial results
 * that are then combined in row-block order, so the result does not depend on the thread count.
 */
final class ColumnReduction {

    private final ReduceOp op;
    private final double corr;
    private final boolean f32;
    private final int size;
    private final long src;
    private final long outer;
    private final long len;
    private final long inner;

    private ColumnReduction(ReduceOp op, double corr, boolean f32, long src, long outer, long len, long inner) {
        this.op = op;
        this.corr = corr;
        this.f32 = f32;
        this.size = f32 ? 4 : 8;
        this.src = src;
        this.outer = outer;
        this.len = len;
        this.inner = inner;
    }

    static void run(ReduceOp op, double corr, boolean f32, long src, long dst, long outer, long len, long inner) {
        ColumnReduction r = new ColumnReduction(op, corr, f32, src, outer, len, inner);
        if (len * inner <= CpuReduceKernels.SEG) {
            r.wholeBlocks(dst);
        } else {
            r.tiles(dst);
        }
    }

    private boolean isVar() {
        return op == ReduceOp.VAR || op == ReduceOp.STD;
    }

    private double start() {
        return op == ReduceOp.AMAX ? Double.NEGATIVE_INFINITY
                : op == ReduceOp.AMIN ? Double.POSITIVE_INFINITY : 0.0;
    }

    /** First pass over rows {@code [r0, r0 + rows)}, columns {@code [j0, j0 + w)} of block {@code o}. */
    private void firstPass(long o, long r0, long rows, int j0, int w, double[] acc, int at) {
        long a = src + (o * len * inner + r0 * inner + j0) * size;
        Arrays.fill(acc, at, at + w, start());
        if (op == ReduceOp.AMAX || op == ReduceOp.AMIN) {
            ColumnLoops.extreme(f32, op == ReduceOp.AMAX, a, inner * size, rows, w, acc, at);
        } else {
            ColumnLoops.sum(f32, a, inner * size, rows, w, acc, at);
        }
    }

    /** Second pass of a variance: deviations from {@code centers[cAt + j - j0]}. */
    private void secondPass(long o, long r0, long rows, int j0, int w, double[] centers, int cAt, double[] s,
                            double[] q, int at) {
        long a = src + (o * len * inner + r0 * inner + j0) * size;
        Arrays.fill(s, at, at + w, 0.0);
        Arrays.fill(q, at, at + w, 0.0);
        ColumnLoops.sqDev(f32, a, inner * size, rows, w, centers, cAt, s, q, at);
    }

    private double finish(double first, double s, double q) {
        if (op == ReduceOp.MEAN) {
            return first / len;
        }
        return isVar() ? CpuReduceKernels.finishVar(op, s, q, len, corr) : first;
    }

    private void wholeBlocks(long dst) {
        long per = len * inner;
        long blocksPerChunk = Math.max(1, CpuReduceKernels.SEG / per);
        int w = (int) inner;
        Parallel.forChunks(outer * per, blocksPerChunk * per, (c, s, e) -> {
            double[] acc = new double[w];
            double[] centers = isVar() ? new double[w] : null;
            double[] sd = isVar() ? new double[w] : null;
            double[] sq = isVar() ? new double[w] : null;
            for (long o = s / per; o < e / per; o++) {
                firstPass(o, 0, len, 0, w, acc, 0);
                if (isVar()) {
                    for (int j = 0; j < w; j++) {
                        centers[j] = acc[j] / len;
                    }
                    secondPass(o, 0, len, 0, w, centers, 0, sd, sq, 0);
                }
                for (int j = 0; j < w; j++) {
                    double v = finish(acc[j], isVar() ? sd[j] : 0, isVar() ? sq[j] : 0);
                    CpuReduceKernels.store(f32, dst, o * inner + j, v);
                }
            }
        });
    }

    private void tiles(long dst) {
        int tile = (int) Math.min(inner, CpuReduceKernels.TILE);
        long tilesPer = (inner + tile - 1) / tile;
        long height = Math.max(4, CpuReduceKernels.SEG / tile);
        long blocks = (len + height - 1) / height;
        long tasks = outer * tilesPer * blocks;
        int outputs = Math.toIntExact(outer * inner);
        double[] p = new double[Math.toIntExact(outputs * blocks)];
        // task c: tile t (fastest, so neighbouring tasks share rows), row block b, outer block o;
        // partials at ((o * blocks + b) * inner + j)
        Parallel.forChunks(tasks * height * tile, height * tile, (c, s, e) -> {
            long t = c % tilesPer;
            long b = (c / tilesPer) % blocks;
            long o = c / (blocks * tilesPer);
            int j0 = (int) (t * tile);
            int w = (int) Math.min(tile, inner - j0);
            firstPass(o, b * height, Math.min(height, len - b * height), j0, w, p,
                    (int) ((o * blocks + b) * inner + j0));
        });
        double[] first = combine(p, blocks, outputs, op == ReduceOp.AMAX ? 1 : op == ReduceOp.AMIN ? -1 : 0);
        double[] sums = null;
        double[] squares = null;
        if (isVar()) {
            double[] centers = new double[outputs];
            for (int i = 0; i < outputs; i++) {
                centers[i] = first[i] / len;
            }
            double[] q = new double[p.length];
            Parallel.forChunks(tasks * height * tile, height * tile, (c, s, e) -> {
                long t = c % tilesPer;
                long b = (c / tilesPer) % blocks;
                long o = c / (blocks * tilesPer);
                int j0 = (int) (t * tile);
                int w = (int) Math.min(tile, inner - j0);
                secondPass(o, b * height, Math.min(height, len - b * height), j0, w, centers,
                        (int) (o * inner + j0), p, q, (int) ((o * blocks + b) * inner + j0));
            });
            sums = combine(p, blocks, outputs, 0);
            squares = combine(q, blocks, outputs, 0);
        }
        for (int i = 0; i < outputs; i++) {
            double v = finish(first[i], sums == null ? 0 : sums[i], squares == null ? 0 : squares[i]);
            CpuReduceKernels.store(f32, dst, i, v);
        }
    }

    /** Combines the row-block partials of each output in block order: sum (0), max (1) or min (-1). */
    private double[] combine(double[] p, long blocks, int outputs, int how) {
        double[] out = new double[outputs];
        int in = (int) inner;
        for (int i = 0; i < outputs; i++) {
            long o = i / in;
            int j = i % in;
            double v = p[(int) (o * blocks * in) + j];
            for (long b = 1; b < blocks; b++) {
                double x = p[(int) ((o * blocks + b) * in) + j];
                v = how > 0 ? Math.max(v, x) : how < 0 ? Math.min(v, x) : v + x;
            }
            out[i] = v;
        }
        return out;
    }
}
