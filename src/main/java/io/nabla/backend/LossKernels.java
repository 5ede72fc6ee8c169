package io.nabla.backend;

/**
 * Fused loss kernels, forward and backward. Each loss is computed per element (pointwise losses) or per row (class
 * losses, with a numerically stable log-softmax fused in) in double and reduced in double, so a float32 loss is
 * rounded once. Callers (the tensor layer) have checked shapes and dtypes; kernels check only what depends on the
 * data (class targets in range). Results must not depend on the number of threads.
 *
 * <p>Class losses see the input as {@code (N, C, d1, ...)} with the classes in dimension 1 (an unbatched
 * {@code (C)} input is passed as {@code (1, C)}); a "row" is one position {@code (n, d1, ...)}, so the class
 * targets, the per-row losses and the upstream gradient all have the row shape {@code (N, d1, ...)}. Floating
 * operands share {@code dtype}; class-index targets are INT64. A gradient of a reduced loss is passed with the
 * full shape and stride 0 everywhere.
 */
public interface LossKernels {

    /** One strided operand: its memory and its layout. */
    record Operand(Memory memory, Layout layout) {
    }

    /**
     * How per-row class losses are combined. {@code MEAN} divides by the summed class weight of the rows that are
     * not ignored (class-index targets, PyTorch's weighted mean) or by the number of rows (probability targets).
     */
    enum Reduction { NONE, SUM, MEAN }

    /**
     * {@code loss(input, target)} element by element, times {@code weight} where given. All layouts have the same
     * (broadcast) shape; {@code weight} and {@code posWeight} (BCE only) may be null. With {@code reduce} the 0-dim
     * {@code out} receives {@code scale * sum}, else {@code out} (that shape) receives {@code scale * loss}.
     */
    void pointwise(PointwiseLoss loss, double beta, Operand input, Operand target, Operand weight, Operand posWeight,
                   DType dtype, boolean reduce, double scale, Operand out);

    /**
     * {@code gradInput = scale * gradOut * weight * dloss/dinput} and likewise {@code gradTarget}; either may be
     * null (not needed). All layouts have the broadcast shape.
     */
    void pointwiseBackward(PointwiseLoss loss, double beta, Operand gradOut, Operand input, Operand target,
                           Operand weight, Operand posWeight, DType dtype, double scale, Operand gradInput,
                           Operand gradTarget);

    /**
     * Negative log-likelihood of class-index targets: {@code input} holds logits ({@code logSoftmax}, cross
     * entropy) or log-probabilities (nll). Row loss {@code (1 - eps) w[y] (-logp[y]) + (eps / C) sum_c w[c]
     * (-logp[c])}, 0 for rows whose target is {@code ignoreIndex}; {@code weight} (C) may be null (all ones);
     * {@code labelSmoothing} (eps) must be 0 without {@code logSoftmax}. {@code out} has the row shape for
     * {@code NONE}, else it is 0-dim.
     *
     * @throws IllegalArgumentException naming the value and C when a target is neither in [0, C) nor ignored
     */
    void classIndex(boolean logSoftmax, Operand input, Operand target, Operand weight, DType dtype, long ignoreIndex,
                    double labelSmoothing, Reduction reduction, Operand out);

    /** The gradient of {@link #classIndex} with respect to {@code input}, written to {@code gradInput}. */
    void classIndexBackward(boolean logSoftmax, Operand gradOut, Operand input, Operand target, Operand weight,
                            DType dtype, long ignoreIndex, double labelSmoothing, Reduction reduction,
                            Operand gradInput);

    /**
     * Cross entropy of logits with class probabilities {@code target} (the input's shape): row loss
     * {@code -sum_c w[c] t'[c] logp[c]} with {@code t' = (1 - eps) t + eps / C}. {@code out} as in
     * {@link #classIndex}.
     */
    void classProbability(Operand input, Operand target, Operand weight, DType dtype, double labelSmoothing,
                          Reduction reduction, Operand out);

    /** The gradients of {@link #classProbability}; {@code gradInput} or {@code gradTarget} may be null. */
    void classProbabilityBackward(Operand gradOut, Operand input, Operand target, Operand weight, DType dtype,
                                  double labelSmoothing, Reduction reduction, Operand gradInput, Operand gradTarget);
}
