package io.nabla.backend.cpu;

import static io.nabla.backend.cpu.RawMemory.getDouble;
import static io.nabla.backend.cpu.RawMemory.getFloat;

/**
 * Inner loops over one contiguous run of FP32 or FP64 elements (a row, or a segment of one), by address.
 * Several independent accumulators keep the loops bound by memory rather than by add latency. FP32 sums add blocks
 * of 128 floats in float (eight accumulators of 16 elements each) and accumulate the blocks in double; runs of at
 * least {@link BlasLoops#MIN_SUM} floats go through OpenBLAS ({@link BlasLoops#sumF}: float chains of 16 as well).
 */
final class RowLoops {

    /** Floats per block of {@link #sumF}: each of its eight float accumulators adds 16 of them. */
    static final int SUM_BLOCK = 128;

    private RowLoops() {
    }

    static double sum(boolean f32, long a, long n) {
        return f32 ? sumF(a, n) : sumD(a, n);
    }

    static double max(boolean f32, long a, long n) {
        return f32 ? maxF(a, n) : maxD(a, n);
    }

    static double min(boolean f32, long a, long n) {
        return f32 ? minF(a, n) : minD(a, n);
    }

    /** Adds {@code sum(x - c)} to {@code acc[0]} and {@code sum((x - c)^2)} to {@code acc[1]}. */
    static void sqDev(boolean f32, long a, long n, double c, double[] acc, int at) {
        if (f32) {
            sqDevF(a, n, (float) c, acc, at);
        } else {
            sqDevD(a, n, c, acc, at);
        }
    }

    /** {@code sum(exp(x - m))}. */
    static double sumExp(boolean f32, long a, long n, double m) {
        return f32 ? sumExpF(a, n, (float) m) : sumExpD(a, n, m);
    }

    /**
     * Runs of {@link NativeLoops#MIN_RUN} floats or more where the native loops are built: {@link NativeLoops#sum}
     * (AVX2, blocks of 128 floats in float, their totals in double; in the L2 cache 0.04 ns per float against 0.09
     * for OpenBLAS below and about 0.15 for the scalar loop, from memory all three stream equally fast). Else runs of
     * {@link BlasLoops#MIN_SUM} floats or more: {@link BlasLoops#sumF} (vector loads, which stream from memory
     * faster than the scalar loop), then the last {@code n % 16} here. Shorter runs: {@link #scalarSumF}.
     */
    static double sumF(long a, long n) {
        if (n >= NativeLoops.MIN_RUN && NativeLoops.available()) {
            return NativeLoops.sum(a, n);
        }
        if (n >= BlasLoops.MIN_SUM && OpenBlas.available()) {
            long tail = n % BlasLoops.SUM_COLUMNS;
            return BlasLoops.sumF(a, n) + scalarSumF(a + ((n - tail) << 2), tail);
        }
        return scalarSumF(a, n);
    }

    /**
     * Blocks of up to {@link #SUM_BLOCK} floats are added in float by eight independent accumulators (C2 keeps them
     * in registers and issues about two adds per cycle: 1.5x the speed of adding groups of four into double), each
     * block's total is added in double.
     */
    private static double scalarSumF(long a, long n) {
        double total = 0;
        long i = 0;
        long groups = n & ~7L;
        while (i < groups) {
            float s0 = 0;
            float s1 = 0;
            float s2 = 0;
            float s3 = 0;
            float s4 = 0;
            float s5 = 0;
            float s6 = 0;
            float s7 = 0;
            for (long end = Math.min(groups, i + SUM_BLOCK); i < end; i += 8) {
                long p = a + (i << 2);
                s0 += getFloat(p);
                s1 += getFloat(p + 4);
                s2 += getFloat(p + 8);
                s3 += getFloat(p + 12);
                s4 += getFloat(p + 16);
                s5 += getFloat(p + 20);
                s6 += getFloat(p + 24);
                s7 += getFloat(p + 28);
            }
            total += ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
        }
        double tail = 0;
        for (; i < n; i++) {
            tail += getFloat(a + (i << 2));
        }
        return total + tail;
    }

    /**
     * The sum of {@code n} floats added in double by four accumulators: for results that add the sums of many
     * runs, where cancellation between runs would expose the float rounding of {@link #sumF}.
     */
    static double sumFInDouble(long a, long n) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        long i = 0;
        for (; i + 4 <= n; i += 4) {
            long p = a + (i << 2);
            s0 += getFloat(p);
            s1 += getFloat(p + 4);
            s2 += getFloat(p + 8);
            s3 += getFloat(p + 12);
        }
        for (; i < n; i++) {
            s0 += getFloat(a + (i << 2));
        }
        return (s0 + s1) + (s2 + s3);
    }

    static double sumD(long a, long n) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        long i = 0;
        for (; i + 8 <= n; i += 8) {
            long p = a + (i << 3);
            s0 += getDouble(p) + getDouble(p + 8);
            s1 += getDouble(p + 16) + getDouble(p + 24);
            s2 += getDouble(p + 32) + getDouble(p + 40);
            s3 += getDouble(p + 48) + getDouble(p + 56);
        }
        for (; i < n; i++) {
            s0 += getDouble(a + (i << 3));
        }
        return (s0 + s1) + (s2 + s3);
    }

    static double maxF(long a, long n) {
        float m0 = Float.NEGATIVE_INFINITY;
        float m1 = m0;
        float m2 = m0;
        float m3 = m0;
        long i = 0;
        for (; i + 4 <= n; i += 4) {
            long p = a + (i << 2);
            m0 = Math.max(m0, getFloat(p));
            m1 = Math.max(m1, getFloat(p + 4));
            m2 = Math.max(m2, getFloat(p + 8));
            m3 = Math.max(m3, getFloat(p + 12));
        }
        for (; i < n; i++) {
            m0 = Math.max(m0, getFloat(a + (i << 2)));
        }
        return Math.max(Math.max(m0, m1), Math.max(m2, m3));
    }

    static double minF(long a, long n) {
        float m0 = Float.POSITIVE_INFINITY;
        float m1 = m0;
        float m2 = m0;
        float m3 = m0;
        long i = 0;
        for (; i + 4 <= n; i += 4) {
            long p = a + (i << 2);
            m0 = Math.min(m0, getFloat(p));
            m1 = Math.min(m1, getFloat(p + 4));
            m2 = Math.min(m2, getFloat(p + 8));
            m3 = Math.min(m3, getFloat(p + 12));
        }
        for (; i < n; i++) {
            m0 = Math.min(m0, getFloat(a + (i << 2)));
        }
        return Math.min(Math.min(m0, m1), Math.min(m2, m3));
    }

    static double maxD(long a, long n) {
        double m0 = Double.NEGATIVE_INFINITY;
        double m1 = m0;
        long i = 0;
        for (; i + 2 <= n; i += 2) {
            long p = a + (i << 3);
            m0 = Math.max(m0, getDouble(p));
            m1 = Math.max(m1, getDouble(p + 8));
        }
        for (; i < n; i++) {
            m0 = Math.max(m0, getDouble(a + (i << 3)));
        }
        return Math.max(m0, m1);
    }

    static double minD(long a, long n) {
        double m0 = Double.POSITIVE_INFINITY;
        double m1 = m0;
        long i = 0;
        for (; i + 2 <= n; i += 2) {
            long p = a + (i << 3);
            m0 = Math.min(m0, getDouble(p));
            m1 = Math.min(m1, getDouble(p + 8));
        }
        for (; i < n; i++) {
            m0 = Math.min(m0, getDouble(a + (i << 3)));
        }
        return Math.min(m0, m1);
    }

    static void sqDevF(long a, long n, float c, double[] acc, int at) {
        double s0 = 0;
        double s1 = 0;
        double q0 = 0;
        double q1 = 0;
        long i = 0;
        for (; i + 8 <= n; i += 8) {
            long p = a + (i << 2);
            float d0 = getFloat(p) - c;
            float d1 = getFloat(p + 4) - c;
            float d2 = getFloat(p + 8) - c;
            float d3 = getFloat(p + 12) - c;
            float d4 = getFloat(p + 16) - c;
            float d5 = getFloat(p + 20) - c;
            float d6 = getFloat(p + 24) - c;
            float d7 = getFloat(p + 28) - c;
            s0 += (d0 + d1) + (d2 + d3);
            s1 += (d4 + d5) + (d6 + d7);
            q0 += (d0 * d0 + d1 * d1) + (d2 * d2 + d3 * d3);
            q1 += (d4 * d4 + d5 * d5) + (d6 * d6 + d7 * d7);
        }
        for (; i < n; i++) {
            float d = getFloat(a + (i << 2)) - c;
            s0 += d;
            q0 += d * d;
        }
        acc[at] += s0 + s1;
        acc[at + 1] += q0 + q1;
    }

    static void sqDevD(long a, long n, double c, double[] acc, int at) {
        double s0 = 0;
        double s1 = 0;
        double q0 = 0;
        double q1 = 0;
        long i = 0;
        for (; i + 2 <= n; i += 2) {
            long p = a + (i << 3);
            double d0 = getDouble(p) - c;
            double d1 = getDouble(p + 8) - c;
            s0 += d0;
            s1 += d1;
            q0 += d0 * d0;
            q1 += d1 * d1;
        }
        for (; i < n; i++) {
            double d = getDouble(a + (i << 3)) - c;
            s0 += d;
            q0 += d * d;
        }
        acc[at] += s0 + s1;
        acc[at + 1] += q0 + q1;
    }

    static double sumExpF(long a, long n, float m) {
        double s0 = 0;
        double s1 = 0;
        long i = 0;
        for (; i + 2 <= n; i += 2) {
            long p = a + (i << 2);
            s0 += FloatExp.exp(getFloat(p) - m);
            s1 += FloatExp.exp(getFloat(p + 4) - m);
        }
        for (; i < n; i++) {
            s0 += FloatExp.exp(getFloat(a + (i << 2)) - m);
        }
        return s0 + s1;
    }

    static double sumExpD(long a, long n, double m) {
        double s0 = 0;
        double s1 = 0;
        long i = 0;
        for (; i + 2 <= n; i += 2) {
            long p = a + (i << 3);
            s0 += Math.exp(getDouble(p) - m);
            s1 += Math.exp(getDouble(p + 8) - m);
        }
        for (; i < n; i++) {
            s0 += Math.exp(getDouble(a + (i << 3)) - m);
        }
        return s0 + s1;
    }
}
