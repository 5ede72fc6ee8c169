package io.nabla.backend.cpu;

import io.nabla.backend.reference.ReferenceIndexKernels;

/** Host {@link io.nabla.backend.IndexKernels}: fast paths over the reference loops. */
public class CpuIndexKernels extends ReferenceIndexKernels {
}
