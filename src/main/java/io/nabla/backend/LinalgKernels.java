package io.nabla.backend;

/** Matrix products (batched, through BLAS on the host). */
public interface LinalgKernels {
}
