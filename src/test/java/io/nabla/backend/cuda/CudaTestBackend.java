package io.nabla.backend.cuda;

import io.nabla.backend.Backends;
import io.nabla.backend.Device;

/** The cuda:0 backend shared by the GPU test classes, opened once on plain cudaMalloc and registered. */
public final class CudaTestBackend {

    private static CudaBackend backend;

    private CudaTestBackend() {
    }

    public static synchronized CudaBackend get() {
        if (backend == null) {
            backend = CudaBackend.direct(0);
            Backends.register(backend);
        }
        return backend;
    }

    /** Registers the shared backend again after a test registered a backend of its own for cuda:0. */
    static synchronized void restore() {
        if (backend != null) {
            Backends.register(backend);
        }
    }

    public static Device device() {
        return get().device();
    }
}
