package io.nabla.gpu;

/**
 * A snapshot of one {@link CachingAllocator}'s counters, in bytes unless named otherwise.
 *
 * @param allocated bytes in blocks handed out now (requests rounded up to blocks)
 * @param reserved bytes in segments obtained from the device now (allocated plus cached free)
 * @param peakAllocated the most {@code allocated} has been since the allocator was made or {@link
 *     CachingAllocator#resetPeak() reset}
 * @param peakReserved the most {@code reserved} has been, likewise
 * @param cachedFree bytes in free blocks kept for reuse ({@code reserved - allocated})
 * @param largestFreeBlock the largest free block in the cache
 * @param fragmentation {@code 1 - largestFreeBlock / cachedFree}: 0 when the cached memory is one block (or there is
 *     none), towards 1 when it is scattered in many small pieces that a large request cannot use
 * @param activeBlocks blocks handed out now
 * @param segments segments held now
 * @param deviceMallocs segments ever obtained from the device
 * @param deviceFrees segments ever returned to the device
 * @param cacheFlushes times the cache was emptied to retry a failed device allocation
 * @param outOfMemory allocations that failed even after emptying the cache
 */
public record AllocatorStats(long allocated, long reserved, long peakAllocated, long peakReserved, long cachedFree,
        long largestFreeBlock, double fragmentation, int activeBlocks, int segments, long deviceMallocs,
        long deviceFrees, long cacheFlushes, long outOfMemory) {
}
