package io.nabla.backend;

import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.javacpp.Pointer;

/**
 * Allocates host memory off the Java heap, so native libraries (BLAS) read tensors in place.
 * Guarantees: every block is counted from allocation to close; the counters return to their start when every
 * block is closed. A host block holds at most {@link #MAX_BLOCK_BYTES} bytes (Java buffers are int-indexed).
 */
public final class HostAllocator implements Allocator {

    /** The largest host block: Java's direct buffers are indexed by int. */
    public static final long MAX_BLOCK_BYTES = Integer.MAX_VALUE - 64L;

    private static final HostAllocator INSTANCE = new HostAllocator();

    private final AtomicLong allocated = new AtomicLong();
    private final AtomicLong peak = new AtomicLong();
    private final AtomicLong blocks = new AtomicLong();

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
            throw new IllegalArgumentException("a cpu tensor holds at most " + MAX_BLOCK_BYTES + " bytes, asked for "
                    + bytes);
        }
        Pointer p = Pointer.malloc(Math.max(bytes, 8));
        if (p == null || p.isNull()) {
            throw new OutOfDeviceMemoryException("allocation of " + bytes + " bytes failed on cpu: "
                    + allocated.get() + " bytes in use by tensors", bytes);
        }
        if (zero) {
            Pointer.memset(p, 0, Math.max(bytes, 8));
        }
        long now = allocated.addAndGet(bytes);
        blocks.incrementAndGet();
        peak.accumulateAndGet(now, Math::max);
        return new HostMemory(this, p, bytes);
    }

    void released(long bytes) {
        allocated.addAndGet(-bytes);
        blocks.decrementAndGet();
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
