package io.nabla.optim;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * {@code MultiStepLR(milestones, gamma=0.1)}: multiplies the rate by gamma at each milestone epoch, by PyTorch 1.13's
 * recursive formula. As PyTorch, the milestones are counted ({@code Counter(milestones)}): they need not be sorted,
 * and one listed k times multiplies the rate by {@code gamma ** k} when it comes; a milestone 0 applies at
 * construction. The closed form is {@code base_lr * gamma ** bisect_right(sorted(milestones), epoch)}. Negative
 * milestones, which PyTorch's recursion never reaches but its closed form counts, are refused.
 */
public final class MultiStepLR extends LrScheduler {

    private final int[] sorted;
    private final Map<Integer, Integer> counts = new HashMap<>();
    private final double gamma;

    public MultiStepLR(Optimizer optimizer, int[] milestones, double gamma) {
        super(optimizer);
        Objects.requireNonNull(milestones, "milestones");
        for (int i = 0; i < milestones.length; i++) {
            if (milestones[i] < 0) {
                throw new IllegalArgumentException("milestones[" + i + "]: expected a non-negative integer, got "
                        + milestones[i]);
            }
        }
        checkGamma(gamma);
        this.sorted = milestones.clone();
        Arrays.sort(sorted);
        for (int m : milestones) {
            counts.merge(m, 1, Integer::sum);
        }
        this.gamma = gamma;
        initialStep();
    }

    @Override
    protected double nextLr(double lr, double baseLr, int epoch) {
        Integer k = counts.get(epoch);
        return k == null ? lr : lr * Math.pow(gamma, k);
    }

    @Override
    protected double closedFormLr(double baseLr, int epoch) {
        return baseLr * Math.pow(gamma, bisectRight(sorted, epoch));
    }
}
