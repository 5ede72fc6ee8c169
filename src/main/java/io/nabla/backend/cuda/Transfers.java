package io.nabla.backend.cuda;

import io.nabla.backend.Backends;
import io.nabla.backend.DType;
import io.nabla.backend.Device;
import io.nabla.backend.Layout;
import io.nabla.backend.Memory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.Pointer;

/**
 * Copies between host and device memory through the calling thread's pinned staging buffer
 * ({@code cudaHostAlloc}, {@code cudaMemcpyAsync}). The host side is packed to (or unpacked from) a contiguous
 * block of the source dtype in the staging buffer (a plain memcpy when the host view is contiguous); strides and dtype conversion on the device side run as a device copy
 * kernel through a contiguous temporary. Every transfer waits for its stream before it returns.
 */
final class Transfers {

    private final CudaContext ctx;
    private final CudaAllocator allocator;
    private CudaElementwiseKernels device;

    Transfers(CudaContext ctx, CudaAllocator allocator) {
        this.ctx = ctx;
        this.allocator = allocator;
    }

    void bind(CudaElementwiseKernels kernels) {
        this.device = kernels;
    }

    void copy(Memory src, Layout srcLayout, DType srcType, Memory dst, Layout dstLayout, DType dstType) {
        if (src.device().isCpu() && dst.device().isCpu()) {
            Backends.cpu().elementwise().copy(src, srcLayout, srcType, dst, dstLayout, dstType);
        } else if (src.device().isCpu()) {
            ctx.requireDevice(dst, "copy target");
            toDevice(src, srcLayout, srcType, dst, dstLayout, dstType);
        } else {
            ctx.requireDevice(src, "copy source");
            toHost(src, srcLayout, srcType, dst, dstLayout, dstType);
        }
    }

    private void toDevice(Memory src, Layout srcLayout, DType srcType, Memory dst, Layout dstLayout, DType dstType) {
        long n = dstLayout.numel();
        long bytes = n * srcType.itemSize();
        Layout packed = Layout.contiguous(dstLayout.shape());
        Pointer staging = ctx.streams.staging(bytes);
        pack(src, srcLayout, srcType, staging, bytes);
        if (dstLayout.isContiguous() && dstType == srcType) {
            upload(staging, dst.address() + dstLayout.offset() * dstType.itemSize(), bytes);
            ctx.streams.synchronize();
            return;
        }
        try (Memory tmp = allocator.allocate(bytes, false)) {
            upload(staging, tmp.address(), bytes);
            device.deviceCopy(tmp, packed, srcType, dst, dstLayout, dstType);
            ctx.streams.synchronize();
        }
    }

    private void toHost(Memory src, Layout srcLayout, DType srcType, Memory dst, Layout dstLayout, DType dstType) {
        long n = srcLayout.numel();
        long bytes = n * srcType.itemSize();
        Layout packed = Layout.contiguous(srcLayout.shape());
        Pointer staging = ctx.streams.staging(bytes);
        if (srcLayout.isContiguous()) {
            download(src.address() + srcLayout.offset() * srcType.itemSize(), staging, bytes);
            ctx.streams.synchronize();
        } else {
            try (Memory tmp = allocator.allocate(bytes, false)) {
                device.deviceCopy(src, srcLayout, srcType, tmp, packed, srcType);
                download(tmp.address(), staging, bytes);
                ctx.streams.synchronize();
            }
        }
        if (dstLayout.isContiguous() && dstType == srcType) {
            Pointer.memcpy(CudaRuntime.at(dst.address() + dstLayout.offset() * dstType.itemSize()), staging, bytes);
        } else {
            Backends.cpu().elementwise().copy(new PinnedView(staging, bytes), packed, srcType, dst, dstLayout, dstType);
        }
    }

    /** Packs a host view into the staging buffer, contiguous, in its own dtype. */
    private static void pack(Memory src, Layout srcLayout, DType srcType, Pointer staging, long bytes) {
        if (srcLayout.isContiguous()) {
            Pointer.memcpy(staging, CudaRuntime.at(src.address() + srcLayout.offset() * srcType.itemSize()), bytes);
        } else {
            Backends.cpu().elementwise().copy(src, srcLayout, srcType, new PinnedView(staging, bytes),
                    Layout.contiguous(srcLayout.shape()), srcType);
        }
    }

    private void upload(Pointer staging, long deviceAddress, long bytes) {
        CudaRuntime.check(cudart.cudaMemcpyAsync(CudaRuntime.at(deviceAddress), staging, bytes,
                cudart.cudaMemcpyHostToDevice, ctx.stream()), "cudaMemcpyAsync(host to " + ctx.device + ", " + bytes
                + " bytes)");
    }

    private void download(long deviceAddress, Pointer staging, long bytes) {
        CudaRuntime.check(cudart.cudaMemcpyAsync(staging, CudaRuntime.at(deviceAddress), bytes,
                cudart.cudaMemcpyDeviceToHost, ctx.stream()), "cudaMemcpyAsync(" + ctx.device + " to host, " + bytes
                + " bytes)");
    }

    /** The staging buffer seen as host memory, for the host kernels' strided packing; closing does nothing. */
    private static final class PinnedView implements Memory {
        private final Pointer base;
        private final long bytes;

        PinnedView(Pointer base, long bytes) {
            this.base = base;
            this.bytes = bytes;
        }

        @Override
        public Device device() {
            return Device.CPU;
        }

        @Override
        public long byteSize() {
            return bytes;
        }

        @Override
        public boolean isClosed() {
            return false;
        }

        @Override
        public ByteBuffer hostBuffer() {
            if (bytes > Integer.MAX_VALUE) {
                throw new IllegalStateException("a host view holds at most 2 GiB, this transfer has " + bytes);
            }
            return new Pointer(base).capacity(Math.max(bytes, 1)).asByteBuffer().order(ByteOrder.nativeOrder())
                    .limit((int) bytes);
        }

        @Override
        public long address() {
            return base.address();
        }

        @Override
        public void close() {
        }
    }
}
