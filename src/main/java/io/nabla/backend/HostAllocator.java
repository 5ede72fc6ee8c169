package io.nabla.backend;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.javacpp.Pointer;

/**
 * Allocates host memory off the Java heap, so native libraries (BLAS) read tensors in place.
 * Guarantees: every block is counted from allocation to close; the counters return to their start when every
 * block is closed. A host block holds at most {@link #MAX_BLOCK_BYTES} bytes (Java buffers are int-indexed).
 *
 * <p>Freed blocks of at least {@link #CACHE_MIN_BYTES} (64 KiB) are kept (up to {@code nabla.host.cache-bytes}, default
 * 256 MiB) and handed out again for a request of the same size, so a training step or a repeated op does not pay
 * the page faults of fresh memory each time. Cached bytes count as reserved, not allocated; {@link #emptyCache()}
 * returns them to the system.
 *
 * <p>A {@link #limit(long) limit} caps the bytes held by tensors at once: an allocation that would pass it fails with
 * {@link OutOfDeviceMemoryException} (naming both figures) before any memory is taken, so a request whose activations
 * would not fit (attention over a long sequence, say) fails alone instead of the kernel's OOM killer ending the
 * process. Unlimited until set.
 */
public final class HostAllocator implements Allocator {

    /** The largest host block: Java's direct buffers are indexed by int. */
    public static final long MAX_BLOCK_BYTES = Integer.MAX_VALUE - 64L;

    private static final HostAllocator INSTANCE = new HostAllocator();

    private final AtomicLong allocated = new AtomicLong();
    private final AtomicLong peak = new AtomicLong();
    private final AtomicLong blocks = new AtomicLong();
    private final AtomicLong mallocs = new AtomicLong();
    private volatile long limit = Long.MAX_VALUE;

    /** Freed blocks this size or larger are cached for reuse. */
    public static final long CACHE_MIN_BYTES = 64 << 10;

    private final long cacheLimit = Math.max(0, Long.getLong("nabla.host.cache-bytes", 256L << 20));
    private final Map<Long, ArrayDeque<Pointer>> cache = new HashMap<>();
    private long cachedBytes;

    private HostAllocator() {
    }

    public static HostAllocator instance() {
        return INSTANCE;
    }

    @Override
    public Device device() {
        return Device.CPU;
    }

    @Override
    public Memory allocate(long bytes, boolean zero) {
        if (bytes < 0) {
            throw new IllegalArgumentException("allocation size must be >= 0 bytes, got " + bytes);
        }
        if (bytes > MAX_BLOCK_BYTES) {
            throw new IllegalArgumentException("a CPU tensor holds at most " + MAX_BLOCK_BYTES + " bytes, asked for "
                    + bytes);
        }
        long now = allocated.addAndGet(bytes); // reserved first, so concurrent allocations cannot pass the limit
        if (now > limit) {
            allocated.addAndGet(-bytes);
            throw new OutOfDeviceMemoryException("allocation of " + bytes + " bytes on cpu would pass the host "
                    + "memory limit of " + limit + " bytes (nabla.limits.max-host-memory): " + (now - bytes)
                    + " bytes in use by tensors", bytes);
        }
        Pointer p = bytes >= CACHE_MIN_BYTES ? takeCached(bytes) : null;
        if (p == null) {
            p = Pointer.malloc(Math.max(bytes, 8));
            mallocs.incrementAndGet();
        }
        if (p == null || p.isNull()) {
            allocated.addAndGet(-bytes);
            throw new OutOfDeviceMemoryException("allocation of " + bytes + " bytes failed on cpu: "
                    + (now - bytes) + " bytes in use by tensors", bytes);
        }
        if (zero) {
            Pointer.memset(p, 0, Math.max(bytes, 8));
        }
        blocks.incrementAndGet();
        peak.accumulateAndGet(now, Math::max);
        return new HostMemory(this, p, bytes);
    }

    private synchronized Pointer takeCached(long bytes) {
        ArrayDeque<Pointer> q = cache.get(bytes);
        Pointer p = q == null ? null : q.poll();
        if (p != null) {
            cachedBytes -= bytes;
        }
        return p;
    }

    /** Takes back a closed block: caches it for reuse when it is large and the cache has room, else frees it. */
    void release(Pointer raw, long bytes) {
        allocated.addAndGet(-bytes);
        blocks.decrementAndGet();
        if (bytes >= CACHE_MIN_BYTES) {
            synchronized (this) {
                if (cachedBytes + bytes <= cacheLimit) {
                    cache.computeIfAbsent(bytes, k -> new ArrayDeque<>()).push(raw);
                    cachedBytes += bytes;
                    return;
                }
            }
        }
        Pointer.free(raw);
    }

    /**
     * Caps the bytes held by tensors at once ({@code Long.MAX_VALUE}: no cap); what is held already stays. Returns
     * the previous cap.
     */
    public long limit(long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("host memory limit: expected a positive number of bytes, got " + bytes);
        }
        long previous = limit;
        limit = bytes;
        return previous;
    }

    /** The cap on the bytes held by tensors ({@code Long.MAX_VALUE} when there is none). */
    public long limit() {
        return limit;
    }

    /**
     * The cap used when none is configured: 80 % of the memory this process may use besides its Java heap
     * ({@code totalMemory - maxHeap}, the machine's or the container's, as the JVM sees it).
     */
    public static long defaultLimit(long totalMemory, long maxHeap) {
        return Math.max(64L << 20, (long) ((totalMemory - Math.min(maxHeap, totalMemory)) * 0.8));
    }

    /** Blocks obtained from the system so far (cache hits not counted). */
    public long mallocCount() {
        return mallocs.get();
    }

    /** Frees every cached block. */
    public void emptyCache() {
        synchronized (this) {
            for (ArrayDeque<Pointer> q : cache.values()) {
                for (Pointer p : q) {
                    Pointer.free(p);
                }
            }
            cache.clear();
            cachedBytes = 0;
        }
    }

    /** Bytes held for tensors plus bytes cached for reuse. */
    public synchronized long reservedBytes() {
        return allocated.get() + cachedBytes;
    }

    @Override
    public long allocatedBytes() {
        return allocated.get();
    }

    @Override
    public long peakBytes() {
        return peak.get();
    }

    @Override
    public long liveBlocks() {
        return blocks.get();
    }
}
