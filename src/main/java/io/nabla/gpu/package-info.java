/**
 * The GPUs of the process: discovery at start ({@link io.nabla.gpu.GpuPool}, {@link io.nabla.gpu.CudaDiscovery}), a
 * PyTorch-style caching allocator per device ({@link io.nabla.gpu.CachingAllocator}) over the raw memory the CUDA
 * backend provides ({@link io.nabla.gpu.RawDeviceMemory}), per-owner accounting and caps
 * ({@link io.nabla.gpu.MemoryArena}), admission control, device selection and sticky health
 * ({@link io.nabla.gpu.DeviceHealth}). Without a CUDA driver the pool is empty and everything runs on the CPU. Depends
 * on backend and config (its settings); used by backend.cuda (through {@link io.nabla.gpu.DeviceHeap}), inference,
 * jobs and web.
 */
package io.nabla.gpu;
