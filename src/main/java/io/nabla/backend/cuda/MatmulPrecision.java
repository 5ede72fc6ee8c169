package io.nabla.backend.cuda;

import org.bytedeco.cuda.global.cublas;

/**
 * How cuBLAS may compute FP32 matrix products: exactly in FP32 (the default, as PyTorch with TF32 off), or faster
 * on tensor cores with inputs rounded to TF32, BF16 or FP16 (accumulation stays FP32). Chosen with the system
 * property {@code nabla.cuda.matmul-precision} ({@code fp32}, {@code tf32}, {@code bf16}, {@code fp16}).
 */
public enum MatmulPrecision {
    FP32, TF32, BF16, FP16;

    /** The cuBLAS compute type for FP32 operands. */
    int computeType() {
        return switch (this) {
            case FP32 -> cublas.CUBLAS_COMPUTE_32F;
            case TF32 -> cublas.CUBLAS_COMPUTE_32F_FAST_TF32;
            case BF16 -> cublas.CUBLAS_COMPUTE_32F_FAST_16BF;
            case FP16 -> cublas.CUBLAS_COMPUTE_32F_FAST_16F;
        };
    }

    /** The setting of {@code nabla.cuda.matmul-precision}, FP32 when unset. */
    public static MatmulPrecision fromSystemProperty() {
        String v = System.getProperty("nabla.cuda.matmul-precision", "fp32");
        for (MatmulPrecision p : values()) {
            if (p.name().equalsIgnoreCase(v)) {
                return p;
            }
        }
        throw new IllegalArgumentException("nabla.cuda.matmul-precision must be fp32, tf32, bf16 or fp16, got '"
                + v + "'");
    }
}
