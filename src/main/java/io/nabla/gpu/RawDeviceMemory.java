package io.nabla.gpu;

/**
 * The raw memory of one GPU, where the {@link DeviceHeap caching allocator} gets its segments: {@code cudaMalloc},
 * {@code cudaFree} and {@code cudaMemGetInfo} on a real device (implemented in {@code backend.cuda}), a fake in tests.
 * Calls are slow and may synchronise the device; the caching allocator calls them rarely.
 */
public interface RawDeviceMemory {

    /** Device address of a new segment of exactly {@code bytes} bytes, or 0 when the device has no room for it. */
    long malloc(long bytes);

    /** Returns a segment obtained from {@link #malloc}. */
    void free(long address);

    /** Total memory of the device in bytes. */
    long totalBytes();

    /** Memory the driver reports as free right now, in bytes (includes nothing held by the cache). */
    long freeBytes();
}
