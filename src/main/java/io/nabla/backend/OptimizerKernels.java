package io.nabla.backend;

/**
 * Fused in-place optimizer updates and the reductions of gradient clipping. One call updates one parameter tensor
 * and its state in a single pass, without allocating. Every operand of a call has the parameter's shape and dtype
 * (a floating type). Hyper-parameters arrive as doubles; kernels for a float dtype round them to that dtype first,
 * as PyTorch does with Python scalars.
 */
public interface OptimizerKernels {

    /**
     * Hyper-parameters of one SGD step (PyTorch 1.13's {@code _single_tensor_sgd}).
     *
     * @param initBuffer true on the first step with momentum: the buffer is set to the gradient instead of updated
     */
    record SgdStep(double lr, double momentum, double dampening, double weightDecay, boolean nesterov,
                   boolean maximize, boolean initBuffer) {
    }

    /**
     * Hyper-parameters of one Adam or AdamW step (PyTorch 1.13's {@code _single_tensor_adam(w)}), with the
     * step-dependent scalars computed by the caller: {@code stepSize = lr / (1 - beta1^step)} and
     * {@code biasCorrection2Sqrt = sqrt(1 - beta2^step)}.
     *
     * @param decoupled true for AdamW: the weights are decayed by {@code 1 - lr * weightDecay} instead of adding
     *                  {@code weightDecay * param} to the gradient
     */
    record AdamStep(double lr, double beta1, double beta2, double eps, double weightDecay, boolean decoupled,
                    boolean amsgrad, boolean maximize, double stepSize, double biasCorrection2Sqrt) {
    }

    /**
     * {@code d = grad (+ weightDecay * param)}; with momentum, {@code buf = momentum * buf + (1 - dampening) * d}
     * (or {@code buf = d} on the first step) and {@code d = nesterov ? d + momentum * buf : buf};
     * then {@code param -= lr * d}. {@code buf} may be null when momentum is 0.
     */
    void sgd(SgdStep h, DType dtype, Memory param, Layout paramLayout, Memory grad, Layout gradLayout,
             Memory buf, Layout bufLayout);

    /**
     * {@code m = beta1 * m + (1 - beta1) * g}, {@code v = beta2 * v + (1 - beta2) * g * g}, with amsgrad
     * {@code vmax = max(vmax, v)}, then {@code param += -stepSize * m / (sqrt(v or vmax) / biasCorrection2Sqrt + eps)}.
     * {@code maxExpAvgSq} is null without amsgrad.
     */
    void adam(AdamStep h, DType dtype, Memory param, Layout paramLayout, Memory grad, Layout gradLayout,
              Memory expAvg, Layout expAvgLayout, Memory expAvgSq, Layout expAvgSqLayout,
              Memory maxExpAvgSq, Layout maxExpAvgSqLayout);

    /**
     * The sum of {@code |x|^p} over the tensor, accumulated in double; for {@code p = +inf} the largest
     * {@code |x|}, for {@code p = 0} the number of non-zero elements. Deterministic whatever the thread count.
     */
    double sumAbsPow(DType dtype, Memory data, Layout layout, double p);

    /** Multiplies every element by {@code factor} (rounded to the dtype) in place. */
    void scale(DType dtype, Memory data, Layout layout, double factor);
}
