package io.nabla.backend;

/** Indexing kernels: gather, scatter, index_select, embedding, cumsum, flip and friends. */
public interface IndexKernels {
}
