package io.nabla.backend;

import java.nio.ByteBuffer;

/**
 * One block of device or host memory with exactly one owner. Closing it returns the bytes to the allocator that
 * made it; any later access fails with an {@link IllegalStateException} instead of touching freed memory.
 */
public interface Memory extends AutoCloseable {

    Device device();

    /** Size in bytes. */
    long byteSize();

    /** True once {@link #close()} has run. */
    boolean isClosed();

    /**
     * The host bytes of this block in native byte order, positioned at 0 (host memory only).
     *
     * @throws IllegalStateException when the block was freed or is not host memory
     */
    ByteBuffer hostBuffer();

    /** The native address of the first byte. */
    long address();

    @Override
    void close();
}
