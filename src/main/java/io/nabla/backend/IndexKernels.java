package io.nabla.backend;

/**
 * Indexing kernels: gather, scatter_add, index_select, index_add, masked_fill, cumsum and cat. The tensor layer
 * has checked shapes, ranks and dtypes and allocated the outputs; the kernels check the index VALUES (an index
 * outside {@code [0, size)} of the indexed dimension is an {@link IllegalArgumentException} naming the value, the
 * dimension and its size) before anything is written. Index operands are INT64 or INT32 ({@code indexType}) of any
 * layout; data operands share {@code dtype} and are copied bit for bit (adds follow the dtype's arithmetic).
 * Embedding is {@link #indexSelect} (forward) and {@link #indexAdd} (backward) along dimension 0 of the weight.
 */
public interface IndexKernels {

    /**
     * {@code out[p] = in[p with p[dim] replaced by index[p]]} for every position {@code p} of {@code index};
     * {@code out} and {@code index} share a shape, {@code in} has the same rank and sizes at least the index's
     * outside {@code dim}.
     */
    void gather(int dim, Memory in, Layout inLayout, Memory index, Layout indexLayout, DType indexType, DType dtype,
                Memory out, Layout outLayout);

    /**
     * {@code out[p with p[dim] replaced by index[p]] += src[p]} for every position {@code p} of {@code index};
     * {@code src} has the index's rank and sizes at least the index's, {@code out} sizes at least the index's
     * outside {@code dim}. Accumulates into what {@code out} already holds.
     */
    void scatterAdd(int dim, Memory index, Layout indexLayout, DType indexType, Memory src, Layout srcLayout,
                    DType dtype, Memory out, Layout outLayout);

    /**
     * {@code out} = the slices {@code index[0], index[1], ...} of {@code in} along {@code dim}, the index read in
     * row-major order whatever its shape; {@code out} is {@code in}'s shape with {@code dim} sized to the index's
     * element count.
     */
    void indexSelect(int dim, Memory in, Layout inLayout, Memory index, Layout indexLayout, DType indexType,
                     DType dtype, Memory out, Layout outLayout);

    /**
     * Slice {@code j} of {@code src} along {@code dim} is added into slice {@code index[j]} of {@code out}
     * (PyTorch's {@code index_add_}); indices may repeat, and the adds happen in the order of {@code j}.
     */
    void indexAdd(int dim, Memory index, Layout indexLayout, DType indexType, Memory src, Layout srcLayout,
                  DType dtype, Memory out, Layout outLayout);

    /**
     * {@code out = mask ? value : in}, with {@code value} converted to {@code dtype} as {@code to(dtype)} does;
     * {@code in}, the BOOL {@code mask} and {@code out} share the output's shape (broadcast operands carry
     * stride 0).
     */
    void maskedFill(Memory in, Layout inLayout, Memory mask, Layout maskLayout, double value, DType dtype,
                    Memory out, Layout outLayout);

    /**
     * Running sums along {@code dim}; {@code out} has {@code in}'s shape. Integer inputs sum in 64 bits, FP32/FP64
     * in double, FP16/BF16 in float (as PyTorch's CPU kernel), each output rounded to {@code outType}. A layout
     * with a negative stride along {@code dim} walks that dimension backwards (a reverse running sum).
     */
    void cumsum(int dim, Memory in, Layout inLayout, DType inType, Memory out, Layout outLayout, DType outType);

    /**
     * Copies the inputs one after another along {@code dim} into {@code out}; every input has {@code out}'s shape
     * except along {@code dim}, where the sizes add up to {@code out}'s. Inputs may have any strides, negative ones
     * included: a one-input cat is a strided copy, and {@code flip} uses it with reversed layouts.
     */
    void cat(int dim, Memory[] ins, Layout[] inLayouts, DType dtype, Memory out, Layout outLayout);
}
