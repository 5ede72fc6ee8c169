package io.nabla.model;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The bytes of a safetensors file: a memory-mapped file or a buffer in memory. Regions are handed out as
 * little-endian read-only buffers and given back with {@link #release}; a file region is mapped
 * ({@code FileChannel.map(READ_ONLY)}) for the call that needs it and unmapped on release, so nothing stays mapped
 * once the caller is done and a closed file cannot be touched through a stale mapping.
 */
abstract class SafetensorsSource implements AutoCloseable {

    /** What the messages call this source: the file name, or {@code "safetensors bytes"}. */
    abstract String name();

    /** Total size in bytes. */
    abstract long size();

    /** Bytes {@code [offset, offset + length)}; the caller checked that they lie inside {@link #size()}. */
    abstract ByteBuffer region(long offset, int length) throws IOException;

    /** Gives back a region from {@link #region}; it must not be used afterwards. */
    abstract void release(ByteBuffer region);

    @Override
    public abstract void close() throws IOException;

    static SafetensorsSource of(ByteBuffer bytes) {
        return new InMemory(bytes.slice().order(ByteOrder.LITTLE_ENDIAN));
    }

    static SafetensorsSource open(Path path) throws IOException {
        Path fileName = path.getFileName();
        return open(path, fileName == null ? path.toString() : fileName.toString());
    }

    static SafetensorsSource open(Path path, String name) throws IOException {
        return new MappedFile(path, name, FileChannel.open(path, StandardOpenOption.READ));
    }

    private static final class InMemory extends SafetensorsSource {
        private final ByteBuffer bytes;

        InMemory(ByteBuffer bytes) {
            this.bytes = bytes;
        }

        @Override
        String name() {
            return "safetensors bytes";
        }

        @Override
        long size() {
            return bytes.remaining();
        }

        @Override
        ByteBuffer region(long offset, int length) {
            return bytes.slice((int) offset, length).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
        }

        @Override
        void release(ByteBuffer region) {
            // nothing to give back: the caller owns the buffer
        }

        @Override
        public void close() {
            // the caller owns the buffer
        }
    }

    private static final class MappedFile extends SafetensorsSource {
        private final String name;
        private final FileChannel channel;
        private final long size;

        MappedFile(Path path, String name, FileChannel channel) throws IOException {
            this.name = name;
            this.channel = channel;
            try {
                this.size = channel.size();
            } catch (IOException e) {
                channel.close();
                throw e;
            }
        }

        @Override
        String name() {
            return name;
        }

        @Override
        long size() {
            return size;
        }

        @Override
        ByteBuffer region(long offset, int length) throws IOException {
            if (length == 0) {
                return ByteBuffer.allocate(0).order(ByteOrder.LITTLE_ENDIAN);
            }
            try {
                long now = channel.size();
                if (now != size) {
                    throw new IllegalStateException(name + " changed size since it was opened: " + size
                            + " bytes then, " + now + " now");
                }
                return channel.map(FileChannel.MapMode.READ_ONLY, offset, length).order(ByteOrder.LITTLE_ENDIAN);
            } catch (ClosedChannelException e) {
                throw new IllegalStateException(name + " was closed", e);
            }
        }

        @Override
        void release(ByteBuffer region) {
            if (region instanceof MappedByteBuffer mapped) {
                Unmapper.unmap(mapped);
            }
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }

    /**
     * Unmaps a mapped buffer at once through {@code sun.misc.Unsafe.invokeCleaner} (JDK 9+, module
     * {@code jdk.unsupported}); where that is unavailable the mapping goes when the buffer is collected.
     */
    private static final class Unmapper {
        private static final Object UNSAFE;
        private static final Method INVOKE_CLEANER;

        static {
            Object unsafe = null;
            Method invoke = null;
            try {
                Class<?> c = Class.forName("sun.misc.Unsafe");
                java.lang.reflect.Field f = c.getDeclaredField("theUnsafe");
                f.setAccessible(true);
                unsafe = f.get(null);
                invoke = c.getMethod("invokeCleaner", ByteBuffer.class);
            } catch (ReflectiveOperationException | RuntimeException e) {
                unsafe = null;
                invoke = null;
            }
            UNSAFE = unsafe;
            INVOKE_CLEANER = invoke;
        }

        private Unmapper() {
        }

        static void unmap(MappedByteBuffer buffer) {
            if (INVOKE_CLEANER == null) {
                return;
            }
            try {
                INVOKE_CLEANER.invoke(UNSAFE, buffer);
            } catch (ReflectiveOperationException | RuntimeException e) {
                // the buffer stays mapped until it is garbage collected; nothing else depends on the unmap
            }
        }
    }
}
