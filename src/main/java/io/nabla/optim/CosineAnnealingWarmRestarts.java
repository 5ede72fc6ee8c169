package io.nabla.optim;

import io.nabla.tensor.Tensor;
import java.util.Map;

/**
 * {@code CosineAnnealingWarmRestarts(T_0, T_mult=1, eta_min=0)} as in PyTorch 1.13 (SGDR): the rate follows half a
 * cosine from the base rate down to {@code eta_min} over {@code T_i} epochs, then restarts at the base rate with
 * {@code T_i} multiplied by {@code T_mult} ({@code T_0} first): {@code eta_min + (base_lr - eta_min) * (1 +
 * cos(pi * T_cur / T_i)) / 2}. Stepped with whole epochs (or steps) only; PyTorch's fractional {@code step(epoch)}
 * is not offered. Its position ({@code T_cur}, {@code T_i}) follows from {@code last_epoch}, so the state dict is
 * {@code last_epoch} alone. {@code T_mult} is at most 1024 here (PyTorch has no bound).
 */
public final class CosineAnnealingWarmRestarts extends LrScheduler {

    private final int t0;
    private final int tMult;
    private final double etaMin;
    private double tCur;
    private double tI;

    public CosineAnnealingWarmRestarts(Optimizer optimizer, int t0, int tMult, double etaMin) {
        super(optimizer);
        checkPositive("T_0", t0);
        if (tMult < 1 || tMult > 1024) {
            throw new IllegalArgumentException("T_mult: expected an integer from 1 to 1024, got " + tMult);
        }
        if (!Double.isFinite(etaMin) || etaMin < 0) {
            throw new IllegalArgumentException("eta_min: expected a non-negative number, got " + etaMin);
        }
        this.t0 = t0;
        this.tMult = tMult;
        this.etaMin = etaMin;
        initialStep();
    }

    /** PyTorch's {@code step()}: the first call starts at epoch 0, each later one moves {@code T_cur} on by one. */
    @Override
    void advance(int epoch) {
        if (epoch == 0) {
            position(0);
        } else {
            tick();
        }
        super.advance(epoch);
    }

    /** One epoch on: a restart when {@code T_cur} reaches {@code T_i}. */
    private void tick() {
        tCur++;
        if (tCur >= tI) {
            tCur -= tI;
            tI *= tMult;
        }
    }

    /** PyTorch's {@code step(epoch)}: the position computed from the epoch. */
    @Override
    void jump(int epoch) {
        position(epoch);
        super.jump(epoch);
    }

    private void position(int epoch) {
        if (epoch >= t0) {
            if (tMult == 1) {
                tCur = epoch % t0;
            } else {
                int n = (int) (Math.log((double) epoch / t0 * (tMult - 1) + 1) / Math.log(tMult));
                tCur = epoch - t0 * (Math.pow(tMult, n) - 1) / (tMult - 1);
                tI = t0 * Math.pow(tMult, n);
            }
        } else {
            tI = t0;
            tCur = epoch;
        }
    }

    @Override
    protected double nextLr(double lr, double baseLr, int epoch) {
        return etaMin + (baseLr - etaMin) * (1 + Math.cos(Math.PI * tCur / tI)) / 2;
    }

    @Override
    protected double closedFormLr(double baseLr, int epoch) {
        return nextLr(Double.NaN, baseLr, epoch);
    }

    /** Restores {@code last_epoch} and the position it implies (the epochs replayed from 0). */
    @Override
    void applyState(Map<String, Tensor> state) {
        super.applyState(state);
        position(0);
        for (int e = 1; e <= lastEpoch(); e++) {
            tick();
        }
    }
}
