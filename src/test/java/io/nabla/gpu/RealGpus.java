package io.nabla.gpu;

import io.nabla.backend.cuda.CudaRawMemory;
import java.util.ArrayList;
import java.util.List;

/**
 * The server's GPU stack without Spring, for the GPU suite: the GPUs {@link CudaDiscovery} finds, each with a caching
 * allocator over {@link CudaRawMemory} and an arena heap, and a CUDA backend per GPU registered on that heap
 * ({@link CudaBackends}), as {@link GpuConfiguration} builds them. Closing unregisters the backends and empties the
 * caches.
 */
public final class RealGpus implements AutoCloseable {

    private final GpuPool pool;
    private final CudaBackends backends;

    private RealGpus(long arenaLimit) {
        DeviceHealth health = new DeviceHealth();
        List<GpuDevice> gpus = new ArrayList<>();
        // GpuConfiguration.open's loop, without loading that class (it links Spring, absent on the GPU machine)
        for (DiscoveredGpu g : new CudaDiscovery().discover()) {
            gpus.add(new GpuDevice(g, new CudaRawMemory(g.index()), AllocatorSettings.DEFAULT, health));
        }
        this.pool = new GpuPool(gpus, health, arenaLimit);
        this.backends = CudaBackends.register(pool);
    }

    /** The pool of every GPU here, arenas uncapped. */
    public static RealGpus open() {
        return new RealGpus(Long.MAX_VALUE);
    }

    public GpuPool pool() {
        return pool;
    }

    @Override
    public void close() {
        backends.close();
        pool.close();
    }
}
