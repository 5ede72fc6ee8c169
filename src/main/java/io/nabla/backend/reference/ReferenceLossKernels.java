package io.nabla.backend.reference;

import io.nabla.backend.LossKernels;

/** Scalar reference implementation of {@link LossKernels}. */
public class ReferenceLossKernels implements LossKernels {
}
