package io.nabla.backend.cpu;

import static io.nabla.backend.cpu.RawMemory.load;
import static io.nabla.backend.cpu.RawMemory.store;

import io.nabla.backend.ReduceOp;

/**
 * Fast input gradients of reductions over a contiguous FP32/FP64 block {@code (outer, len, inner)} reduced over
 * {@code len}: SUM, MEAN and LOGSUMEXP element by element (any split); VAR, STD, AMAX and AMIN row by row when
 * {@code inner == 1} and a row fits in one piece of work (their per-row mean or tie count is computed in the row's
 * own piece). Addresses are of the input {@code x}, the forward result {@code y} and its gradient {@code g} (both
 * {@code (outer, inner)}), and the input gradient {@code gx}.
 */
final class ReduceGradients {

    private ReduceGradients() {
    }

    /** True when {@link #run} handles this op and split. */
    static boolean handles(ReduceOp op, long len, long inner) {
        return switch (op) {
            case SUM, MEAN, LOGSUMEXP -> true;
            case VAR, STD, AMAX, AMIN -> inner == 1 && len < CpuReduceKernels.SEG;
            default -> false;
        };
    }

    static void run(ReduceOp op, double corr, boolean f32, long x, long y, long g, long gx, long outer, long len,
                    long inner) {
        if (op == ReduceOp.SUM || op == ReduceOp.MEAN || op == ReduceOp.LOGSUMEXP) {
            elementwise(op, f32, x, y, g, gx, outer, len, inner);
        } else {
            long perChunk = Math.max(1, CpuReduceKernels.SEG / len);
            Parallel.forChunks(outer * len, perChunk * len, (c, s, e) -> {
                for (long r = s / len; r < e / len; r++) {
                    row(op, corr, f32, x, load(f32, y, r), load(f32, g, r), gx, r * len, len);
                }
            });
        }
    }

    private static void elementwise(ReduceOp op, boolean f32, long x, long y, long g, long gx, long outer, long len,
                                    long inner) {
        long block = len * inner;
        Parallel.forChunks(outer * block, CpuReduceKernels.SEG, (c, s, e) -> {
            long o = s / block;
            long l = (s % block) / inner;
            long i = s % inner;
            for (long k = s; k < e; k++) {
                long q = o * inner + i;
                double gv = load(f32, g, q);
                double v;
                if (op == ReduceOp.LOGSUMEXP) {
                    v = gv * (f32 ? FloatExp.exp((float) load(true, x, k) - (float) load(true, y, q))
                            : Math.exp(load(false, x, k) - load(false, y, q)));
                } else {
                    v = op == ReduceOp.MEAN ? gv / len : gv;
                }
                store(f32, gx, k, v);
                if (++i == inner) {
                    i = 0;
                    if (++l == len) {
                        l = 0;
                        o++;
                    }
                }
            }
        });
    }

    /** One row of VAR/STD (deviation from the row mean) or AMAX/AMIN (ties share the gradient). */
    private static void row(ReduceOp op, double corr, boolean f32, long x, double y, double g, long gx, long start,
                            long len) {
        int size = f32 ? 4 : 8;
        if (op == ReduceOp.VAR || op == ReduceOp.STD) {
            double mean = RowLoops.sum(f32, x + start * size, len) / len;
            double denom = Math.max(0, len - corr);
            double scale = op == ReduceOp.VAR ? 2 * g / denom : g / (denom * y);
            for (long k = start; k < start + len; k++) {
                store(f32, gx, k, scale * (load(f32, x, k) - mean));
            }
            return;
        }
        long ties = 0;
        for (long k = start; k < start + len; k++) {
            ties += load(f32, x, k) == y ? 1 : 0;
        }
        double share = g / ties;
        for (long k = start; k < start + len; k++) {
            store(f32, gx, k, load(f32, x, k) == y ? share : 0.0);
        }
    }
}
