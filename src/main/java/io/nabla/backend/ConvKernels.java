package io.nabla.backend;

/**
 * Convolution helpers and pooling over NCHW layouts (any strides). Convolution itself is im2col followed by
 * {@link LinalgKernels#gemm}; its input gradient is a GEMM followed by col2im. Every kernel overwrites its output.
 *
 * <p>Column matrices have layout {@code (N, C * kh * kw, OH * OW)}: row {@code (c * kh + i) * kw + j} holds tap
 * {@code (i, j)} of channel {@code c}, column {@code oy * OW + ox} the output position. Max-pool indices are INT64
 * flat positions {@code iy * W + ix} within the input plane, as PyTorch returns them.
 */
public interface ConvKernels {

    /** Unfolds windows of {@code in} (N, C, H, W) into {@code cols} (N, C*kh*kw, OH*OW); padding reads as 0. */
    void im2col(Memory in, Layout inLayout, DType dtype, Window2d w, Memory cols, Layout colsLayout);

    /** The adjoint of im2col: sums every column entry into the image position it was read from, (N, C, H, W). */
    void col2im(Memory cols, Layout colsLayout, DType dtype, Window2d w, Memory out, Layout outLayout);

    /** Max over each window (padding counts as -inf, NaN wins, ties go to the first) and its index. */
    void maxPool2d(Memory in, Layout inLayout, DType dtype, Window2d w, Memory out, Layout outLayout,
                   Memory indices, Layout indicesLayout);

    /** Routes each output gradient to the input position its max came from (sums where windows overlap). */
    void maxPool2dBackward(Memory gradOut, Layout gradOutLayout, Memory indices, Layout indicesLayout, DType dtype,
                           Memory gradIn, Layout gradInLayout);

    /**
     * Mean over each window. The divisor is the window clipped to the padded input when {@code countIncludePad},
     * else the number of real input elements in it.
     */
    void avgPool2d(Memory in, Layout inLayout, DType dtype, Window2d w, boolean countIncludePad,
                   Memory out, Layout outLayout);

    void avgPool2dBackward(Memory gradOut, Layout gradOutLayout, DType dtype, Window2d w, boolean countIncludePad,
                           Memory gradIn, Layout gradInLayout);

    /**
     * Mean over PyTorch's adaptive bins: output row {@code i} of {@code O} over an input of {@code I} rows covers
     * rows {@code floor(i * I / O)} to {@code ceil((i + 1) * I / O)} (exclusive); columns likewise.
     */
    void adaptiveAvgPool2d(Memory in, Layout inLayout, DType dtype, Memory out, Layout outLayout);

    void adaptiveAvgPool2dBackward(Memory gradOut, Layout gradOutLayout, DType dtype, Memory gradIn,
                                   Layout gradInLayout);
}
