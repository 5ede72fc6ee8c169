package io.nabla.backend.cpu;

import io.nabla.backend.reference.ReferenceLossKernels;

/** Host {@link io.nabla.backend.LossKernels}: fast paths over the reference loops. */
public class CpuLossKernels extends ReferenceLossKernels {
}
