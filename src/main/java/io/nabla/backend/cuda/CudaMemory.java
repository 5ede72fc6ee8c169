package io.nabla.backend.cuda;

import io.nabla.backend.Device;
import io.nabla.backend.Memory;
import java.nio.ByteBuffer;

/** A block of device memory from a {@link CudaAllocator}; it has no host view. Freed exactly once, by close. */
public final class CudaMemory implements Memory {

    private final CudaAllocator allocator;
    private final long byteSize;
    private volatile long address;

    CudaMemory(CudaAllocator allocator, long address, long byteSize) {
        this.allocator = allocator;
        this.address = address;
        this.byteSize = byteSize;
    }

    @Override
    public Device device() {
        return allocator.device();
    }

    @Override
    public long byteSize() {
        return byteSize;
    }

    @Override
    public boolean isClosed() {
        return address == 0;
    }

    @Override
    public ByteBuffer hostBuffer() {
        throw new IllegalStateException("memory on " + device() + " has no host view; copy the tensor to the cpu "
                + "first");
    }

    @Override
    public long address() {
        long a = address;
        if (a == 0) {
            throw new IllegalStateException("memory of " + byteSize + " bytes on " + device()
                    + " was already freed (its scope closed)");
        }
        return a;
    }

    @Override
    public void close() {
        long a;
        synchronized (this) {
            a = address;
            if (a == 0) {
                return;
            }
            address = 0;
        }
        allocator.release(a, byteSize);
    }
}
