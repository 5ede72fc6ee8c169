package io.nabla.backend.cpu;

import io.nabla.backend.reference.ReferenceElementwiseKernels;

/** Host {@link io.nabla.backend.ElementwiseKernels}: fast paths over the reference loops. */
public class CpuElementwiseKernels extends ReferenceElementwiseKernels {
}
