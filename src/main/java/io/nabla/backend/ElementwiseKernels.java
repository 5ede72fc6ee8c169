package io.nabla.backend;

/**
 * Elementwise kernels. Every operand layout has the output's shape (broadcast inputs carry stride 0), and inputs of
 * a binary op share one dtype (the tensor layer promotes first).
 */
public interface ElementwiseKernels {

    /** Writes {@code value} (converted to {@code dtype}) into every element of the view. */
    void fill(Memory dst, Layout layout, DType dtype, double value);

    /** Copies a view into another of the same shape, converting the dtype as {@code to(dtype)} does. */
    void copy(Memory src, Layout srcLayout, DType srcType, Memory dst, Layout dstLayout, DType dstType);

    /** {@code out = op(in; p0, p1)}, both of dtype {@code dtype}. */
    void unary(UnaryOp op, double p0, double p1, Memory in, Layout inLayout, Memory out, Layout outLayout,
               DType dtype);

    /** {@code out = op(a, b)}; {@code a} and {@code b} are of {@code dtype}, {@code out} of {@code outType}. */
    void binary(BinaryOp op, Memory a, Layout aLayout, Memory b, Layout bLayout, DType dtype,
                Memory out, Layout outLayout, DType outType);

    /** {@code out = cond ? a : b}; cond is BOOL, a, b and out are of {@code dtype}. */
    void where(Memory cond, Layout condLayout, Memory a, Layout aLayout, Memory b, Layout bLayout, DType dtype,
               Memory out, Layout outLayout);
}
