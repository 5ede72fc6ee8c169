package io.nabla.backend.reference;

import io.nabla.backend.IndexKernels;

/** Scalar reference implementation of {@link IndexKernels}. */
public class ReferenceIndexKernels implements IndexKernels {
}
