package io.nabla.backend.cuda;

import io.nabla.gpu.RawDeviceMemory;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.SizeTPointer;

/** The raw memory of one device through {@code cudaMalloc}/{@code cudaFree}/{@code cudaMemGetInfo}. */
public final class CudaRawMemory implements RawDeviceMemory {

    private final int device;

    public CudaRawMemory(int device) {
        this.device = device;
    }

    @Override
    public long malloc(long bytes) {
        CudaRuntime.check(CudaRuntime.setDevice(device), "cudaSetDevice(" + device + ")");
        try (PointerPointer<?> out = new PointerPointer<>(1)) {
            int st = cudart.cudaMalloc(out, bytes);
            if (st == cudart.cudaErrorMemoryAllocation) {
                cudart.cudaGetLastError(); // clear the non-sticky error
                return 0;
            }
            CudaRuntime.check(st, "cudaMalloc(" + bytes + " bytes) on cuda:" + device);
            return out.get(0).address();
        }
    }

    @Override
    public void free(long address) {
        CudaRuntime.check(CudaRuntime.setDevice(device), "cudaSetDevice(" + device + ")");
        CudaRuntime.check(cudart.cudaFree(CudaRuntime.at(address)), "cudaFree on cuda:" + device);
    }

    @Override
    public long totalBytes() {
        return memInfo()[1];
    }

    @Override
    public long freeBytes() {
        return memInfo()[0];
    }

    private long[] memInfo() {
        CudaRuntime.check(CudaRuntime.setDevice(device), "cudaSetDevice(" + device + ")");
        try (SizeTPointer free = new SizeTPointer(1); SizeTPointer total = new SizeTPointer(1)) {
            CudaRuntime.check(cudart.cudaMemGetInfo(free, total), "cudaMemGetInfo on cuda:" + device);
            return new long[] {free.get(0), total.get(0)};
        }
    }
}
