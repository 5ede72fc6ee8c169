package io.nabla.backend.cuda;

import io.nabla.backend.OutOfDeviceMemoryException;
import io.nabla.gpu.DeviceHeap;
import io.nabla.gpu.RawDeviceMemory;

/**
 * A {@link DeviceHeap} without a cache: every allocation is a {@code cudaMalloc}, every free a {@code cudaFree}
 * (which waits for the device, so a block is never reused while a kernel still reads it). Slow but simple; the GPU
 * pool's caching allocator replaces it in the server.
 */
public final class DirectDeviceHeap implements DeviceHeap {

    private final RawDeviceMemory raw;
    private final String device;

    public DirectDeviceHeap(RawDeviceMemory raw, String device) {
        this.raw = raw;
        this.device = device;
    }

    @Override
    public long allocate(long bytes, long stream) {
        long size = Math.max(bytes, 1);
        long address = raw.malloc(size);
        if (address == 0) {
            throw new OutOfDeviceMemoryException(String.format("allocation of %d bytes failed on %s: %d of %d bytes"
                    + " free", bytes, device, raw.freeBytes(), raw.totalBytes()), bytes);
        }
        return address;
    }

    @Override
    public void free(long address) {
        raw.free(address);
    }
}
