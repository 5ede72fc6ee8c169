package io.nabla.backend.cuda;

import io.nabla.backend.Device;
import io.nabla.backend.Memory;
import java.util.function.Supplier;
import org.bytedeco.cuda.cudart.CUfunc_st;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.cuda.global.cudart;

/**
 * What the kernels of one device share: the device (its primary context, made current on each calling thread),
 * the per-thread streams, the kernel cache and the cuBLAS handles. Owned and closed by the {@link CudaBackend}.
 */
final class CudaContext implements AutoCloseable {

    final Device device;
    final int index;
    final CudaStreams streams;
    final KernelCache kernels;
    final CublasHandles cublas;

    CudaContext(int index) {
        this.index = index;
        this.device = Device.cuda(index);
        CudaRuntime.check(CudaRuntime.setDevice(index), "cudaSetDevice(" + index + ")");
        CudaRuntime.check(cudart.cudaFree(null), "cudaFree(null) (creating the primary context of cuda:" + index
                + ")");
        int[] major = new int[1];
        int[] minor = new int[1];
        CudaRuntime.check(cudart.cudaDeviceGetAttribute(major, cudart.cudaDevAttrComputeCapabilityMajor, index),
                "cudaDeviceGetAttribute(major)");
        CudaRuntime.check(cudart.cudaDeviceGetAttribute(minor, cudart.cudaDevAttrComputeCapabilityMinor, index),
                "cudaDeviceGetAttribute(minor)");
        this.streams = new CudaStreams(index);
        this.kernels = new KernelCache(index, major[0], minor[0]);
        this.cublas = new CublasHandles(streams);
    }

    CUstream_st stream() {
        return streams.current();
    }

    /** Compiles (once) and runs a generated kernel over {@code n} items with the arguments {@code args} built. */
    void run(Kernel k, long n, Launch args) {
        try (args) {
            CUfunc_st f = kernels.get(k.name(), () -> k);
            args.run(f, n, stream(), k.name());
        }
    }

    /** Compiles (once) and runs a kernel whose source is generated only on a cache miss of {@code key}. */
    void run(String key, Supplier<Kernel> k, long n, Launch args) {
        try (args) {
            CUfunc_st f = kernels.get(key, k);
            args.run(f, n, stream(), key);
        }
    }

    /** Refuses memory of another device (a host block reaching a device kernel). */
    void requireDevice(Memory m, String what) {
        if (m != null && !m.device().equals(device)) {
            throw new IllegalArgumentException(what + " is on " + m.device() + ", the kernel runs on " + device);
        }
    }

    @Override
    public void close() {
        cublas.close();
        kernels.close();
        streams.close();
    }
}
