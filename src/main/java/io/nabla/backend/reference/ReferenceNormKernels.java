package io.nabla.backend.reference;

import io.nabla.backend.NormKernels;

/** Scalar reference implementation of {@link NormKernels}. */
public class ReferenceNormKernels implements NormKernels {
}
