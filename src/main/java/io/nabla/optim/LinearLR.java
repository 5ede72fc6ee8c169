package io.nabla.optim;

/**
 * {@code LinearLR(start_factor=1/3, end_factor=1.0, total_iters=5)}: scales the rate linearly from
 * {@code startFactor} to {@code endFactor} times the base rate over {@code totalIters} epochs (a warm-up when
 * starting below 1, a decay with {@code endFactor} below {@code startFactor}), by PyTorch 1.13's recursive formula;
 * the closed form is {@code base_lr * (start + (end - start) * min(total_iters, epoch) / total_iters)}. A start
 * factor of 0, which 1.13 accepts and then divides by zero on the first step, is refused (as PyTorch 2 does).
 */
public final class LinearLR extends LrScheduler {

    private final double startFactor;
    private final double endFactor;
    private final int totalIters;

    public LinearLR(Optimizer optimizer, double startFactor, double endFactor, int totalIters) {
        super(optimizer);
        if (!(startFactor > 0 && startFactor <= 1)) {
            throw new IllegalArgumentException("start_factor: expected a number in (0, 1], got " + startFactor);
        }
        if (!(endFactor >= 0 && endFactor <= 1)) {
            throw new IllegalArgumentException("end_factor: expected a number in [0, 1], got " + endFactor);
        }
        checkPositive("total_iters", totalIters);
        this.startFactor = startFactor;
        this.endFactor = endFactor;
        this.totalIters = totalIters;
        initialStep();
    }

    /** PyTorch's defaults: start_factor 1/3, end_factor 1, total_iters 5. */
    public LinearLR(Optimizer optimizer) {
        this(optimizer, 1.0 / 3, 1.0, 5);
    }

    @Override
    protected double nextLr(double lr, double baseLr, int epoch) {
        if (epoch == 0) {
            return lr * startFactor;
        }
        if (epoch > totalIters) {
            return lr;
        }
        return lr * (1. + (endFactor - startFactor)
                / (totalIters * startFactor + (epoch - 1) * (endFactor - startFactor)));
    }

    @Override
    protected double closedFormLr(double baseLr, int epoch) {
        return baseLr * (startFactor + (endFactor - startFactor) * Math.min(totalIters, epoch) / totalIters);
    }
}
