package io.nabla.web;

import io.nabla.inference.InferenceException;
import java.util.Arrays;

/**
 * Holds the values of a {@code data} array that arrived before its tensor's {@code shape} or {@code datatype}, in
 * primitive arrays (no boxing), until they can be written into the tensor. Refuses more than {@code limit} values.
 */
final class ValueBuffer implements ValueSink {

    private static final byte INTEGER = 0;
    private static final byte REAL = 1;
    private static final byte BOOL = 2;
    private static final byte HUGE = 3;

    private final String field;
    private final long limit;
    private long[] bits = new long[64];
    private byte[] kinds = new byte[64];
    private int size;

    ValueBuffer(String field, long limit) {
        this.field = field;
        this.limit = limit;
    }

    int size() {
        return size;
    }

    private void add(byte kind, long value) {
        if (size >= limit) {
            throw InferenceException.invalid(field + " has more than " + limit
                    + " values, the limit per tensor (nabla.limits.max-tensor-elements)");
        }
        if (size == bits.length) {
            int grown = (int) Math.min(limit, Math.max(64L, 2L * size));
            bits = Arrays.copyOf(bits, grown);
            kinds = Arrays.copyOf(kinds, grown);
        }
        bits[size] = value;
        kinds[size++] = kind;
    }

    @Override
    public void integer(long value) {
        add(INTEGER, value);
    }

    @Override
    public void hugeInteger(double approx, String text) {
        add(HUGE, Double.doubleToRawLongBits(approx));
    }

    @Override
    public void real(double value) {
        add(REAL, Double.doubleToRawLongBits(value));
    }

    @Override
    public void bool(boolean value) {
        add(BOOL, value ? 1 : 0);
    }

    /** Replays every value into {@code sink}, in order. */
    void replay(ValueSink sink) {
        for (int i = 0; i < size; i++) {
            switch (kinds[i]) {
                case INTEGER -> sink.integer(bits[i]);
                case REAL -> sink.real(Double.longBitsToDouble(bits[i]));
                case HUGE -> sink.hugeInteger(Double.longBitsToDouble(bits[i]),
                        Double.toString(Double.longBitsToDouble(bits[i])));
                default -> sink.bool(bits[i] != 0);
            }
        }
    }
}
