package io.nabla.gpu;

import io.nabla.backend.Allocator;
import io.nabla.backend.Backend;
import io.nabla.backend.Backends;
import io.nabla.backend.ConvKernels;
import io.nabla.backend.Device;
import io.nabla.backend.ElementwiseKernels;
import io.nabla.backend.HostAllocator;
import io.nabla.backend.IndexKernels;
import io.nabla.backend.LinalgKernels;
import io.nabla.backend.LossKernels;
import io.nabla.backend.Memory;
import io.nabla.backend.NormKernels;
import io.nabla.backend.OptimizerKernels;
import io.nabla.backend.ReduceKernels;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * "GPUs" for CPU-only tests of device placement: a {@link GpuPool} over {@link FakeDeviceMemory} whose devices
 * {@code cuda:N} have a registered backend that computes with the reference kernels on host memory, while every
 * block is also taken from (and given back to) the device's {@link ArenaHeap}, so the caching allocator's counters and
 * the owners' arenas account tensors on {@code cuda:N} exactly as they do on a real GPU. Closing unregisters the
 * backends. Not for concurrent use by several test classes (the backends are global).
 */
public final class FakeGpus implements AutoCloseable {

    private final GpuPool pool;
    private final List<FakeDeviceMemory> memories = new ArrayList<>();

    private FakeGpus(long[] capacities, long arenaLimit) {
        DeviceHealth health = new DeviceHealth();
        List<GpuDevice> gpus = new ArrayList<>();
        for (int i = 0; i < capacities.length; i++) {
            FakeDeviceMemory m = new FakeDeviceMemory(capacities[i]);
            memories.add(m);
            gpus.add(new GpuDevice(new DiscoveredGpu(i, "Fake GPU " + i, capacities[i]), m,
                    AllocatorSettings.DEFAULT, health));
        }
        this.pool = new GpuPool(gpus, health, arenaLimit);
        for (GpuDevice g : gpus) {
            Backends.register(new FakeBackend(g.device(), g.heap()));
        }
    }

    /** Fake GPUs {@code cuda:0..} of the given capacities (bytes), arenas uncapped. */
    public static FakeGpus of(long... capacities) {
        return new FakeGpus(capacities, Long.MAX_VALUE);
    }

    /** As {@link #of}, with {@code arenaLimit} as the pool's default arena limit. */
    public static FakeGpus withArenaLimit(long arenaLimit, long... capacities) {
        return new FakeGpus(capacities, arenaLimit);
    }

    public GpuPool pool() {
        return pool;
    }

    /** Bytes the caching allocator of {@code cuda:index} has handed out and not had back. */
    public long allocated(int index) {
        return pool.gpu(index).allocator().stats().allocated();
    }

    /** Bytes held from the fake device by its allocator (allocated plus cached). */
    public long used(int index) {
        return memories.get(index).used();
    }

    @Override
    public void close() {
        for (GpuDevice g : pool.gpus()) {
            Backends.unregister(g.device());
        }
        pool.close();
    }

    /** The reference kernels on host memory that a device's heap accounts for. */
    private static final class FakeBackend implements Backend {
        private final Device device;
        private final FakeAllocator allocator;
        private final Backend kernels = Backends.reference();

        FakeBackend(Device device, ArenaHeap heap) {
            this.device = device;
            this.allocator = new FakeAllocator(device, heap);
        }

        @Override
        public String name() {
            return "fake-gpu";
        }

        @Override
        public Device device() {
            return device;
        }

        @Override
        public Allocator allocator() {
            return allocator;
        }

        @Override
        public ElementwiseKernels elementwise() {
            return kernels.elementwise();
        }

        @Override
        public ReduceKernels reduce() {
            return kernels.reduce();
        }

        @Override
        public LinalgKernels linalg() {
            return kernels.linalg();
        }

        @Override
        public ConvKernels conv() {
            return kernels.conv();
        }

        @Override
        public NormKernels norm() {
            return kernels.norm();
        }

        @Override
        public IndexKernels index() {
            return kernels.index();
        }

        @Override
        public LossKernels loss() {
            return kernels.loss();
        }

        @Override
        public OptimizerKernels optimizer() {
            return kernels.optimizer();
        }
    }

    private static final class FakeAllocator implements Allocator {
        private final Device device;
        private final ArenaHeap heap;
        private final AtomicLong allocated = new AtomicLong();
        private final AtomicLong peak = new AtomicLong();
        private final AtomicLong blocks = new AtomicLong();

        FakeAllocator(Device device, ArenaHeap heap) {
            this.device = device;
            this.heap = heap;
        }

        @Override
        public Device device() {
            return device;
        }

        @Override
        public Memory allocate(long bytes, boolean zero) {
            long address = heap.allocate(Math.max(bytes, 8), 0);
            Memory host;
            try {
                host = HostAllocator.instance().allocate(bytes, zero);
            } catch (RuntimeException e) {
                heap.free(address);
                throw e;
            }
            peak.accumulateAndGet(allocated.addAndGet(bytes), Math::max);
            blocks.incrementAndGet();
            return new FakeMemory(this, host, address);
        }

        void release(Memory host, long address) {
            host.close();
            heap.free(address);
            allocated.addAndGet(-host.byteSize());
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

    private static final class FakeMemory implements Memory {
        private final FakeAllocator allocator;
        private final Memory host;
        private final long address;
        private boolean closed;

        FakeMemory(FakeAllocator allocator, Memory host, long address) {
            this.allocator = allocator;
            this.host = host;
            this.address = address;
        }

        @Override
        public Device device() {
            return allocator.device;
        }

        @Override
        public long byteSize() {
            return host.byteSize();
        }

        @Override
        public synchronized boolean isClosed() {
            return closed;
        }

        @Override
        public ByteBuffer hostBuffer() {
            return host.hostBuffer();
        }

        @Override
        public long address() {
            return address;
        }

        @Override
        public void close() {
            synchronized (this) {
                if (closed) {
                    return;
                }
                closed = true;
            }
            allocator.release(host, address);
        }
    }
}
