package io.nabla.backend;

/**
 * A compute backend for one device: its allocator and its kernels, grouped by op family. Kernels take memory
 * blocks with a {@link Layout} and {@link DType} per operand; callers (the tensor layer) have already checked
 * shapes, broadcast the layouts to the output shape and allocated the output. Kernels never allocate tensors.
 */
public interface Backend {

    /** A short name: {@code reference}, {@code cpu}, {@code cuda}. */
    String name();

    Device device();

    Allocator allocator();

    ElementwiseKernels elementwise();

    ReduceKernels reduce();

    LinalgKernels linalg();

    ConvKernels conv();

    NormKernels norm();

    IndexKernels index();

    LossKernels loss();

    OptimizerKernels optimizer();

    /**
     * Gives back what this backend keeps for the calling thread (on CUDA: its stream, with the stream's cuBLAS handle,
     * staging buffer and cached memory segments, for the next thread to reuse). Threads that end after using a device
     * (a model's worker) call it last, through {@link Backends#releaseThread()}. Nothing for host backends.
     */
    default void releaseThread() {
    }
}
