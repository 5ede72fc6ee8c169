package io.nabla.backend.cuda;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.LongPointer;
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
    /** Streams (with their staging buffers) that threads released, for the next thread to take. */
    private final java.util.ArrayDeque<PerThread> idle = new java.util.ArrayDeque<>();
    private final ThreadLocal<PerThread> local = new ThreadLocal<>();

    CudaStreams(int device) {
        this.device = device;
    }

    /** Makes the device current on this thread and returns the thread's stream. */
    CUstream_st current() {
        CudaRuntime.check(CudaRuntime.setDevice(device), "cudaSetDevice(" + device + ")");
        return mine().stream;
    }

    /**
     * Waits until everything queued on this thread's stream has run, then reads the verdict of the checks deferred
     * since the last synchronisation ({@link #deferredCheckWords}) and throws the error of a failed one.
     */
    void synchronize() {
        CudaRuntime.check(cudart.cudaStreamSynchronize(current()), "cudaStreamSynchronize on cuda:" + device);
        PerThread t = mine();
        if (t.verdict != null) {
            java.util.function.Function<long[], RuntimeException> verdict = t.verdict;
            t.verdict = null;
            long[] words = new long[CHECK_WORDS];
            try (LongPointer host = new LongPointer(CHECK_WORDS)) {
                CudaRuntime.check(cudart.cudaMemcpy(host, t.checkWords, 8L * CHECK_WORDS,
                        cudart.cudaMemcpyDeviceToHost), "cudaMemcpy(deferred check words)");
                host.get(words);
            }
            if (words[0] != 0) {
                CudaRuntime.check(cudart.cudaMemset(t.checkWords, 0, 8L * CHECK_WORDS), "cudaMemset(check words)");
                throw verdict.apply(words);
            }
        }
    }

    /** Words of a thread's deferred-check block: word 0 is the failed flag, the rest are the check's to use. */
    static final int CHECK_WORDS = 4;

    /**
     * The device address of this thread's deferred-check block, for a check kernel queued next that writes a nonzero
     * word 0 (and its details in words 1..3) when its input is bad. The host does not wait for it: the next
     * {@link #synchronize()} of this thread (every copy to the host does one) reads the block and throws
     * {@code error(words)} if the check failed, as PyTorch's CUDA kernels report bad indices at the next
     * synchronisation, but as an ordinary exception that leaves the device usable. Kernels must guard against the
     * bad input themselves. Checks queued before one synchronisation share the block; the first error function is
     * the one applied.
     */
    long deferredCheckWords(java.util.function.Function<long[], RuntimeException> error) {
        PerThread t = mine();
        if (t.checkWords == null) {
            try (PointerPointer<?> out = new PointerPointer<>(1)) {
                CudaRuntime.check(cudart.cudaMalloc(out, 8L * CHECK_WORDS), "cudaMalloc(check words)");
                t.checkWords = CudaRuntime.at(out.get(0).address());
            }
            CudaRuntime.check(cudart.cudaMemset(t.checkWords, 0, 8L * CHECK_WORDS), "cudaMemset(check words)");
        }
        if (t.verdict == null) {
            t.verdict = error;
        }
        return t.checkWords.address();
    }

    /** This thread's pinned host buffer of at least {@code bytes} bytes (grown on demand; valid until the next call). */
    Pointer staging(long bytes) {
        PerThread t = mine();
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

    /** The calling thread's stream and buffers, taken (a released one, or a new one) on its first use. */
    private PerThread mine() {
        PerThread t = local.get();
        if (t == null) {
            t = create();
            local.set(t);
        }
        return t;
    }

    private synchronized PerThread create() {
        CudaRuntime.check(CudaRuntime.setDevice(device), "cudaSetDevice(" + device + ")");
        PerThread reused = idle.poll();
        if (reused != null) {
            return reused;
        }
        CUstream_st s = new CUstream_st();
        CudaRuntime.check(cudart.cudaStreamCreateWithFlags(s, cudart.cudaStreamNonBlocking),
                "cudaStreamCreateWithFlags on cuda:" + device);
        PerThread t = new PerThread(s);
        all.add(t);
        return t;
    }

    /**
     * Hands the calling thread's stream (and its staging buffer and check words) back for the next thread that needs
     * one, after waiting for its work: a thread that ends (a model's worker) must not take its stream, nor the
     * allocator's segments that serve only that stream, with it. A check still pending is dropped. Does nothing on a
     * thread that never used this device.
     */
    void releaseThread() {
        PerThread t = local.get();
        if (t == null) {
            return;
        }
        local.remove();
        try {
            cudart.cudaStreamSynchronize(t.stream);
        } finally {
            t.verdict = null;
            synchronized (this) {
                idle.push(t);
            }
        }
    }

    /** Streams created so far (each thread that used the device at the same time needs its own). */
    synchronized int created() {
        return all.size();
    }

    @Override
    public synchronized void close() {
        for (PerThread t : all) {
            cudart.cudaStreamSynchronize(t.stream);
            CudaRuntime.check(cudart.cudaStreamDestroy(t.stream), "cudaStreamDestroy");
            if (t.staging != null) {
                CudaRuntime.check(cudart.cudaFreeHost(t.staging), "cudaFreeHost");
            }
            if (t.checkWords != null) {
                cudart.cudaFree(t.checkWords);
            }
        }
        all.clear();
        idle.clear();
    }

    private static final class PerThread {
        final CUstream_st stream;
        Pointer staging;
        long stagingBytes;
        Pointer checkWords;
        java.util.function.Function<long[], RuntimeException> verdict;

        PerThread(CUstream_st stream) {
            this.stream = stream;
        }
    }
}
