package io.nabla.optim;

/**
 * {@code CosineAnnealingLR(T_max, eta_min=0)}: the rate follows half a cosine from the base rate down to
 * {@code etaMin} over {@code tMax} epochs (and back up after, period {@code 2 * tMax}), by PyTorch 1.13's recursive
 * formula; the closed form is {@code eta_min + (base_lr - eta_min) * (1 + cos(pi * epoch / T_max)) / 2}.
 */
public final class CosineAnnealingLR extends LrScheduler {

    private final int tMax;
    private final double etaMin;

    public CosineAnnealingLR(Optimizer optimizer, int tMax, double etaMin) {
        super(optimizer);
        checkPositive("T_max", tMax);
        if (!Double.isFinite(etaMin) || etaMin < 0) {
            throw new IllegalArgumentException("eta_min: expected a non-negative number, got " + etaMin);
        }
        this.tMax = tMax;
        this.etaMin = etaMin;
        initialStep();
    }

    @Override
    protected double nextLr(double lr, double baseLr, int epoch) {
        if (epoch == 0) {
            return lr;
        }
        if (Math.floorMod(epoch - 1 - tMax, 2 * tMax) == 0) {
            return lr + (baseLr - etaMin) * (1 - Math.cos(Math.PI / tMax)) / 2;
        }
        return (1 + Math.cos(Math.PI * epoch / tMax)) / (1 + Math.cos(Math.PI * (epoch - 1) / tMax))
                * (lr - etaMin) + etaMin;
    }

    @Override
    protected double closedFormLr(double baseLr, int epoch) {
        return etaMin + (baseLr - etaMin) * (1 + Math.cos(Math.PI * epoch / tMax)) / 2;
    }
}
