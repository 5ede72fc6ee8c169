package io.nabla.web;

import io.nabla.backend.DType;
import io.nabla.backend.HalfFloats;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;

/** Test values of every datatype, as JSON text and as little-endian bytes. */
final class Tensors {

    private Tensors() {
    }

    /** Sample values exactly representable in {@code t}. */
    static double[] sample(DType t, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = switch (t) {
                case BOOL -> i % 2;
                case UINT8 -> (i * 37) % 256;
                case INT8 -> (i * 37) % 256 - 128;
                case INT16 -> i * 1000 - 30000;
                case INT32 -> i * 100000 - 2000000;
                case INT64 -> i * 1_000_000_007L - 5_000_000_000L;
                case FP16, BF16 -> (i - n / 2) * 0.5;
                case FP32 -> (i - n / 2) * 0.1f;
                case FP64 -> (i - n / 2) * 0.1;
            };
        }
        return v;
    }

    static String json(DType t, double[] values) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < values.length; i++) {
            sb.append(i == 0 ? "" : ",");
            if (t == DType.BOOL) {
                sb.append(values[i] != 0);
            } else if (t.isFloatingPoint()) {
                sb.append(t == DType.FP32 ? Float.toString((float) values[i]) : Double.toString(values[i]));
            } else {
                sb.append((long) values[i]);
            }
        }
        return sb.append(']').toString();
    }

    static byte[] bytes(DType t, double[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * t.itemSize()).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : values) {
            switch (t) {
                case BOOL, UINT8, INT8 -> b.put((byte) (long) v);
                case INT16 -> b.putShort((short) (long) v);
                case INT32 -> b.putInt((int) (long) v);
                case INT64 -> b.putLong((long) v);
                case FP16 -> b.putShort(HalfFloats.floatToHalf((float) v));
                case BF16 -> b.putShort(HalfFloats.floatToBf16((float) v));
                case FP32 -> b.putFloat((float) v);
                case FP64 -> b.putDouble(v);
            }
        }
        return b.array();
    }

    static double[] fromBytes(DType t, byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        double[] v = new double[bytes.length / t.itemSize()];
        for (int i = 0; i < v.length; i++) {
            v[i] = switch (t) {
                case BOOL -> b.get(i) != 0 ? 1 : 0;
                case UINT8 -> b.get(i) & 0xff;
                case INT8 -> b.get(i);
                case INT16 -> b.getShort(2 * i);
                case INT32 -> b.getInt(4 * i);
                case INT64 -> b.getLong(8 * i);
                case FP16 -> HalfFloats.halfToFloat(b.getShort(2 * i));
                case BF16 -> HalfFloats.bf16ToFloat(b.getShort(2 * i));
                case FP32 -> b.getFloat(4 * i);
                case FP64 -> b.getDouble(8 * i);
            };
        }
        return v;
    }

    /** A request body of a JSON header followed by binary data, and the header it needs. */
    record Binary(byte[] body, Map<String, String> headers) {
    }

    static Binary binary(String jsonHeader, byte[]... data) {
        byte[] header = jsonHeader.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int total = header.length;
        for (byte[] d : data) {
            total += d.length;
        }
        ByteBuffer b = ByteBuffer.allocate(total);
        b.put(header);
        for (byte[] d : data) {
            b.put(d);
        }
        return new Binary(b.array(), Map.of("Inference-Header-Content-Length", Integer.toString(header.length)));
    }

    /** Splits a binary response into its JSON header and the bytes after it. */
    static byte[][] split(Http.Reply r) {
        int n = Integer.parseInt(r.header("Inference-Header-Content-Length"));
        byte[] json = java.util.Arrays.copyOfRange(r.body(), 0, n);
        byte[] rest = java.util.Arrays.copyOfRange(r.body(), n, r.body().length);
        return new byte[][] {json, rest};
    }
}
