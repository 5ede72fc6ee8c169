package io.nabla.optim;

/** {@code StepLR(step_size, gamma=0.1)}: multiplies the rate by gamma every {@code stepSize} epochs. */
public final class StepLR extends LrScheduler {

    private final int stepSize;
    private final double gamma;

    public StepLR(Optimizer optimizer, int stepSize, double gamma) {
        super(optimizer);
        checkPositive("step_size", stepSize);
        if (!(gamma >= 0) || Double.isInfinite(gamma)) {
            throw new IllegalArgumentException("gamma: expected a non-negative number, got " + gamma);
        }
        this.stepSize = stepSize;
        this.gamma = gamma;
        initialStep();
    }

    @Override
    protected double nextLr(double lr, int epoch) {
        return epoch == 0 || epoch % stepSize != 0 ? lr : lr * gamma;
    }
}
