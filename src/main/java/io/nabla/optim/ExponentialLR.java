package io.nabla.optim;

/**
 * {@code ExponentialLR(gamma)}: multiplies the rate by gamma every epoch after the first, by PyTorch 1.13's recursive
 * formula ({@code lr * gamma}, so the rates are PyTorch's bit for bit); the closed form is
 * {@code base_lr * gamma ** epoch}. PyTorch checks no argument; gamma must be a finite number {@code >= 0} here
 * (above 1 the rate grows).
 */
public final class ExponentialLR extends LrScheduler {

    private final double gamma;

    public ExponentialLR(Optimizer optimizer, double gamma) {
        super(optimizer);
        checkGamma(gamma);
        this.gamma = gamma;
        initialStep();
    }

    @Override
    protected double nextLr(double lr, double baseLr, int epoch) {
        return epoch == 0 ? lr : lr * gamma;
    }

    @Override
    protected double closedFormLr(double baseLr, int epoch) {
        return baseLr * Math.pow(gamma, epoch);
    }
}
