package io.nabla.backend;

import java.nio.ByteBuffer;

/**
 * Reads and writes one element of any dtype at an element index of a host buffer. Floating values travel as
 * double (FP16/BF16 are widened exactly and narrowed through float with round-to-nearest-even), integers as long.
 * This is the generic (slow) path; fast kernels specialise on the dtype instead.
 */
public final class ElementAccess {

    private ElementAccess() {
    }

    public static double getDouble(ByteBuffer b, DType t, long index) {
        int i = (int) index;
        switch (t) {
            case FP32: return b.getFloat(i << 2);
            case FP64: return b.getDouble(i << 3);
            case FP16: return HalfFloats.halfToFloat(b.getShort(i << 1));
            case BF16: return HalfFloats.bf16ToFloat(b.getShort(i << 1));
            case INT64: return b.getLong(i << 3);
            case INT32: return b.getInt(i << 2);
            case INT16: return b.getShort(i << 1);
            case INT8: return b.get(i);
            case UINT8: return b.get(i) & 0xff;
            case BOOL: return b.get(i) != 0 ? 1.0 : 0.0;
            default: throw new IllegalArgumentException("unsupported dtype " + t);
        }
    }

    public static long getLong(ByteBuffer b, DType t, long index) {
        int i = (int) index;
        switch (t) {
            case INT64: return b.getLong(i << 3);
            case INT32: return b.getInt(i << 2);
            case INT16: return b.getShort(i << 1);
            case INT8: return b.get(i);
            case UINT8: return b.get(i) & 0xff;
            case BOOL: return b.get(i) != 0 ? 1 : 0;
            default: return toLong(getDouble(b, t, index));
        }
    }

    /** Writes a double, converting it to the dtype as PyTorch's {@code to(dtype)} does (truncation for integers). */
    public static void putDouble(ByteBuffer b, DType t, long index, double v) {
        int i = (int) index;
        switch (t) {
            case FP32: b.putFloat(i << 2, (float) v); break;
            case FP64: b.putDouble(i << 3, v); break;
            case FP16: b.putShort(i << 1, HalfFloats.floatToHalf((float) v)); break;
            case BF16: b.putShort(i << 1, HalfFloats.floatToBf16((float) v)); break;
            case BOOL: b.put(i, (byte) (v != 0 ? 1 : 0)); break;
            default: putLong(b, t, index, toLong(v));
        }
    }

    /** Writes a long, wrapping around for narrow integer types as a C cast does. */
    public static void putLong(ByteBuffer b, DType t, long index, long v) {
        int i = (int) index;
        switch (t) {
            case INT64: b.putLong(i << 3, v); break;
            case INT32: b.putInt(i << 2, (int) v); break;
            case INT16: b.putShort(i << 1, (short) v); break;
            case INT8:
            case UINT8: b.put(i, (byte) v); break;
            case BOOL: b.put(i, (byte) (v != 0 ? 1 : 0)); break;
            default: putDouble(b, t, index, (double) v);
        }
    }

    /** Double to integer as a C cast truncates; NaN becomes 0 and out-of-range values saturate. */
    public static long toLong(double v) {
        return (long) v;
    }
}
