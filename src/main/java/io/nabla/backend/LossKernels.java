package io.nabla.backend;

/** Fused loss kernels, forward and backward. */
public interface LossKernels {
}
