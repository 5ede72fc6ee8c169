package io.nabla.gpu;

import java.util.Comparator;

/**
 * A piece of a {@link Segment}: either handed out or free in the cache. The blocks of a segment tile it exactly and are
 * linked in address order, so a freed block can merge with free neighbours. Guarded by the allocator's lock.
 */
final class Block {

    /** Free-list order: best fit is the first block of the same stream at or above the wanted size. */
    static final Comparator<Block> BY_STREAM_SIZE_ADDRESS = Comparator.comparingLong((Block b) -> b.segment.stream)
            .thenComparingLong(b -> b.size).thenComparingLong(b -> b.address);

    final Segment segment;
    long address;
    long size;
    boolean allocated;
    Block prev;
    Block next;

    Block(Segment segment, long address, long size) {
        this.segment = segment;
        this.address = address;
        this.size = size;
    }

    /** A search key for the free lists: no block sorts before it among blocks of at least {@code size} bytes. */
    static Block key(long stream, long size) {
        return new Block(new Segment(0, 0, stream, false), Long.MIN_VALUE, size);
    }

    long end() {
        return address + size;
    }

    /** Whether this block spans its whole segment (nothing was split off, or everything merged back). */
    boolean wholeSegment() {
        return prev == null && next == null;
    }
}
