package io.nabla.gpu;

import io.nabla.backend.OutOfDeviceMemoryException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeSet;

/**
 * The memory of one GPU as tensors use it, cached the way PyTorch's CUDA caching allocator does.
 *
 * <p>What it guarantees:
 * <ul>
 *   <li>Every request is rounded up to {@link AllocatorSettings#blockRounding()} (512 B). Small requests (up to 1 MiB)
 *       are carved out of shared 2 MiB segments; large ones get segments of their own size rounded up to 2 MiB. The
 *       device ({@link RawDeviceMemory}) is asked only when no cached block fits.</li>
 *   <li>Best fit: the smallest free block of the same pool and stream that holds the request, found in a sorted set
 *       keyed by (stream, size, address). A block is split when the rest is worth keeping (at least one block for
 *       small segments, more than the small request limit for large ones); the rest stays cached.</li>
 *   <li>Freeing a block merges it with free neighbours in its segment, so freeing everything leaves each segment as
 *       one whole free block, which {@link #emptyCache()} returns to the device.</li>
 *   <li>Streams: a segment serves one stream, so a freed block is reused only by later work on that same stream,
 *       which runs after the kernels that used it. Using a block on another stream than the one it was allocated on
 *       is the caller's business: it must synchronise that stream before {@link #free}, because there is no
 *       {@code recordStream}. Memory moves between streams only through {@link #emptyCache()}: {@code cudaFree}
 *       waits for the device.</li>
 *   <li>When the device has no room: empty the cache, retry once, then throw {@link OutOfDeviceMemoryException}
 *       naming the request, the device's use and this allocator's reserved and cached bytes.</li>
 *   <li>Freeing an address that is not a live block (double free, foreign pointer) is an
 *       {@link IllegalArgumentException}, and nothing changes.</li>
 *   <li>Thread-safe: one lock per allocator; device calls happen under it (they are rare).</li>
 * </ul>
 */
public final class CachingAllocator implements DeviceHeap {

    private final String device;
    private final RawDeviceMemory raw;
    private final AllocatorSettings settings;
    private final NavigableSet<Block> smallFree = new TreeSet<>(Block.BY_STREAM_SIZE_ADDRESS);
    private final NavigableSet<Block> largeFree = new TreeSet<>(Block.BY_STREAM_SIZE_ADDRESS);
    private final Map<Long, Block> live = new HashMap<>();
    private final Map<Long, Segment> segments = new HashMap<>();
    private long allocated;
    private long reserved;
    private long peakAllocated;
    private long peakReserved;
    private long deviceMallocs;
    private long deviceFrees;
    private long cacheFlushes;
    private long outOfMemory;

    /**
     * @param device the device's name in messages, e.g. {@code cuda:0}
     * @param raw where segments come from
     */
    public CachingAllocator(String device, RawDeviceMemory raw, AllocatorSettings settings) {
        this.device = device;
        this.raw = raw;
        this.settings = settings;
    }

    public AllocatorSettings settings() {
        return settings;
    }

    @Override
    public synchronized long allocate(long bytes, long stream) {
        long size = settings.blockSize(bytes);
        boolean small = settings.isSmall(size);
        NavigableSet<Block> pool = small ? smallFree : largeFree;
        Block block = pool.ceiling(Block.key(stream, size));
        if (block != null && block.segment.stream == stream) {
            pool.remove(block);
        } else {
            block = newSegment(bytes, size, stream, small).first;
        }
        split(block, size, pool);
        block.allocated = true;
        live.put(block.address, block);
        allocated += block.size;
        peakAllocated = Math.max(peakAllocated, allocated);
        return block.address;
    }

    @Override
    public synchronized void free(long address) {
        Block block = live.remove(address);
        if (block == null) {
            throw new IllegalArgumentException("cannot free 0x" + Long.toHexString(address) + " on " + device
                    + ": it is not a block allocated here (freed twice, or never allocated)");
        }
        block.allocated = false;
        allocated -= block.size;
        NavigableSet<Block> pool = block.segment.small ? smallFree : largeFree;
        block = merge(block, block.prev, pool);
        block = merge(block, block.next, pool);
        pool.add(block);
    }

    /** The size of the live block at {@code address} (at least what was asked for), or -1 if there is none. */
    public synchronized long blockSize(long address) {
        Block b = live.get(address);
        return b == null ? -1 : b.size;
    }

    /** Returns every wholly free segment to the device; gives the bytes returned. */
    public synchronized long emptyCache() {
        long released = 0;
        for (NavigableSet<Block> pool : List.of(smallFree, largeFree)) {
            List<Block> whole = new ArrayList<>();
            for (Block b : pool) {
                if (b.wholeSegment()) {
                    whole.add(b);
                }
            }
            for (Block b : whole) {
                pool.remove(b);
                segments.remove(b.segment.base);
                raw.free(b.segment.base);
                deviceFrees++;
                reserved -= b.segment.size;
                released += b.segment.size;
            }
        }
        return released;
    }

    /** Bytes in free cached blocks: reusable without asking the device. */
    public synchronized long cachedFreeBytes() {
        return reserved - allocated;
    }

    /** Starts the peak counters again from the current figures. */
    public synchronized void resetPeak() {
        peakAllocated = allocated;
        peakReserved = reserved;
    }

    public synchronized AllocatorStats stats() {
        long largest = 0;
        for (NavigableSet<Block> pool : List.of(smallFree, largeFree)) {
            for (Block b : pool) {
                largest = Math.max(largest, b.size);
            }
        }
        long cached = reserved - allocated;
        double fragmentation = cached == 0 ? 0 : 1 - (double) largest / cached;
        return new AllocatorStats(allocated, reserved, peakAllocated, peakReserved, cached, largest, fragmentation,
                live.size(), segments.size(), deviceMallocs, deviceFrees, cacheFlushes, outOfMemory);
    }

    private Segment newSegment(long requested, long size, long stream, boolean small) {
        long segmentSize = settings.segmentFor(size);
        long base = raw.malloc(segmentSize);
        if (base == 0) {
            cacheFlushes++;
            emptyCache();
            base = raw.malloc(segmentSize);
        }
        if (base == 0) {
            outOfMemory++;
            throw outOfMemory(requested);
        }
        deviceMallocs++;
        Segment segment = new Segment(base, segmentSize, stream, small);
        segment.first = new Block(segment, base, segmentSize);
        segments.put(base, segment);
        reserved += segmentSize;
        peakReserved = Math.max(peakReserved, reserved);
        return segment;
    }

    private OutOfDeviceMemoryException outOfMemory(long requested) {
        long total = raw.totalBytes();
        long inUse = total - raw.freeBytes();
        return new OutOfDeviceMemoryException("allocation of " + ByteFormat.of(requested) + " failed on " + device
                + ": " + ByteFormat.of(inUse, total) + " in use (reserved " + ByteFormat.of(reserved)
                + ", cached free " + ByteFormat.of(reserved - allocated) + ")", requested);
    }

    /** Cuts {@code block} down to {@code size} when the rest is worth a block of its own; the rest goes to the cache. */
    private void split(Block block, long size, NavigableSet<Block> pool) {
        long rest = block.size - size;
        boolean worthIt = block.segment.small ? rest >= settings.blockRounding() : rest > settings.smallRequestLimit();
        if (!worthIt) {
            return;
        }
        Block tail = new Block(block.segment, block.address + size, rest);
        tail.prev = block;
        tail.next = block.next;
        if (block.next != null) {
            block.next.prev = tail;
        }
        block.next = tail;
        block.size = size;
        pool.add(tail);
    }

    /** Merges a free neighbour into {@code block}; gives the merged block (whichever comes first in memory). */
    private Block merge(Block block, Block neighbour, NavigableSet<Block> pool) {
        if (neighbour == null || neighbour.allocated) {
            return block;
        }
        pool.remove(neighbour);
        Block first = neighbour == block.prev ? neighbour : block;
        Block second = first == block ? neighbour : block;
        first.size += second.size;
        first.next = second.next;
        if (second.next != null) {
            second.next.prev = first;
        }
        return first;
    }

    /**
     * Checks the structure (for tests): blocks tile each segment in address order, no two free blocks touch, exactly
     * the free blocks are in the free lists, and the counters equal the sums they count.
     *
     * @throws IllegalStateException naming the first broken invariant
     */
    synchronized void checkInvariants() {
        long sumReserved = 0;
        long sumAllocated = 0;
        int freeBlocks = 0;
        for (Segment s : segments.values()) {
            sumReserved += s.size;
            long at = s.base;
            Block prev = null;
            for (Block b = s.first; b != null; prev = b, b = b.next) {
                check(b.segment == s && b.prev == prev && b.address == at && b.size > 0, "block chain broken at 0x"
                        + Long.toHexString(b.address));
                check(b.allocated || prev == null || prev.allocated, "adjacent free blocks at 0x"
                        + Long.toHexString(b.address));
                NavigableSet<Block> pool = s.small ? smallFree : largeFree;
                check(b.allocated == live.containsKey(b.address) && b.allocated != pool.contains(b),
                        "block 0x" + Long.toHexString(b.address) + " is in the wrong list");
                sumAllocated += b.allocated ? b.size : 0;
                freeBlocks += b.allocated ? 0 : 1;
                at = b.end();
            }
            check(at == s.base + s.size, "segment 0x" + Long.toHexString(s.base) + " is not tiled");
        }
        check(freeBlocks == smallFree.size() + largeFree.size(), "free lists hold blocks of no segment");
        check(sumReserved == reserved && sumAllocated == allocated, "counters " + allocated + "/" + reserved
                + " differ from the blocks " + sumAllocated + "/" + sumReserved);
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException(what);
        }
    }
}
