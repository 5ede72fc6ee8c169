package io.nabla.gpu;

import java.util.List;

/** Finds the GPUs of the machine at start; none where there is no driver. */
public interface GpuDiscovery {

    /** The GPUs present, by index; empty when there are none or no driver (never throws for that). */
    List<DiscoveredGpu> discover();
}
