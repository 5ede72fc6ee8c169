package io.nabla.backend.cpu;

import io.nabla.backend.BinaryOp;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * FP32 loops on the incubating Vector API, over host memory seen as a native-order {@link ByteBuffer} (on JDK 17
 * the API loads from arrays and byte buffers only). C2 does not vectorise the scalar loops over off-heap memory;
 * these run 2-3x faster per core in cache and keep the memory-bound 16M-element ops at the memory's speed. Used
 * only when {@link Simd#ENABLED} (loading this class needs the {@code jdk.incubator.vector} module).
 *
 * <p>Offsets and lengths are in elements. Methods that return false did nothing (the caller runs its scalar loop):
 * runs that are short, strided other than the forms below, or beyond the 2 GiB a byte buffer can address.
 */
final class VectorLoops {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    /** Elements per block of {@link #sum}: 4 accumulators of {@code L} lanes, 16 loads each. */
    private static final int SUM_BLOCK = 64 * L;

    static {
        if (ByteOrder.nativeOrder() != LE) {
            throw new ExceptionInInitializerError("VectorLoops expects a little-endian platform");
        }
    }

    private VectorLoops() {
    }

    private static boolean addressable(int offset, int stride, int n) {
        return offset >= 0 && ((long) offset + (long) stride * (n - 1) + 1) * 4 <= Integer.MAX_VALUE;
    }

    private static FloatVector at(ByteBuffer b, int byteOffset) {
        return FloatVector.fromByteBuffer(S, b, byteOffset, LE);
    }

    // ---- binary ---------------------------------------------------------------------------------------------

    /**
     * {@code y = a op b} for a unit-stride output and unit-stride or broadcast (stride 0) inputs; false when the
     * run has another form or fewer than {@link FloatLoops#SLICE_MIN} elements.
     */
    static boolean binary(BinaryOp op, ByteBuffer a, int oa, int sa, ByteBuffer b, int ob, int sb, ByteBuffer y,
                          int oy, int sy, int n) {
        if (n < FloatLoops.SLICE_MIN || sy != 1 || (sa | 1) != 1 || (sb | 1) != 1 || (sa | sb) == 0
                || !addressable(oa, sa, n) || !addressable(ob, sb, n) || !addressable(oy, 1, n)) {
            return false;
        }
        int ya = oy << 2;
        if (sa == 1 && sb == 1) {
            vv(op, a, oa << 2, b, ob << 2, y, ya, n);
        } else if (sa == 1) {
            vs(op, a, oa << 2, b.getFloat(ob << 2), y, ya, n);
        } else {
            sv(op, a.getFloat(oa << 2), b, ob << 2, y, ya, n);
        }
        return true;
    }

    /** Each op in its own loop: the Vector API compiles to vector instructions only for a constant operator. */
    private static void vv(BinaryOp op, ByteBuffer a, int pa, ByteBuffer b, int pb, ByteBuffer y, int py, int n) {
        int end = S.loopBound(n) << 2;
        switch (op) {
            case ADD: for (int i = 0; i < end; i += 4 * L) at(a, pa + i).add(at(b, pb + i)).intoByteBuffer(y, py + i, LE); break;
            case SUB: for (int i = 0; i < end; i += 4 * L) at(a, pa + i).sub(at(b, pb + i)).intoByteBuffer(y, py + i, LE); break;
            case MUL: for (int i = 0; i < end; i += 4 * L) at(a, pa + i).mul(at(b, pb + i)).intoByteBuffer(y, py + i, LE); break;
            case DIV: for (int i = 0; i < end; i += 4 * L) at(a, pa + i).div(at(b, pb + i)).intoByteBuffer(y, py + i, LE); break;
            case MAXIMUM: for (int i = 0; i < end; i += 4 * L) at(a, pa + i).max(at(b, pb + i)).intoByteBuffer(y, py + i, LE); break;
            case MINIMUM: for (int i = 0; i < end; i += 4 * L) at(a, pa + i).min(at(b, pb + i)).intoByteBuffer(y, py + i, LE); break;
            default: throw new IllegalArgumentException("no vector loop for " + op);
        }
        for (int i = end; i < n << 2; i += 4) {
            y.putFloat(py + i, scalar(op, a.getFloat(pa + i), b.getFloat(pb + i)));
        }
    }

    private static void vs(BinaryOp op, ByteBuffer a, int pa, float b, ByteBuffer y, int py, int n) {
        int end = S.loopBound(n) << 2;
        FloatVector v = FloatVector.broadcast(S, b);
        switch (op) {
            case ADD: for (int i = 0; i < end; i += 4 * L) at(a, pa + i).add(v).intoByteBuffer(y, py + i, LE); break;
            case SUB: for (int i = 0; i < end; i += 4 * L) at(a, pa + i).sub(v).intoByteBuffer(y, py + i, LE); break;
            case MUL: for (int i = 0; i < end; i += 4 * L) at(a, pa + i).mul(v).intoByteBuffer(y, py + i, LE); break;
            case DIV: for (int i = 0; i < end; i += 4 * L) at(a, pa + i).div(v).intoByteBuffer(y, py + i, LE); break;
            case MAXIMUM: for (int i = 0; i < end; i += 4 * L) at(a, pa + i).max(v).intoByteBuffer(y, py + i, LE); break;
            case MINIMUM: for (int i = 0; i < end; i += 4 * L) at(a, pa + i).min(v).intoByteBuffer(y, py + i, LE); break;
            default: throw new IllegalArgumentException("no vector loop for " + op);
        }
        for (int i = end; i < n << 2; i += 4) {
            y.putFloat(py + i, scalar(op, a.getFloat(pa + i), b));
        }
    }

    private static void sv(BinaryOp op, float a, ByteBuffer b, int pb, ByteBuffer y, int py, int n) {
        int end = S.loopBound(n) << 2;
        FloatVector v = FloatVector.broadcast(S, a);
        switch (op) {
            case ADD: for (int i = 0; i < end; i += 4 * L) v.add(at(b, pb + i)).intoByteBuffer(y, py + i, LE); break;
            case SUB: for (int i = 0; i < end; i += 4 * L) v.sub(at(b, pb + i)).intoByteBuffer(y, py + i, LE); break;
            case MUL: for (int i = 0; i < end; i += 4 * L) v.mul(at(b, pb + i)).intoByteBuffer(y, py + i, LE); break;
            case DIV: for (int i = 0; i < end; i += 4 * L) v.div(at(b, pb + i)).intoByteBuffer(y, py + i, LE); break;
            case MAXIMUM: for (int i = 0; i < end; i += 4 * L) v.max(at(b, pb + i)).intoByteBuffer(y, py + i, LE); break;
            case MINIMUM: for (int i = 0; i < end; i += 4 * L) v.min(at(b, pb + i)).intoByteBuffer(y, py + i, LE); break;
            default: throw new IllegalArgumentException("no vector loop for " + op);
        }
        for (int i = end; i < n << 2; i += 4) {
            y.putFloat(py + i, scalar(op, a, b.getFloat(pb + i)));
        }
    }

    /** The tail elements, rounded exactly as the vector lanes (and the scalar loops) round. */
    private static float scalar(BinaryOp op, float a, float b) {
        switch (op) {
            case ADD: return a + b;
            case SUB: return a - b;
            case MUL: return a * b;
            case DIV: return a / b;
            case MAXIMUM: return Math.max(a, b);
            case MINIMUM: return Math.min(a, b);
            default: throw new IllegalArgumentException("no vector loop for " + op);
        }
    }

    // ---- sum ------------------------------------------------------------------------------------------------

    /**
     * The sum of {@code n} contiguous floats from element {@code offset} (the caller keeps the run within the
     * buffer's first 2 GiB). Blocks of {@link #SUM_BLOCK} elements are added in float lane by lane (each lane adds
     * 16 elements into each of 4 accumulators, then the accumulators pairwise), then the lanes, blocks and tail in
     * double, always in the same order: the result depends on the machine's vector width but never on the thread
     * count or on whether the loop runs compiled. Its error is within a few float ulp of each 64-element lane
     * sum, about that of the scalar {@link RowLoops#sumF}; NaN and infinities propagate as in any sum.
     */
    static double sum(ByteBuffer x, int offset, int n) {
        int p = offset << 2;
        double total = 0;
        int i = 0;
        float[] lanes = new float[L];
        for (; i + SUM_BLOCK <= n; i += SUM_BLOCK) {
            FloatVector a0 = FloatVector.zero(S);
            FloatVector a1 = a0;
            FloatVector a2 = a0;
            FloatVector a3 = a0;
            for (int end = p + (SUM_BLOCK << 2); p < end; p += 16 * L) {
                a0 = a0.add(at(x, p));
                a1 = a1.add(at(x, p + 4 * L));
                a2 = a2.add(at(x, p + 8 * L));
                a3 = a3.add(at(x, p + 12 * L));
            }
            a0.add(a1).add(a2.add(a3)).intoArray(lanes, 0);
            total += lanes(lanes);
        }
        double tail = 0;
        for (; i < n; i++, p += 4) {
            tail += x.getFloat(p);
        }
        return total + tail;
    }

    /** The lanes' sum in double, in a fixed order (even and odd lanes, then the two). */
    private static double lanes(float[] v) {
        double s0 = 0;
        double s1 = 0;
        for (int k = 0; k < v.length; k++) {
            if ((k & 1) == 0) {
                s0 += v[k];
            } else {
                s1 += v[k];
            }
        }
        return s0 + s1;
    }
}
