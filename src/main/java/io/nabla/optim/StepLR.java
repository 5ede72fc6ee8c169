package io.nabla.optim;

/**
 * {@code StepLR(step_size, gamma=0.1)}: multiplies the rate by gamma every {@code stepSize} epochs, by PyTorch 1.13's
 * recursive formula; the closed form is {@code base_lr * gamma ** (epoch // step_size)}.
 */
public final class StepLR extends LrScheduler {

    private final int stepSize;
    private final double gamma;

    public StepLR(Optimizer optimizer, int stepSize, double gamma) {
        super(optimizer);
        checkPositive("step_size", stepSize);
        checkGamma(gamma);
        this.stepSize = stepSize;
        this.gamma = gamma;
        initialStep();
    }

    @Override
    protected double nextLr(double lr, double baseLr, int epoch) {
        return epoch == 0 || epoch % stepSize != 0 ? lr : lr * gamma;
    }

    @Override
    protected double closedFormLr(double baseLr, int epoch) {
        return baseLr * Math.pow(gamma, Math.floorDiv(epoch, stepSize));
    }
}
