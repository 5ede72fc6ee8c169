package io.nabla.backend.cuda;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.cuda.cublas.cublasContext;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.cuda.global.cublas;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * One cuBLAS handle per stream (so per worker thread; a stream released by an ending thread keeps its handle for the
 * next thread that takes it), with its own {@link #WORKSPACE_BYTES} device
 * workspace (as PyTorch gives its handles on Hopper: without one cuBLAS cannot pick its split-K and stream-K
 * kernels); closing destroys them all and frees the workspaces. The workspaces are the device's, outside any arena.
 */
final class CublasHandles implements AutoCloseable {

    private final CudaStreams streams;
    /** Bytes of each handle's workspace: 32 MiB, PyTorch's default for compute capability 9.x. */
    static final long WORKSPACE_BYTES = 32L << 20;

    private final List<cublasContext> all = new ArrayList<>();
    private final List<Long> workspaces = new ArrayList<>();
    private final java.util.Map<Long, cublasContext> byStream = new java.util.concurrent.ConcurrentHashMap<>();

    CublasHandles(CudaStreams streams) {
        this.streams = streams;
    }

    /** The handle of this thread's stream (the device made current, the stream set). */
    cublasContext current() {
        CUstream_st stream = streams.current();
        cublasContext h = byStream.get(stream.address());
        return h != null ? h : create(stream);
    }

    private synchronized cublasContext create(CUstream_st stream) {
        cublasContext existing = byStream.get(stream.address());
        if (existing != null) {
            return existing;
        }
        cublasContext h = new cublasContext();
        check(cublas.cublasCreate_v2(h), "cublasCreate");
        check(cublas.cublasSetStream_v2(h, stream), "cublasSetStream");
        check(cublas.cublasSetMathMode(h, cublas.CUBLAS_DEFAULT_MATH), "cublasSetMathMode");
        all.add(h);
        try (PointerPointer<?> out = new PointerPointer<>(1)) {
            CudaRuntime.check(cudart.cudaMalloc(out, WORKSPACE_BYTES), "cudaMalloc(cuBLAS workspace, "
                    + WORKSPACE_BYTES + " bytes)");
            long workspace = out.get(0).address();
            workspaces.add(workspace);
            check(cublas.cublasSetWorkspace_v2(h, CudaRuntime.at(workspace), WORKSPACE_BYTES), "cublasSetWorkspace");
        }
        byStream.put(stream.address(), h);
        return h;
    }

    /** Throws a {@link CudaException} naming the call unless {@code status} is CUBLAS_STATUS_SUCCESS. */
    static void check(int status, String what) {
        if (status != cublas.CUBLAS_STATUS_SUCCESS) {
            BytePointer name = cublas.cublasGetStatusName(status);
            BytePointer text = cublas.cublasGetStatusString(status);
            throw new CudaException(what + " failed: " + (name == null ? "status " + status : name.getString())
                    + " (" + (text == null ? "" : text.getString()) + ")", status, false);
        }
    }

    @Override
    public synchronized void close() {
        for (cublasContext h : all) {
            cublas.cublasDestroy_v2(h);
        }
        all.clear();
        byStream.clear();
        for (long w : workspaces) {
            cudart.cudaFree(CudaRuntime.at(w));
        }
        workspaces.clear();
    }
}
