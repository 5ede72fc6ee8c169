package io.nabla.model;

import io.nabla.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;

/**
 * The bytes of a host tensor in row-major order, streamed to a channel without allocating a contiguous copy:
 * a contiguous tensor is written straight from its memory, a strided view (transposed, sliced, expanded) row by
 * row through a small chunk buffer. Bytes are copied as they are, so every value (NaN payloads included) survives.
 */
final class TensorBytes {

    private TensorBytes() {
    }

    static void write(Tensor t, WritableByteChannel ch, ByteBuffer chunk) throws IOException {
        long n = t.numel();
        if (n == 0) {
            return;
        }
        int item = t.dtype().itemSize();
        ByteBuffer src = t.memory().hostBuffer().duplicate();
        if (t.isContiguous()) {
            int start = Math.toIntExact(t.offset() * item);
            src.limit(Math.toIntExact(start + n * item)).position(start);
            SafetensorsWriter.writeFully(ch, src);
            return;
        }
        int[] shape = t.shape(); // rank >= 1: a 0-dim tensor is contiguous
        int[] strides = t.strides();
        int last = shape.length - 1;
        int[] index = new int[last];
        long rows = n / shape[last];
        chunk.clear();
        for (long r = 0; r < rows; r++) {
            long base = t.offset();
            for (int d = 0; d < last; d++) {
                base += (long) index[d] * strides[d];
            }
            if (strides[last] == 1) {
                copy(src, base * item, shape[last] * item, chunk, ch);
            } else {
                for (int k = 0; k < shape[last]; k++) {
                    copy(src, (base + (long) k * strides[last]) * item, item, chunk, ch);
                }
            }
            for (int d = last - 1; d >= 0 && ++index[d] == shape[d]; d--) {
                index[d] = 0;
            }
        }
        flush(chunk, ch);
    }

    private static void copy(ByteBuffer src, long at, int length, ByteBuffer chunk, WritableByteChannel ch)
            throws IOException {
        int pos = Math.toIntExact(at);
        int left = length;
        while (left > 0) {
            if (!chunk.hasRemaining()) {
                flush(chunk, ch);
            }
            int k = Math.min(left, chunk.remaining());
            chunk.put(chunk.position(), src, pos, k);
            chunk.position(chunk.position() + k);
            pos += k;
            left -= k;
        }
    }

    private static void flush(ByteBuffer chunk, WritableByteChannel ch) throws IOException {
        chunk.flip();
        SafetensorsWriter.writeFully(ch, chunk);
        chunk.clear();
    }
}
