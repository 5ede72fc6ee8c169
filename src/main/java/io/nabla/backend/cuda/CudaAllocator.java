package io.nabla.backend.cuda;

import io.nabla.backend.Allocator;
import io.nabla.backend.Device;
import io.nabla.backend.Memory;
import io.nabla.gpu.DeviceHeap;
import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.cuda.global.cudart;

/**
 * Tensor memory of one device, taken from a {@link DeviceHeap} (the caching allocator in the server) on the
 * calling thread's stream. Counters: every block is counted from allocation to close.
 */
public final class CudaAllocator implements Allocator {

    private final Device device;
    private final DeviceHeap heap;
    private final CudaStreams streams;
    private final AtomicLong allocated = new AtomicLong();
    private final AtomicLong peak = new AtomicLong();
    private final AtomicLong blocks = new AtomicLong();

    CudaAllocator(Device device, DeviceHeap heap, CudaStreams streams) {
        this.device = device;
        this.heap = heap;
        this.streams = streams;
    }

    @Override
    public Device device() {
        return device;
    }

    @Override
    public Memory allocate(long bytes, boolean zero) {
        if (bytes < 0) {
            throw new IllegalArgumentException("allocation size must be >= 0 bytes, got " + bytes);
        }
        long stream = streams.current().address();
        long address = heap.allocate(Math.max(bytes, 8), stream);
        if (zero && bytes > 0) {
            CudaRuntime.check(cudart.cudaMemsetAsync(CudaRuntime.at(address), 0, bytes, streams.current()),
                    "cudaMemsetAsync(" + bytes + " bytes) on " + device);
        }
        long now = allocated.addAndGet(bytes);
        blocks.incrementAndGet();
        peak.accumulateAndGet(now, Math::max);
        return new CudaMemory(this, address, bytes);
    }

    void release(long address, long bytes) {
        allocated.addAndGet(-bytes);
        blocks.decrementAndGet();
        heap.free(address);
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
