package io.nabla.optim;

/**
 * {@code PolynomialLR(total_iters=5, power=1.0)} as in PyTorch 1.13: the rate decays as
 * {@code base_lr * (1 - min(total_iters, epoch) / total_iters) ** power}, to 0 at {@code total_iters}, computed by
 * PyTorch's recursive formula. Checked beyond PyTorch: {@code total_iters} is positive (its closed form divides by
 * it) and {@code power} a finite number {@code >= 0} (a negative one makes the rate infinite at the end).
 */
public final class PolynomialLR extends LrScheduler {

    private final int totalIters;
    private final double power;

    public PolynomialLR(Optimizer optimizer, int totalIters, double power) {
        super(optimizer);
        checkPositive("total_iters", totalIters);
        if (!(power >= 0) || Double.isInfinite(power)) {
            throw new IllegalArgumentException("power: expected a finite number >= 0, got " + power);
        }
        this.totalIters = totalIters;
        this.power = power;
        initialStep();
    }

    @Override
    protected double nextLr(double lr, double baseLr, int epoch) {
        if (epoch == 0 || epoch > totalIters) {
            return lr;
        }
        double factor = Math.pow((1.0 - (double) epoch / totalIters) / (1.0 - (double) (epoch - 1) / totalIters),
                power);
        return lr * factor;
    }

    @Override
    protected double closedFormLr(double baseLr, int epoch) {
        return baseLr * Math.pow(1.0 - (double) Math.min(totalIters, epoch) / totalIters, power);
    }
}
