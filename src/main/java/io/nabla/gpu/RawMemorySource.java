package io.nabla.gpu;

/**
 * Gives the {@link RawDeviceMemory} of a discovered GPU. The CUDA backend provides it ({@code cudaMalloc} and friends
 * on that device); without one the pool has nothing to allocate from and stays empty.
 */
@FunctionalInterface
public interface RawMemorySource {

    RawDeviceMemory open(DiscoveredGpu gpu);
}
