package io.nabla.backend.cuda;

/**
 * A failed CUDA, cuBLAS or NVRTC call: the call, the library's error name and string, and whether the error is
 * sticky (the context is corrupted, every later call fails: the device must be marked unhealthy).
 */
public final class CudaException extends RuntimeException {

    private final int status;
    private final boolean sticky;

    public CudaException(String message, int status, boolean sticky) {
        super(message);
        this.status = status;
        this.sticky = sticky;
    }

    /** The library's status code (cudaError_t, CUresult, cublasStatus_t or nvrtcResult). */
    public int status() {
        return status;
    }

    /** True for errors that leave the context unusable (illegal address, launch failure, ...). */
    public boolean isSticky() {
        return sticky;
    }
}
