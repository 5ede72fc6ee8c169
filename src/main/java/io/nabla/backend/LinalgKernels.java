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

    /**
     * Quantizes each of the {@code m} rows of {@code k} FP32 values at element {@code xOffset} of {@code x} (rows
     * contiguous) to UINT8 as {@link Int8} defines: {@code q} (INT16 holding 0..255, m x k), {@code scale} (FP32,
     * m) and {@code zeroPoint} (INT32, m). A row that holds a NaN or an infinity gets scale NaN, zero point 0 and
     * values 0 (its products are NaN). Returns the number of such rows. Backends that have no INT8 kernels refuse.
     */
    default int quantizeRows(Memory x, long xOffset, int m, int k, Memory q, Memory scale, Memory zeroPoint) {
        throw new IllegalArgumentException("INT8 quantized layers run on the CPU only, not on this device");
    }

    /**
     * {@code y (m x n, FP32) = dequantize(q, scale, zeroPoint) · dequantize(w)^T + bias} as {@link Int8} defines it,
     * from rows quantized by {@link #quantizeRows} and an INT8 weight of {@code n} rows of {@code k} (row scales
     * {@code wScale}, FP32, and row sums {@code wSum}, INT32, from {@link Int8#quantizeWeights}); {@code bias}
     * (FP32, n) may be null. All contiguous from element 0; {@code k <=} {@link Int8#MAX_K}.
     */
    default void int8Linear(Memory q, Memory scale, Memory zeroPoint, int m, int k, Memory w, Memory wScale,
                            Memory wSum, Memory bias, Memory y, int n) {
        throw new IllegalArgumentException("INT8 quantized layers run on the CPU only, not on this device");
    }
}
