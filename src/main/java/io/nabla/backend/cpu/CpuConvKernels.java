package io.nabla.backend.cpu;

import io.nabla.backend.reference.ReferenceConvKernels;

/** Host {@link io.nabla.backend.ConvKernels}: fast paths over the reference loops. */
public class CpuConvKernels extends ReferenceConvKernels {
}
