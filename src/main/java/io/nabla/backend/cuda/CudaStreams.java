package io.nabla.backend.cuda;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * One non-blocking stream and one pinned staging buffer per worker thread, on one device (its primary context).
 * Work a thread queues runs in order on its stream; host copies synchronise that stream before they return, so a
 * tensor handed to another thread after a copy is complete. Closing frees every stream and staging buffer.
 */
final class CudaStreams implements AutoCloseable {

    private final int device;
    private final List<PerThread> all = new ArrayList<>();
    private final ThreadLocal<PerThread> local = ThreadLocal.withInitial(this::create);

    CudaStreams(int device) {
        this.device = device;
    }

    /** Makes the device current on this thread and returns the thread's stream. */
    CUstream_st current() {
        CudaRuntime.check(cudart.cudaSetDevice(device), "cudaSetDevice(" + device + ")");
        return local.get().stream;
    }

    /** Waits until everything queued on this thread's stream has run. */
    void synchronize() {
        CudaRuntime.check(cudart.cudaStreamSynchronize(current()), "cudaStreamSynchronize on cuda:" + device);
    }

    /** This thread's pinned host buffer of at least {@code bytes} bytes (grown on demand; valid until the next call). */
    Pointer staging(long bytes) {
        PerThread t = local.get();
        if (t.stagingBytes < bytes) {
            if (t.staging != null) {
                CudaRuntime.check(cudart.cudaFreeHost(t.staging), "cudaFreeHost");
                t.staging = null;
                t.stagingBytes = 0;
            }
            long size = Math.max(bytes, 1L << 20);
            try (PointerPointer<?> out = new PointerPointer<>(1)) {
                CudaRuntime.check(cudart.cudaHostAlloc(out, size, cudart.cudaHostAllocDefault),
                        "cudaHostAlloc(" + size + " bytes)");
                t.staging = CudaRuntime.at(out.get(0).address());
            }
            t.stagingBytes = size;
        }
        return t.staging;
    }

    private synchronized PerThread create() {
        CudaRuntime.check(cudart.cudaSetDevice(device), "cudaSetDevice(" + device + ")");
        CUstream_st s = new CUstream_st();
        CudaRuntime.check(cudart.cudaStreamCreateWithFlags(s, cudart.cudaStreamNonBlocking),
                "cudaStreamCreateWithFlags on cuda:" + device);
        PerThread t = new PerThread(s);
        all.add(t);
        return t;
    }

    @Override
    public synchronized void close() {
        for (PerThread t : all) {
            cudart.cudaStreamSynchronize(t.stream);
            CudaRuntime.check(cudart.cudaStreamDestroy(t.stream), "cudaStreamDestroy");
            if (t.staging != null) {
                CudaRuntime.check(cudart.cudaFreeHost(t.staging), "cudaFreeHost");
            }
        }
        all.clear();
    }

    private static final class PerThread {
        final CUstream_st stream;
        Pointer staging;
        long stagingBytes;

        PerThread(CUstream_st stream) {
            this.stream = stream;
        }
    }
}
