package io.nabla.backend;

/**
 * Softmax-family and normalisation kernels, forward and backward. Data operands share {@code dtype}; per-row or
 * per-channel statistics (mean and reciprocal standard deviation) are contiguous vectors of {@code statsType}
 * (FP64 for FP64 data, FP32 otherwise). An absent optional operand (weight, bias, running statistics, a gradient
 * that is not needed) is {@code null}.
 */
public interface NormKernels {

    /** A memory block with the layout of one operand. */
    record Operand(Memory memory, Layout layout) {
    }

    /** {@code out = softmax(in)} along {@code dim}, or {@code log_softmax} when {@code log}; one shape for both. */
    void softmax(boolean log, int dim, Operand in, Operand out, DType dtype);

    /**
     * Input gradient of softmax from its output {@code y}: {@code y * (g - sum(g * y))}; of log_softmax:
     * {@code g - exp(y) * sum(g)}, sums along {@code dim}.
     */
    void softmaxBackward(boolean log, int dim, Operand out, Operand gradOut, Operand gradIn, DType dtype);

    /**
     * Layer normalisation over the trailing {@code normalizedDims} dimensions of {@code in} (one row per position of
     * the leading dimensions): {@code out = (x - mean) * rstd * weight + bias} with the biased variance;
     * {@code weight}/{@code bias} have the normalised shape. Writes each row's mean and rstd = 1/sqrt(var + eps).
     */
    void layerNorm(Operand in, int normalizedDims, Operand weight, Operand bias, double eps, Operand out,
                   Memory mean, Memory rstd, DType dtype, DType statsType);

    /** Gradients of {@link #layerNorm} for input, weight and bias (each may be null when not needed). */
    void layerNormBackward(Operand in, int normalizedDims, Operand weight, Memory mean, Memory rstd, Operand gradOut,
                           Operand gradIn, Operand gradWeight, Operand gradBias, DType dtype, DType statsType);

    /**
     * Batch normalisation of {@code in} (N, C, *) per channel (dimension 1). In training, normalises with the batch
     * mean and biased variance, writes them to {@code saveMean}/{@code saveRstd} and, when given, updates the running
     * statistics in place: {@code running = (1 - momentum) * running + momentum * batch}, the variance unbiased. In
     * evaluation, normalises with the running statistics and writes those to {@code saveMean}/{@code saveRstd}.
     * Running statistics have {@code dtype}.
     */
    void batchNorm(Operand in, Operand weight, Operand bias, Operand runningMean, Operand runningVar,
                   boolean training, double momentum, double eps, Operand out, Memory saveMean, Memory saveRstd,
                   DType dtype, DType statsType);

    /** Gradients of {@link #batchNorm} from the statistics it saved (batch ones in training, running ones else). */
    void batchNormBackward(boolean training, Operand in, Operand weight, Memory saveMean, Memory saveRstd,
                           Operand gradOut, Operand gradIn, Operand gradWeight, Operand gradBias, DType dtype,
                           DType statsType);
}
