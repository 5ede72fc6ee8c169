package io.nabla.backend.cpu;

import io.nabla.backend.reference.ReferenceNormKernels;

/** Host {@link io.nabla.backend.NormKernels}: fast paths over the reference loops. */
public class CpuNormKernels extends ReferenceNormKernels {
}
