package io.nabla.backend;

/**
 * Elementwise functions of one operand. {@code p0}/{@code p1} carry the parameters named in each comment.
 * The output has the input's dtype. Each op also has a gradient kernel
 * ({@link ElementwiseKernels#unaryBackward}), computed from the op's input or, where {@link #gradFromOutput()},
 * from its output, as PyTorch's backward formulas do; the formulas are in {@link ElementwiseMath#unaryGrad}.
 */
public enum UnaryOp {
    NEG, ABS, EXP, LOG, SQRT, RSQRT, SIN, COS, RECIPROCAL, SQUARE,
    TANH, SIGMOID, RELU,
    /** p0 = negative_slope */
    LEAKY_RELU,
    GELU,
    GELU_TANH,
    SILU,
    /** p0 = beta, p1 = threshold */
    SOFTPLUS,
    /** p0 = alpha */
    ELU,
    /** p0 = min, p1 = max; NaN = no bound */
    CLAMP,
    /** p0 = exponent */
    POW,
    SIGN,
    /** out = input * p0 + p1 */
    AFFINE;

    /** True for ops defined only on floating dtypes; the tensor layer computes them in FP32 for integer inputs. */
    public boolean needsFloat() {
        switch (this) {
            case EXP: case LOG: case SQRT: case RSQRT: case SIN: case COS: case RECIPROCAL:
            case TANH: case SIGMOID: case LEAKY_RELU: case GELU: case GELU_TANH: case SILU: case SOFTPLUS: case ELU:
                return true;
            default:
                return false;
        }
    }

    /** True when the gradient kernel reads the op's output rather than its input. */
    public boolean gradFromOutput() {
        switch (this) {
            case EXP: case SQRT: case RSQRT: case RECIPROCAL: case TANH: case SIGMOID: case RELU:
                return true;
            default:
                return false;
        }
    }

    /**
     * True when PyTorch converts the parameters to the tensor's scalar type before computing (leaky_relu's slope,
     * elu's alpha, softplus' beta and threshold, clamp's bounds); for FP32, FP16 and BF16 they are rounded to float.
     */
    public boolean roundsParams() {
        return this == LEAKY_RELU || this == SOFTPLUS || this == ELU || this == CLAMP;
    }
}
