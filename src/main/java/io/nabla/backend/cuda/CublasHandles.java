package io.nabla.backend.cuda;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.cuda.cublas.cublasContext;
import org.bytedeco.cuda.global.cublas;
import org.bytedeco.javacpp.BytePointer;

/** One cuBLAS handle per worker thread, bound to that thread's stream; closing destroys them all. */
final class CublasHandles implements AutoCloseable {

    private final CudaStreams streams;
    private final List<cublasContext> all = new ArrayList<>();
    private final ThreadLocal<cublasContext> local = ThreadLocal.withInitial(this::create);

    CublasHandles(CudaStreams streams) {
        this.streams = streams;
    }

    /** This thread's handle (the device made current, the stream set). */
    cublasContext current() {
        streams.current();
        return local.get();
    }

    private synchronized cublasContext create() {
        cublasContext h = new cublasContext();
        check(cublas.cublasCreate_v2(h), "cublasCreate");
        check(cublas.cublasSetStream_v2(h, streams.current()), "cublasSetStream");
        check(cublas.cublasSetMathMode(h, cublas.CUBLAS_DEFAULT_MATH), "cublasSetMathMode");
        all.add(h);
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
    }
}
