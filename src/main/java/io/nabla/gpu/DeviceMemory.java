package io.nabla.gpu;

/**
 * The memory figures of one GPU, in bytes.
 *
 * @param total the device's memory
 * @param free what the driver reports free (memory cached by the allocator is not free)
 * @param allocated bytes in blocks handed out by the allocator
 * @param reserved bytes the allocator holds from the device (allocated plus cached)
 * @param peak the most {@code allocated} has been
 */
public record DeviceMemory(long total, long free, long allocated, long reserved, long peak) {
}
