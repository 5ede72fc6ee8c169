package io.nabla.backend.reference;

import io.nabla.backend.ConvKernels;

/** Scalar reference implementation of {@link ConvKernels}. */
public class ReferenceConvKernels implements ConvKernels {
}
