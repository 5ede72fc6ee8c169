package io.nabla.model;

import static io.nabla.model.SafetensorsText.quote;

import io.nabla.backend.DType;
import io.nabla.backend.HostAllocator;
import io.nabla.tensor.Shape;
import io.nabla.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A safetensors file opened for reading: its header is validated on open (see {@link SafetensorsHeader} for the
 * rules, which are the reference implementation's), and each {@link #tensor(String)} copies one tensor's bytes once
 * into a new engine tensor. A file on disk is memory-mapped region by region ({@code FileChannel.map(READ_ONLY)}):
 * the header while it is parsed, a tensor's bytes while they are copied; {@link #close()} releases the file.
 * Uploads arrive as bytes: {@link #read(byte[])} and {@link #read(ByteBuffer)} apply the same validation.
 *
 * <p>Thread-safe: tensors may be read concurrently; reading after {@code close()} fails with an
 * {@link IllegalStateException}. The file must not be modified while it is open.
 */
public final class SafetensorsFile implements AutoCloseable {

    private final SafetensorsSource source;
    private final SafetensorsHeader header;
    private volatile boolean closed;

    private SafetensorsFile(SafetensorsSource source, SafetensorsHeader header) {
        this.source = source;
        this.header = header;
    }

    /**
     * Opens and validates a file.
     *
     * @throws SafetensorsException when the file is not valid safetensors (the message names the flaw)
     * @throws IOException when the file cannot be read
     */
    public static SafetensorsFile open(Path path) throws IOException {
        Objects.requireNonNull(path, "path");
        return open(SafetensorsSource.open(path));
    }

    /**
     * As {@link #open(Path)}, calling the file {@code name} in every message: a file stored under a name of the
     * service's choosing (an upload) is named as the client knows it.
     */
    public static SafetensorsFile open(Path path, String name) throws IOException {
        return open(SafetensorsSource.open(Objects.requireNonNull(path, "path"), Objects.requireNonNull(name, "name")));
    }

    private static SafetensorsFile open(SafetensorsSource src) throws IOException {
        try {
            return new SafetensorsFile(src, SafetensorsHeader.read(src));
        } catch (IOException | RuntimeException e) {
            src.close();
            throw e;
        }
    }

    /** Validates safetensors bytes held in memory (not copied: leave the array unchanged while this is in use). */
    public static SafetensorsFile read(byte[] bytes) {
        return read(ByteBuffer.wrap(Objects.requireNonNull(bytes, "bytes")));
    }

    /**
     * Validates the remaining bytes of {@code bytes} (not copied: leave them unchanged while this is in use; the
     * buffer's position is not moved).
     */
    public static SafetensorsFile read(ByteBuffer bytes) {
        SafetensorsSource src = SafetensorsSource.of(Objects.requireNonNull(bytes, "bytes"));
        try {
            return new SafetensorsFile(src, SafetensorsHeader.read(src));
        } catch (IOException e) {
            throw new UncheckedIOException(e); // in-memory sources do no I/O
        }
    }

    /** The file name (or {@code "safetensors bytes"}), as the error messages call it. */
    public String sourceName() {
        return source.name();
    }

    /** Tensor names in the order of their data in the file (by offset). */
    public List<String> names() {
        return List.copyOf(header.byName.keySet());
    }

    /** Every tensor's entry, in the order of their data in the file. */
    public List<SafetensorsEntry> entries() {
        return header.entries;
    }

    public boolean contains(String name) {
        return header.byName.containsKey(name);
    }

    /** The {@code __metadata__} map (string to string) in header order; empty when the file has none. */
    public Map<String, String> metadata() {
        return header.metadata;
    }

    /** True when the header has a {@code __metadata__} member (possibly empty). */
    public boolean hasMetadata() {
        return header.hasMetadata;
    }

    /** The entry of one tensor. */
    public SafetensorsEntry entry(String name) {
        SafetensorsEntry e = header.byName.get(Objects.requireNonNull(name, "name"));
        if (e == null) {
            throw new SafetensorsException(source.name() + ": no tensor named " + quote(name) + "; the file has "
                    + header.byName.size() + ": " + listNames());
        }
        return e;
    }

    public DType dtype(String name) {
        return entry(name).dtype();
    }

    public int[] shape(String name) {
        return entry(name).shape();
    }

    /** Bytes before the data section (8 + header length). */
    public long dataStart() {
        return header.dataStart;
    }

    /** A new CPU tensor holding a copy of the named tensor (allocated in the current {@code TensorScope}). */
    public Tensor tensor(String name) {
        SafetensorsEntry e = entry(name);
        if (closed) {
            throw new IllegalStateException(source.name() + " is closed; cannot read tensor " + quote(name));
        }
        if (e.byteSize() > HostAllocator.MAX_BLOCK_BYTES) {
            throw new SafetensorsException(source.name() + ": tensor " + quote(name) + " " + Shape.format(e.shape())
                    + " of " + e.dtype().safetensorsCode() + " has " + e.byteSize() + " bytes, more than a cpu "
                    + "tensor holds (" + HostAllocator.MAX_BLOCK_BYTES + ")");
        }
        ByteBuffer bytes;
        try {
            bytes = source.region(header.dataStart + e.begin(), (int) e.byteSize());
        } catch (IOException ex) {
            throw new UncheckedIOException(source.name() + ": cannot read tensor " + quote(name), ex);
        }
        try {
            return Tensor.fromBytes(e.dtype(), e.shape(), bytes);
        } finally {
            source.release(bytes);
        }
    }

    /**
     * Every tensor, by name in file order. If one cannot be read, those already made are freed and the error is
     * rethrown.
     */
    public Map<String, Tensor> tensors() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        try {
            for (String name : header.byName.keySet()) {
                out.put(name, tensor(name));
            }
            return out;
        } catch (RuntimeException e) {
            for (Tensor t : out.values()) {
                t.storage().close();
            }
            throw e;
        }
    }

    private String listNames() {
        List<String> names = new ArrayList<>();
        for (String n : header.byName.keySet()) {
            if (names.size() == 20) {
                names.add("...");
                break;
            }
            names.add(quote(n));
        }
        return String.join(", ", names);
    }

    /** Releases the file; idempotent. Entries and metadata stay readable, tensors do not. */
    @Override
    public void close() {
        closed = true;
        try {
            source.close();
        } catch (IOException e) {
            throw new UncheckedIOException(source.name() + ": cannot close", e);
        }
    }

    @Override
    public String toString() {
        return "SafetensorsFile(" + source.name() + ", " + header.entries.size() + " tensors)";
    }
}
