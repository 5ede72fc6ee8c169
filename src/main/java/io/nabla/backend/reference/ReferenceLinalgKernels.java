package io.nabla.backend.reference;

import io.nabla.backend.LinalgKernels;

/** Scalar reference implementation of {@link LinalgKernels}. */
public class ReferenceLinalgKernels implements LinalgKernels {
}
