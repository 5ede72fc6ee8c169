package io.nabla.optim;

import java.util.Objects;

/**
 * {@code torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, mode="min", factor=0.1, patience=10,
 * threshold=1e-4, threshold_mode="rel", cooldown=0, min_lr=0, eps=1e-8)} as PyTorch 1.13 steps it: each
 * {@link #step(double)} takes a metric (a validation loss or accuracy); after more than {@code patience} steps without
 * an improvement (below {@code best * (1 - threshold)} in {@code min}/{@code rel} mode, {@code best - threshold} in
 * {@code abs} mode; above in {@code max} mode; NaN never improves) each group's rate is multiplied by {@code factor},
 * not below {@code min_lr} and only by more than {@code eps}, and {@code cooldown} steps follow in which bad steps do
 * not count. Its state follows from the metrics it was given, so a resumed job replays them.
 */
public final class ReduceLROnPlateau {

    private final Optimizer optimizer;
    private final boolean max;
    private final double factor;
    private final int patience;
    private final double threshold;
    private final boolean relative;
    private final int cooldown;
    private final double minLr;
    private final double eps;
    private double best;
    private int badEpochs;
    private int cooldownCounter;

    public ReduceLROnPlateau(Optimizer optimizer, String mode, double factor, int patience, double threshold,
            String thresholdMode, int cooldown, double minLr, double eps) {
        this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
        if (!"min".equals(mode) && !"max".equals(mode)) {
            throw new IllegalArgumentException("mode: expected \"min\" or \"max\", got \"" + mode + "\"");
        }
        if (!(factor >= 0 && factor < 1)) {
            throw new IllegalArgumentException("factor: expected a number in [0, 1), got " + factor);
        }
        if (patience < 0) {
            throw new IllegalArgumentException("patience: expected an integer >= 0, got " + patience);
        }
        if (!(threshold >= 0) || Double.isInfinite(threshold)) {
            throw new IllegalArgumentException("threshold: expected a finite number >= 0, got " + threshold);
        }
        if (!"rel".equals(thresholdMode) && !"abs".equals(thresholdMode)) {
            throw new IllegalArgumentException("threshold_mode: expected \"rel\" or \"abs\", got \"" + thresholdMode
                    + "\"");
        }
        if (cooldown < 0) {
            throw new IllegalArgumentException("cooldown: expected an integer >= 0, got " + cooldown);
        }
        if (!(minLr >= 0) || Double.isInfinite(minLr)) {
            throw new IllegalArgumentException("min_lr: expected a finite number >= 0, got " + minLr);
        }
        if (!(eps >= 0) || Double.isInfinite(eps)) {
            throw new IllegalArgumentException("eps: expected a finite number >= 0, got " + eps);
        }
        this.max = mode.equals("max");
        this.factor = factor;
        this.patience = patience;
        this.threshold = threshold;
        this.relative = thresholdMode.equals("rel");
        this.cooldown = cooldown;
        this.minLr = minLr;
        this.eps = eps;
        this.best = max ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }

    /** One epoch's metric: PyTorch's {@code scheduler.step(metric)}. */
    public void step(double metric) {
        if (better(metric)) {
            best = metric;
            badEpochs = 0;
        } else {
            badEpochs++;
        }
        if (cooldownCounter > 0) {
            cooldownCounter--;
            badEpochs = 0;
        }
        if (badEpochs > patience) {
            for (int g = 0; g < optimizer.groupCount(); g++) { // every group on its own, as PyTorch's _reduce_lr
                double old = optimizer.lr(g);
                double lowered = Math.max(old * factor, minLr);
                if (old - lowered > eps) {
                    optimizer.setLr(g, lowered);
                }
            }
            cooldownCounter = cooldown;
            badEpochs = 0;
        }
    }

    private boolean better(double a) {
        if (relative) {
            return max ? a > best * (threshold + 1) : a < best * (1 - threshold);
        }
        return max ? a > best + threshold : a < best - threshold;
    }
}
