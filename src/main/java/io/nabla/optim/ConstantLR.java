package io.nabla.optim;

/**
 * {@code ConstantLR(factor=1/3, total_iters=5)}: multiplies the rate by {@code factor} at construction and restores
 * it at epoch {@code totalIters} (by {@code lr * (1.0 / factor)}, as PyTorch 1.13's recursive formula, so a rate
 * that was e.g. a third comes back within rounding of the base rate, as in PyTorch). The closed form is
 * {@code base_lr * (factor + (epoch >= total_iters) * (1 - factor))}.
 *
 * <p>Factor 0 (a rate of 0 for the first {@code totalIters} epochs) is accepted, as in 1.13, but where PyTorch's step
 * to epoch {@code totalIters} fails ({@code ZeroDivisionError}: it multiplies by {@code 1.0 / factor}), the rate
 * here returns to the base rate, its closed form: a job is not failed halfway by a schedule it was admitted with.
 */
public final class ConstantLR extends LrScheduler {

    private final double factor;
    private final int totalIters;

    public ConstantLR(Optimizer optimizer, double factor, int totalIters) {
        super(optimizer);
        if (!(factor >= 0 && factor <= 1)) {
            throw new IllegalArgumentException("factor: expected a number in [0, 1], got " + factor);
        }
        checkPositive("total_iters", totalIters);
        this.factor = factor;
        this.totalIters = totalIters;
        initialStep();
    }

    @Override
    protected double nextLr(double lr, double baseLr, int epoch) {
        if (epoch == 0) {
            return lr * factor;
        }
        if (epoch != totalIters) {
            return lr;
        }
        if (factor == 0) {
            return closedFormLr(baseLr, epoch); // PyTorch divides by the factor here and fails; the schedule means the base
        }
        return lr * (1.0 / factor);
    }

    @Override
    protected double closedFormLr(double baseLr, int epoch) {
        return baseLr * (factor + (epoch >= totalIters ? 1 - factor : 0.0));
    }
}
