package io.nabla.backend.cpu;

import io.nabla.backend.reference.ReferenceReduceKernels;

/** Host {@link io.nabla.backend.ReduceKernels}: fast paths over the reference loops. */
public class CpuReduceKernels extends ReferenceReduceKernels {
}
