package io.nabla.backend;

/** Hands out {@link Memory} blocks for one device and keeps counters of what is in use. */
public interface Allocator {

    Device device();

    /**
     * A new block of {@code bytes} bytes, zero-filled when {@code zero} is true.
     *
     * @throws IllegalArgumentException when {@code bytes} is negative or larger than the device supports
     * @throws OutOfDeviceMemoryException when the device cannot hold it
     */
    Memory allocate(long bytes, boolean zero);

    /** Bytes currently allocated and not yet freed. */
    long allocatedBytes();

    /** The most bytes ever allocated at once. */
    long peakBytes();

    /** Number of blocks currently allocated and not yet freed. */
    long liveBlocks();
}
