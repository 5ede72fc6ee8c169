package io.nabla.gpu;

import io.nabla.backend.OutOfDeviceMemoryException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The device memory of one owner (a loaded model {@code model:<name>:<version>}, a job {@code job:<id>}) on one GPU:
 * every block allocated while the arena is {@link #enter() current} on a thread is charged to it, and credited back
 * when freed, on whatever thread. An allocation that would take the arena past its limit is refused with
 * {@link OutOfDeviceMemoryException} naming the owner, the limit and what it holds. {@link #close()} frees whatever
 * the owner still holds, so unloading a model returns all its memory to the device's cache, and says how much that was.
 */
public final class MemoryArena implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MemoryArena.class);

    private final String owner;
    private final long limit;
    private final long admitted;
    private final ArenaHeap heap;
    private final Map<Long, long[]> blocks = new HashMap<>(); // address -> {requested bytes, block bytes}
    private long allocated;
    private long reserved;
    private long peak;
    private boolean closed;

    MemoryArena(String owner, long limit, long admitted, ArenaHeap heap) {
        this.owner = owner;
        this.limit = limit;
        this.admitted = admitted;
        this.heap = heap;
    }

    public String owner() {
        return owner;
    }

    /** The cap on the bytes of the blocks it holds; {@link Long#MAX_VALUE} when uncapped. */
    public long limit() {
        return limit;
    }

    /** Makes this arena current on the calling thread until the scope closes. */
    public ArenaScope enter() {
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("arena " + owner + " on " + heap.device() + " is closed");
            }
        }
        return heap.enter(this);
    }

    public synchronized ArenaStats stats() {
        return new ArenaStats(owner, allocated, reserved, peak, limit == Long.MAX_VALUE ? null : limit, admitted,
                blocks.size());
    }

    /** Bytes admitted but not yet allocated: room the admission control keeps for this owner. */
    synchronized long outstanding() {
        return Math.max(0, admitted - reserved);
    }

    public synchronized boolean closed() {
        return closed;
    }

    /** {@link #release()}, for try-with-resources. */
    @Override
    public void close() {
        release();
    }

    /**
     * Frees every block the owner still holds and detaches the arena from its device (the arena is then closed).
     * Releasing twice does nothing.
     *
     * @return the bytes (in blocks) that were still held and are now freed; 0 when the owner freed everything itself
     */
    public long release() {
        List<Long> held;
        synchronized (this) {
            if (closed) {
                return 0;
            }
            closed = true;
            held = new ArrayList<>(blocks.keySet());
        }
        long freed = heap.release(this, held);
        if (freed > 0) {
            LOG.info("arena {} on {} closed holding {} blocks ({}); freed them", owner, heap.device(), held.size(),
                    ByteFormat.of(freed));
        }
        return freed;
    }

    /** Takes {@code size} bytes of the limit before allocating; refuses past the limit or after close. */
    synchronized void reserve(long requested, long size) {
        if (closed) {
            throw new IllegalStateException("cannot allocate in arena " + owner + " on " + heap.device()
                    + ": it is closed");
        }
        if (size > limit - reserved) {
            throw overLimit(requested, size);
        }
        reserved += size;
    }

    /** Gives back a {@link #reserve} whose allocation failed. */
    synchronized void unreserve(long size) {
        reserved -= size;
    }

    /**
     * Records the block the allocator gave for a reserved request; false (nothing recorded, reservation returned)
     * when the arena was closed meanwhile, or the block came out larger than reserved and overshoots the limit.
     */
    synchronized boolean charge(long address, long requested, long reservedSize, long blockSize) {
        if (closed || blockSize - reservedSize > limit - reserved) {
            reserved -= reservedSize;
            return false;
        }
        reserved += blockSize - reservedSize;
        allocated += requested;
        peak = Math.max(peak, reserved);
        blocks.put(address, new long[] {requested, blockSize});
        return true;
    }

    /** Credits a freed block; gives its size, or -1 when this arena does not hold it. */
    synchronized long credit(long address) {
        long[] b = blocks.remove(address);
        if (b == null) {
            return -1;
        }
        allocated -= b[0];
        reserved -= b[1];
        return b[1];
    }

    OutOfDeviceMemoryException overLimit(long requested, long size) {
        return new OutOfDeviceMemoryException("allocation of " + ByteFormat.of(requested) + " for " + owner + " on "
                + heap.device() + " is over its arena limit: it holds " + ByteFormat.of(reserved) + " of "
                + ByteFormat.of(limit) + " and needs a block of " + ByteFormat.of(size), requested);
    }
}
