package io.nabla.gpu;

import io.nabla.backend.Device;
import java.util.List;

/**
 * One GPU of the pool: its identity and memory, its {@link CachingAllocator}, the {@link ArenaHeap} the CUDA backend
 * allocates from (charging the owners' {@link MemoryArena arenas}), and its health.
 */
public final class GpuDevice {

    private final DiscoveredGpu gpu;
    private final Device device;
    private final RawDeviceMemory raw;
    private final CachingAllocator allocator;
    private final ArenaHeap heap;
    private final DeviceHealth health;

    public GpuDevice(DiscoveredGpu gpu, RawDeviceMemory raw, AllocatorSettings settings, DeviceHealth health) {
        this.gpu = gpu;
        this.device = Device.cuda(gpu.index());
        this.raw = raw;
        this.allocator = new CachingAllocator(device.toString(), raw, settings);
        this.heap = new ArenaHeap(device.toString(), allocator);
        this.health = health;
    }

    public int index() {
        return gpu.index();
    }

    /** {@code cuda:N}. */
    public Device device() {
        return device;
    }

    public String name() {
        return gpu.name();
    }

    public long totalBytes() {
        return gpu.totalBytes();
    }

    /** The allocator under {@link #heap()}, for its figures; allocate and free through the heap, or arenas miss it. */
    public CachingAllocator allocator() {
        return allocator;
    }

    /** Where the CUDA backend allocates on this GPU. */
    public ArenaHeap heap() {
        return heap;
    }

    public List<MemoryArena> arenas() {
        return heap.arenas();
    }

    public boolean healthy() {
        return health.healthy(device);
    }

    /** Marks this GPU unhealthy for good (a sticky CUDA error); see {@link DeviceHealth}. */
    public void markUnhealthy(String reason) {
        health.markUnhealthy(device, reason);
    }

    /** What the driver reports free plus what the allocator caches, less what admitted owners have yet to take. */
    public long availableBytes() {
        return raw.freeBytes() + allocator.cachedFreeBytes() - heap.outstandingAdmissions();
    }

    public DeviceMemory memory() {
        AllocatorStats s = allocator.stats();
        return new DeviceMemory(gpu.totalBytes(), raw.freeBytes(), s.allocated(), s.reserved(), s.peakAllocated());
    }

    @Override
    public String toString() {
        return device + " (" + gpu.name() + ")";
    }
}
