package io.nabla.model;

import static io.nabla.model.SafetensorsText.quote;

import io.nabla.backend.DType;
import io.nabla.tensor.Tensor;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes tensors as a safetensors file laid out byte for byte as the reference implementation
 * (huggingface/safetensors, which {@code safetensors.torch.save_file} calls) lays it out: tensors sorted by descending dtype alignment, then
 * by name, stored back to back in that order; a compact JSON header listing {@code __metadata__} first, then the
 * tensors in data order, escaped as serde_json escapes, padded with spaces to a multiple of 8 bytes. For tensors of
 * one dtype (the usual state dict) that is plain name order. Metadata keys are written sorted. Any CPU tensor can be
 * written, non-contiguous views included; the data is little-endian and row-major. A tensor name longer than
 * {@link SafetensorsLimits#MAX_TENSOR_NAME_LENGTH} is refused, as the reader refuses it, so every file written here
 * reads back.
 *
 * <p>Writing to a path is atomic: a temporary file in the same directory is written, forced to disk and renamed
 * over the target, so readers see either the old file or the complete new one.
 */
public final class SafetensorsWriter {

    private static final int CHUNK = 1 << 16;

    private SafetensorsWriter() {
    }

    public static void write(Map<String, Tensor> tensors, Path file) throws IOException {
        write(tensors, null, file);
    }

    /** Writes {@code tensors} and {@code metadata} (null: no {@code __metadata__}) atomically to {@code file}. */
    public static void write(Map<String, Tensor> tensors, Map<String, String> metadata, Path file) throws IOException {
        Prepared prep = prepare(tensors, metadata);
        Path target = file.toAbsolutePath();
        Path dir = target.getParent();
        String base = target.getFileName().toString();
        // A fresh name next to the target (same file system, so the rename is atomic), created with the
        // process's default permissions as any other file it writes.
        Path tmp = dir.resolve("." + base.substring(0, Math.min(base.length(), 100)) + "."
                + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36) + ".tmp");
        boolean moved = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                prep.writeTo(ch);
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            moved = true;
        } finally {
            if (!moved) {
                Files.deleteIfExists(tmp);
            }
        }
        syncDirectory(dir);
    }

    /** Writes to a stream (not closed; flushed at the end). */
    public static void write(Map<String, Tensor> tensors, Map<String, String> metadata, OutputStream out)
            throws IOException {
        Objects.requireNonNull(out, "out");
        Prepared prep = prepare(tensors, metadata);
        prep.writeTo(Channels.newChannel(out));
        out.flush();
    }

    /** The whole file in memory (at most 2 GiB). */
    public static byte[] toBytes(Map<String, Tensor> tensors, Map<String, String> metadata) {
        Prepared prep = prepare(tensors, metadata);
        if (prep.totalSize() > Integer.MAX_VALUE - 8) {
            throw new SafetensorsException("a safetensors file of " + prep.totalSize()
                    + " bytes does not fit in a byte array; write it to a file or stream");
        }
        ByteBuffer dst = ByteBuffer.wrap(new byte[(int) prep.totalSize()]);
        try {
            prep.writeTo(new WritableByteChannel() {
                @Override
                public int write(ByteBuffer src) {
                    int n = src.remaining();
                    dst.put(src);
                    return n;
                }

                @Override
                public boolean isOpen() {
                    return true;
                }

                @Override
                public void close() {
                }
            });
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory cannot fail", e);
        }
        return dst.array();
    }

    /** The order of the reference writer: larger dtypes first (its dtype enum order), then names by code point. */
    static final Comparator<Map.Entry<String, Tensor>> FILE_ORDER = Comparator
            .<Map.Entry<String, Tensor>>comparingInt(e -> -alignmentRank(e.getValue().dtype()))
            .thenComparing(Map.Entry::getKey, SafetensorsWriter::compareCodePoints);

    /** Position of the dtype in the reference implementation's {@code Dtype} enum (ascending alignment). */
    static int alignmentRank(DType d) {
        return switch (d) {
            case BOOL -> 0;
            case UINT8 -> 1;
            case INT8 -> 2;
            case INT16 -> 3;
            case FP16 -> 4;
            case BF16 -> 5;
            case INT32 -> 6;
            case FP32 -> 7;
            case FP64 -> 8;
            case INT64 -> 9;
        };
    }

    /** Code point order, which is the byte order of the UTF-8 encodings (Rust's string order). */
    static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Boolean.compare(i < a.length(), j < b.length());
    }

    private static Prepared prepare(Map<String, Tensor> tensors, Map<String, String> metadata) {
        Objects.requireNonNull(tensors, "tensors");
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new IllegalStateException("big-endian hosts are not supported");
        }
        List<Map.Entry<String, Tensor>> order = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            String name = checkedText(e.getKey(), "tensor name");
            SafetensorsLimits.checkTensorName(name, "");
            Tensor t = e.getValue();
            if (name.equals("__metadata__")) {
                throw new SafetensorsException("a tensor cannot be named '__metadata__': the header reserves it");
            }
            if (t == null) {
                throw new SafetensorsException("tensor " + quote(name) + " is null");
            }
            if (t.storage().isClosed()) {
                throw new SafetensorsException("tensor " + quote(name) + " was freed (its TensorScope closed)");
            }
            if (!t.device().isCpu()) {
                throw new SafetensorsException("tensor " + quote(name) + " is on " + t.device()
                        + "; the writer reads host memory, so copy it to the cpu first");
            }
            order.add(Map.entry(name, t));
        }
        order.sort(FILE_ORDER);
        StringBuilder json = new StringBuilder("{");
        if (metadata != null) {
            appendMetadata(json, metadata);
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : order) {
            Tensor t = e.getValue();
            long bytes = Math.multiplyExact(t.numel(), (long) t.dtype().itemSize());
            json.append(json.length() > 1 ? "," : "");
            SafetensorsText.appendJson(json, e.getKey());
            json.append(":{\"dtype\":\"").append(t.dtype().safetensorsCode()).append("\",\"shape\":[");
            int[] shape = t.shape();
            for (int d = 0; d < shape.length; d++) {
                json.append(d == 0 ? "" : ",").append(shape[d]);
            }
            json.append("],\"data_offsets\":[").append(offset).append(',').append(offset + bytes).append("]}");
            offset += bytes;
        }
        json.append('}');
        byte[] text = json.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (text.length + 7) / 8 * 8;
        if (padded > SafetensorsHeader.MAX_HEADER_BYTES) {
            throw new SafetensorsException("the header would take " + padded + " bytes, more than the "
                    + SafetensorsHeader.MAX_HEADER_BYTES + " safetensors allows");
        }
        byte[] header = new byte[padded];
        System.arraycopy(text, 0, header, 0, text.length);
        java.util.Arrays.fill(header, text.length, padded, (byte) ' ');
        List<Tensor> data = new ArrayList<>(order.size());
        for (Map.Entry<String, Tensor> e : order) {
            data.add(e.getValue());
        }
        return new Prepared(header, data, offset);
    }

    private static void appendMetadata(StringBuilder json, Map<String, String> metadata) {
        List<String> keys = new ArrayList<>();
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            String key = checkedText(e.getKey(), "metadata key");
            checkedText(e.getValue(), "value of metadata key " + quote(key));
            keys.add(key);
        }
        keys.sort(SafetensorsWriter::compareCodePoints);
        json.append("\"__metadata__\":{");
        for (int i = 0; i < keys.size(); i++) {
            json.append(i == 0 ? "" : ",");
            SafetensorsText.appendJson(json, keys.get(i));
            json.append(':');
            SafetensorsText.appendJson(json, metadata.get(keys.get(i)));
        }
        json.append('}');
    }

    private static String checkedText(String s, String what) {
        if (s == null) {
            throw new SafetensorsException(what + " is null");
        }
        int at = SafetensorsText.unpairedSurrogate(s);
        if (at >= 0) {
            throw new SafetensorsException(what + " " + quote(s) + " holds an unpaired surrogate at index " + at
                    + " and cannot be written as UTF-8");
        }
        return s;
    }

    /** Makes the rename durable. Opening a directory for reading works on Linux and macOS; elsewhere it is skipped. */
    private static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // the file itself was forced before the rename; only the directory entry's durability is platform-bound
        }
    }

    /** A header and the tensors whose bytes follow it, in file order. */
    private record Prepared(byte[] header, List<Tensor> data, long dataSize) {

        long totalSize() {
            return 8 + header.length + dataSize;
        }

        void writeTo(WritableByteChannel ch) throws IOException {
            ByteBuffer head = ByteBuffer.allocate(8 + header.length).order(ByteOrder.LITTLE_ENDIAN);
            head.putLong(header.length).put(header).flip();
            writeFully(ch, head);
            ByteBuffer chunk = ByteBuffer.allocate(CHUNK);
            for (Tensor t : data) {
                TensorBytes.write(t, ch, chunk);
            }
        }
    }

    static void writeFully(WritableByteChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }
}
