package io.nabla.backend.cpu;

import io.nabla.backend.reference.ReferenceLinalgKernels;

/** Host {@link io.nabla.backend.LinalgKernels}: fast paths over the reference loops. */
public class CpuLinalgKernels extends ReferenceLinalgKernels {
}
