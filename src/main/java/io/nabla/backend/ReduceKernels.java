package io.nabla.backend;

/**
 * Reductions. {@code dims} are sorted, distinct, non-negative dimensions of the input; the output layout has the
 * input's rank with size 1 in every reduced dimension (keepdim form); the tensor layer squeezes afterwards.
 * Results must not depend on the number of threads.
 */
public interface ReduceKernels {

    /** Reduces {@code in} over {@code dims} with {@code op}; {@code param} is VAR's and STD's correction. */
    void reduce(ReduceOp op, double param, Memory in, Layout inLayout, DType inType, int[] dims,
                Memory out, Layout outLayout, DType outType);

    /**
     * The input gradient of a reduction: {@code gradIn = gradOut * d out / d in}, group by group. {@code out} is the
     * forward result and {@code gradOut} its gradient, both in keepdim form; {@code gradIn} has the input's shape; all
     * four share {@code dtype} (a floating type). AMAX/AMIN share the gradient evenly among tied extremes; ARGMAX and
     * ARGMIN stand for "the value at the arg index" (max/min along a dim with indices): the whole gradient goes to the
     * first extreme. PROD handles zeros exactly (one zero: the product of the others; two or more: zero).
     */
    void reduceBackward(ReduceOp op, double param, Memory in, Layout inLayout, int[] dims, Memory out,
                        Layout outLayout, Memory gradOut, Layout gradOutLayout, Memory gradIn, Layout gradInLayout,
                        DType dtype);
}
