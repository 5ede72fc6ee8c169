package io.nabla.backend;

/** Normalisation and softmax-family kernels, forward and backward. */
public interface NormKernels {
}
