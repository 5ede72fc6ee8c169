package io.nabla.backend.cpu;

import io.nabla.backend.DType;
import io.nabla.backend.Memory;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;

/**
 * An FP32 or FP64 host block read and written as double at element indices: the two fast dtypes behind one type,
 * so a CPU loop is written once (call sites see at most two receiver classes and stay inlined). Range operations
 * take another array of the same dtype.
 */
abstract class HostArray {

    abstract double get(long i);

    abstract void set(long i, double v);

    final void add(long i, double v) {
        set(i, get(i) + v);
    }

    /** Copies {@code len} consecutive elements from {@code src} at {@code from} to this array at {@code to}. */
    abstract void copy(HostArray src, long from, long to, int len);

    /** Adds {@code len} consecutive elements of {@code src} at {@code from} into this array at {@code to}. */
    abstract void addRange(HostArray src, long from, long to, int len);

    /** Writes zero into {@code len} consecutive elements from {@code to}. */
    abstract void zero(long to, int len);

    /** The block as an array of {@code dtype}, or null when the dtype has no fast path (use the reference loop). */
    static HostArray of(Memory m, DType dtype) {
        if (dtype == DType.FP32) {
            return new F32(m.hostBuffer().asFloatBuffer());
        }
        if (dtype == DType.FP64) {
            return new F64(m.hostBuffer().asDoubleBuffer());
        }
        return null;
    }

    private static final class F32 extends HostArray {
        private final FloatBuffer b;

        F32(FloatBuffer b) {
            this.b = b;
        }

        @Override
        double get(long i) {
            return b.get((int) i);
        }

        @Override
        void set(long i, double v) {
            b.put((int) i, (float) v);
        }

        @Override
        void copy(HostArray src, long from, long to, int len) {
            b.put((int) to, ((F32) src).b, (int) from, len);
        }

        @Override
        void addRange(HostArray src, long from, long to, int len) {
            FloatBuffer s = ((F32) src).b;
            for (int k = 0; k < len; k++) {
                b.put((int) to + k, b.get((int) to + k) + s.get((int) from + k));
            }
        }

        @Override
        void zero(long to, int len) {
            for (int k = 0; k < len; k++) {
                b.put((int) to + k, 0f);
            }
        }
    }

    private static final class F64 extends HostArray {
        private final DoubleBuffer b;

        F64(DoubleBuffer b) {
            this.b = b;
        }

        @Override
        double get(long i) {
            return b.get((int) i);
        }

        @Override
        void set(long i, double v) {
            b.put((int) i, v);
        }

        @Override
        void copy(HostArray src, long from, long to, int len) {
            b.put((int) to, ((F64) src).b, (int) from, len);
        }

        @Override
        void addRange(HostArray src, long from, long to, int len) {
            DoubleBuffer s = ((F64) src).b;
            for (int k = 0; k < len; k++) {
                b.put((int) to + k, b.get((int) to + k) + s.get((int) from + k));
            }
        }

        @Override
        void zero(long to, int len) {
            for (int k = 0; k < len; k++) {
                b.put((int) to + k, 0d);
            }
        }
    }
}
