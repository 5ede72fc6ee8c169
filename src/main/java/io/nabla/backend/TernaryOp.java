package io.nabla.backend;

/**
 * Fused elementwise updates of three operands with a scalar {@code value}, as PyTorch's {@code addcmul}/{@code addcdiv}
 * compute them: left to right, rounding each step to the compute type ({@code float} for FP32, FP16 and BF16).
 */
public enum TernaryOp {
    /** out = a + value * b * c */
    ADDCMUL,
    /** out = a + value * b / c */
    ADDCDIV
}
