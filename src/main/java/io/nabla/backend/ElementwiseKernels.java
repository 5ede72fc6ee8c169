package io.nabla.backend;

/**
 * Elementwise kernels. Every operand layout has the output's shape (broadcast inputs carry stride 0), and inputs of
 * a binary op share one dtype (the tensor layer promotes first). The output may be one of the inputs with the same
 * layout (in-place ops); it must not overlap an input in any other way.
 */
public interface ElementwiseKernels {

    /** Writes {@code value} (converted to {@code dtype}) into every element of the view. */
    void fill(Memory dst, Layout layout, DType dtype, double value);

    /** Copies a view into another of the same shape, converting the dtype as {@code to(dtype)} does. */
    void copy(Memory src, Layout srcLayout, DType srcType, Memory dst, Layout dstLayout, DType dstType);

    /** {@code out = op(in; p0, p1)}, both of dtype {@code dtype}. */
    void unary(UnaryOp op, double p0, double p1, Memory in, Layout inLayout, Memory out, Layout outLayout,
               DType dtype);

    /**
     * The gradient of {@link #unary}'s input: {@code out = grad * op'(...)} where {@code saved} is the op's output
     * when {@link UnaryOp#gradFromOutput()}, else its input. All operands are of {@code dtype} (a floating dtype).
     */
    void unaryBackward(UnaryOp op, double p0, double p1, Memory grad, Layout gradLayout, Memory saved,
                       Layout savedLayout, Memory out, Layout outLayout, DType dtype);

    /** {@code out = op(a, b)}; {@code a} and {@code b} are of {@code dtype}, {@code out} of {@code outType}. */
    void binary(BinaryOp op, Memory a, Layout aLayout, Memory b, Layout bLayout, DType dtype,
                Memory out, Layout outLayout, DType outType);

    /**
     * {@code out = op(a, b, c; value)} computed in {@code dtype} (the dtype of {@code a}, {@code b} and {@code c})
     * and stored as {@code outType}.
     */
    void ternary(TernaryOp op, double value, Memory a, Layout aLayout, Memory b, Layout bLayout, Memory c,
                 Layout cLayout, DType dtype, Memory out, Layout outLayout, DType outType);

    /** {@code out = cond ? a : b}; cond is BOOL, a, b and out are of {@code dtype}. */
    void where(Memory cond, Layout condLayout, Memory a, Layout aLayout, Memory b, Layout bLayout, DType dtype,
               Memory out, Layout outLayout);
}
