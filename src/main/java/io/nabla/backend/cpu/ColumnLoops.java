package io.nabla.backend.cpu;

import static io.nabla.backend.cpu.RawMemory.getDouble;
import static io.nabla.backend.cpu.RawMemory.getFloat;

/**
 * Inner loops that reduce a block of {@code rows} contiguous rows over the rows, column by column: row {@code r}
 * starts at {@code a + r * ld} bytes, and columns {@code [0, w)} accumulate into {@code acc[at .. at + w)}.
 * FP32 sums go eight rows at a time, added pairwise in float (C2 packs those adds across columns), so each
 * column's double accumulator is touched once per eight elements.
 */
final class ColumnLoops {

    private ColumnLoops() {
    }

    static void sum(boolean f32, long a, long ld, long rows, int w, double[] acc, int at) {
        if (f32) {
            sumF(a, ld, rows, w, acc, at);
        } else {
            sumD(a, ld, rows, w, acc, at);
        }
    }

    /** Running max ({@code max}) or min of each column into {@code acc}, NaN propagating. */
    static void extreme(boolean f32, boolean max, long a, long ld, long rows, int w, double[] acc, int at) {
        int size = f32 ? 4 : 8;
        for (long r = 0; r < rows; r++) {
            long p = a + r * ld;
            for (int j = 0; j < w; j++) {
                double x = f32 ? getFloat(p + ((long) j << 2)) : getDouble(p + (long) j * size);
                acc[at + j] = max ? Math.max(acc[at + j], x) : Math.min(acc[at + j], x);
            }
        }
    }

    /** Adds {@code sum(x - c_j)} to {@code s[at + j]} and {@code sum((x - c_j)^2)} to {@code q[at + j]}. */
    static void sqDev(boolean f32, long a, long ld, long rows, int w, double[] c, int cAt, double[] s, double[] q,
                      int at) {
        for (long r = 0; r < rows; r++) {
            long p = a + r * ld;
            if (f32) {
                for (int j = 0; j < w; j++) {
                    float d = getFloat(p + ((long) j << 2)) - (float) c[cAt + j];
                    s[at + j] += d;
                    q[at + j] += d * d;
                }
            } else {
                for (int j = 0; j < w; j++) {
                    double d = getDouble(p + ((long) j << 3)) - c[cAt + j];
                    s[at + j] += d;
                    q[at + j] += d * d;
                }
            }
        }
    }

    static void sumF(long a, long ld, long rows, int w, double[] acc, int at) {
        long r = 0;
        for (; r + 8 <= rows; r += 8) {
            long p0 = a + r * ld;
            long p4 = p0 + 4 * ld;
            for (int j = 0; j < w; j++) {
                long o = (long) j << 2;
                float lo = (getFloat(p0 + o) + getFloat(p0 + ld + o))
                        + (getFloat(p0 + 2 * ld + o) + getFloat(p0 + 3 * ld + o));
                float hi = (getFloat(p4 + o) + getFloat(p4 + ld + o))
                        + (getFloat(p4 + 2 * ld + o) + getFloat(p4 + 3 * ld + o));
                acc[at + j] += lo + hi;
            }
        }
        for (; r < rows; r++) {
            long p = a + r * ld;
            for (int j = 0; j < w; j++) {
                acc[at + j] += getFloat(p + ((long) j << 2));
            }
        }
    }

    static void sumD(long a, long ld, long rows, int w, double[] acc, int at) {
        long r = 0;
        for (; r + 2 <= rows; r += 2) {
            long p0 = a + r * ld;
            long p1 = p0 + ld;
            for (int j = 0; j < w; j++) {
                long o = (long) j << 3;
                acc[at + j] += getDouble(p0 + o) + getDouble(p1 + o);
            }
        }
        for (; r < rows; r++) {
            long p = a + r * ld;
            for (int j = 0; j < w; j++) {
                acc[at + j] += getDouble(p + ((long) j << 3));
            }
        }
    }
}
