package io.nabla.gpu;

/**
 * A GPU found at start.
 *
 * @param index its CUDA ordinal
 * @param name its product name, e.g. {@code NVIDIA H100 80GB HBM3}
 * @param totalBytes its memory
 */
public record DiscoveredGpu(int index, String name, long totalBytes) {
}
