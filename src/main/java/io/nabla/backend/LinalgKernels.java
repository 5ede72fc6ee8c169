package io.nabla.backend;

/**
 * Matrix products: one batched strided GEMM, {@code C = alpha * A·B + beta * C}.
 *
 * <p>Operands are views of equal rank {@code r >= 2}: A {@code (..., m, k)}, B {@code (..., k, n)} and
 * C {@code (..., m, n)} with the same leading batch sizes. An operand repeated over a batch dimension carries
 * stride 0 there (C never does). A transposed operand is simply a view whose last two strides are swapped, so
 * {@code op(A)} needs no flag; {@link BlasMatrix} says how a BLAS sees such a view (row or column major, leading
 * dimension). Kernels accept any strides; fast backends read in place the views that {@link BlasMatrix#of} accepts
 * and fall back to a slow loop for the others, so callers copy odd views first.
 *
 * <p>With {@code beta == 0} the old contents of C are ignored (NaN included), as in BLAS. Floating dtypes
 * accumulate in at least their own precision (FP16/BF16 in FP32 or wider, then rounded); integer dtypes
 * accumulate exactly in 64 bits and wrap to their width, and then {@code alpha} and {@code beta} must be whole
 * numbers. BOOL is refused.
 */
public interface LinalgKernels {

    void gemm(double alpha, Memory a, Layout aLayout, Memory b, Layout bLayout, double beta,
              Memory c, Layout cLayout, DType dtype);
}
