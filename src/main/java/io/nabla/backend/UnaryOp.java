package io.nabla.backend;

/**
 * Elementwise functions of one operand. {@code p0}/{@code p1} carry the parameters named in each comment.
 * The output has the input's dtype.
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
    AFFINE
}
