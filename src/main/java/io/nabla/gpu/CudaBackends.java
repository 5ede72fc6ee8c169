package io.nabla.gpu;

import io.nabla.backend.Backends;
import io.nabla.backend.cuda.CudaBackend;
import io.nabla.backend.cuda.CudaRuntime;
import io.nabla.backend.cuda.MatmulPrecision;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CUDA backends of the pool's GPUs, registered with {@link Backends} so tensors on {@code cuda:N} compute there,
 * each allocating through its device's {@link GpuDevice#heap() arena heap} (so arenas and the caching allocator see
 * every byte). A sticky CUDA error marks every GPU of the pool unhealthy: the error does not say which device's
 * context it broke, and a wrong "healthy" is worse than a wrong "unhealthy". Closing unregisters and closes them.
 */
final class CudaBackends implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CudaBackends.class);

    private final List<CudaBackend> backends;

    private CudaBackends(List<CudaBackend> backends) {
        this.backends = backends;
    }

    static CudaBackends register(GpuPool pool) {
        List<CudaBackend> opened = new ArrayList<>();
        if (pool.gpus().isEmpty()) {
            return new CudaBackends(opened);
        }
        CudaRuntime.onStickyError(e -> pool.gpus().forEach(g -> pool.health().markUnhealthy(g.device(),
                e.getMessage())));
        MatmulPrecision precision = MatmulPrecision.fromSystemProperty();
        for (GpuDevice gpu : pool.gpus()) {
            try {
                CudaBackend backend = new CudaBackend(gpu.index(), gpu.heap(), precision);
                Backends.register(backend);
                opened.add(backend);
            } catch (RuntimeException | LinkageError e) {
                LOG.warn("cannot open the CUDA backend of {}: {}", gpu.device(), e.toString());
                pool.health().markUnhealthy(gpu.device(), "backend failed to open: " + e);
            }
        }
        return new CudaBackends(opened);
    }

    int size() {
        return backends.size();
    }

    @Override
    public void close() {
        for (CudaBackend b : backends) {
            Backends.unregister(b.device());
            b.close();
        }
        backends.clear();
    }
}
