package io.nabla.web;

import io.nabla.backend.DType;
import io.nabla.backend.HalfFloats;
import io.nabla.inference.InferenceException;
import java.nio.ByteBuffer;

/**
 * Writes values straight into a tensor's host memory, converting each to the datatype and refusing what the datatype
 * cannot hold (fractions for integer types, out-of-range values, infinities), naming the element.
 */
final class TensorFiller implements ValueSink {

    private final String field;
    private final DType dtype;
    private final ByteBuffer out;
    private final long capacity;
    private final String shapeText;
    private int index;

    TensorFiller(String field, DType dtype, ByteBuffer out, long capacity, String shapeText) {
        this.field = field;
        this.dtype = dtype;
        this.out = out;
        this.capacity = capacity;
        this.shapeText = shapeText;
    }

    long count() {
        return index;
    }

    private int next() {
        if (index >= capacity) {
            throw InferenceException.invalid(field + " has more than the " + capacity + " values that shape "
                    + shapeText + " needs");
        }
        return index++;
    }

    @Override
    public void integer(long v) {
        if (dtype.isFloatingPoint()) {
            real(v);
            return;
        }
        int i = next();
        switch (dtype) {
            case BOOL -> {
                if (v != 0 && v != 1) {
                    throw bad(i, Long.toString(v), "BOOL takes true, false, 0 or 1");
                }
                out.put(i, (byte) v);
            }
            case UINT8 -> out.put(i, (byte) range(i, v, 0, 255));
            case INT8 -> out.put(i, (byte) range(i, v, Byte.MIN_VALUE, Byte.MAX_VALUE));
            case INT16 -> out.putShort(i << 1, (short) range(i, v, Short.MIN_VALUE, Short.MAX_VALUE));
            case INT32 -> out.putInt(i << 2, (int) range(i, v, Integer.MIN_VALUE, Integer.MAX_VALUE));
            default -> out.putLong(i << 3, v);
        }
    }

    @Override
    public void hugeInteger(double approx, String text) {
        if (dtype.isFloatingPoint()) {
            real(approx);
            return;
        }
        throw bad(next(), text, "out of range for " + dtype.inferenceName());
    }

    @Override
    public void real(double v) {
        int i = next();
        if (!dtype.isFloatingPoint()) {
            throw bad(i, Double.toString(v), dtype.inferenceName() + " takes integers only");
        }
        if (!Double.isFinite(v)) {
            throw bad(i, Double.toString(v), "out of range for " + dtype.inferenceName());
        }
        switch (dtype) {
            case FP64 -> out.putDouble(i << 3, v);
            case FP32 -> out.putFloat(i << 2, finite(i, v, (float) v));
            case FP16 -> {
                short h = HalfFloats.floatToHalf((float) v);
                finite(i, v, HalfFloats.halfToFloat(h));
                out.putShort(i << 1, h);
            }
            case BF16 -> {
                short b = HalfFloats.floatToBf16((float) v);
                finite(i, v, HalfFloats.bf16ToFloat(b));
                out.putShort(i << 1, b);
            }
            default -> throw new IllegalStateException("not a floating dtype: " + dtype);
        }
    }

    @Override
    public void bool(boolean v) {
        if (dtype != DType.BOOL) {
            throw bad(index, Boolean.toString(v), dtype.inferenceName() + " takes numbers, not booleans");
        }
        out.put(next(), (byte) (v ? 1 : 0));
    }

    private long range(int i, long v, long lo, long hi) {
        if (v < lo || v > hi) {
            throw bad(i, Long.toString(v), "out of range for " + dtype.inferenceName() + " [" + lo + ", " + hi + "]");
        }
        return v;
    }

    private float finite(int i, double v, float narrowed) {
        if (!Float.isFinite(narrowed)) {
            throw bad(i, Double.toString(v), "out of range for " + dtype.inferenceName());
        }
        return narrowed;
    }

    private InferenceException bad(int i, String value, String why) {
        return InferenceException.invalid(field + "[" + i + "] = " + value + ": " + why);
    }
}
