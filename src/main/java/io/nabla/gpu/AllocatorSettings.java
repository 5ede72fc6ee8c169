package io.nabla.gpu;

/**
 * How the {@link CachingAllocator} rounds requests and sizes the segments it asks the device for.
 *
 * @param blockRounding every request is rounded up to a multiple of this (a power of two; 512 B as in PyTorch)
 * @param smallRequestLimit requests up to this size are small: they share segments of {@code segmentSize} bytes;
 *     larger ones get segments of their own (PyTorch: 1 MiB)
 * @param segmentSize the size of a small segment, and the rounding of a large one (PyTorch: 2 MiB)
 */
public record AllocatorSettings(long blockRounding, long smallRequestLimit, long segmentSize) {

    /** PyTorch's figures: 512 B blocks, small requests up to 1 MiB in 2 MiB segments. */
    public static final AllocatorSettings DEFAULT = new AllocatorSettings(512, 1 << 20, 2 << 20);

    public AllocatorSettings {
        if (blockRounding <= 0 || Long.bitCount(blockRounding) != 1) {
            throw new IllegalArgumentException("block rounding must be a power of two, got " + blockRounding);
        }
        if (segmentSize <= 0 || segmentSize % blockRounding != 0) {
            throw new IllegalArgumentException("segment size must be a positive multiple of the block rounding "
                    + blockRounding + ", got " + segmentSize);
        }
        if (smallRequestLimit < blockRounding || smallRequestLimit > segmentSize) {
            throw new IllegalArgumentException("the small request limit must lie between the block rounding "
                    + blockRounding + " and the segment size " + segmentSize + ", got " + smallRequestLimit);
        }
    }

    /** The block size a request of {@code bytes} gets at least (a request of 0 bytes still gets one block). */
    public long blockSize(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("allocation size must be >= 0, got " + bytes);
        }
        return roundUp(Math.max(bytes, 1), blockRounding);
    }

    /** Whether a block of this (rounded) size is served from the shared small segments. */
    public boolean isSmall(long blockSize) {
        return blockSize <= smallRequestLimit;
    }

    /** The segment a block of this (rounded) size needs when no cached block fits. */
    public long segmentFor(long blockSize) {
        return isSmall(blockSize) ? segmentSize : roundUp(blockSize, segmentSize);
    }

    static long roundUp(long bytes, long unit) {
        long r = bytes % unit;
        if (r == 0) {
            return bytes;
        }
        if (bytes > Long.MAX_VALUE - unit) {
            throw new IllegalArgumentException("allocation size " + bytes + " is too large");
        }
        return bytes + unit - r;
    }
}
