/**
 * The CUDA backend: cuBLAS for matrix products, CUDA C generated per kernel signature and compiled at run time with
 * NVRTC for the rest, memory from the GPU pool's {@code io.nabla.gpu.DeviceHeap}. Loading never fails the process:
 * without a driver {@link io.nabla.backend.cuda.CudaRuntime#available()} is false. Depends on io.nabla.backend,
 * io.nabla.backend.reference (validation, host-side packing) and the two seams of io.nabla.gpu.
 */
package io.nabla.backend.cuda;
