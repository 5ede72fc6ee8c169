package io.nabla.backend;

/**
 * Reductions. {@code dims} are sorted, distinct, non-negative dimensions of the input; the output layout has the
 * input's rank with size 1 in every reduced dimension (keepdim form); the tensor layer squeezes afterwards.
 * Results must not depend on the number of threads.
 */
public interface ReduceKernels {

    /** Reduces {@code in} over {@code dims} with {@code op}; {@code param} is VAR's correction. */
    void reduce(ReduceOp op, double param, Memory in, Layout inLayout, DType inType, int[] dims,
                Memory out, Layout outLayout, DType outType);
}
