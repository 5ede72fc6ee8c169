package io.nabla.optim;

/**
 * {@code OneCycleLR(max_lr, total_steps, pct_start=0.3, anneal_strategy="cos", cycle_momentum=True,
 * base_momentum=0.85, max_momentum=0.95, div_factor=25, final_div_factor=1e4, three_phase=False)} as in PyTorch
 * 1.13 (Smith's 1cycle policy, fast.ai's {@code fit_one_cycle}): each group's rate rises from
 * {@code max_lr / div_factor} to {@code max_lr} over the first {@code pct_start} of {@code total_steps}, then anneals
 * to {@code initial_lr / final_div_factor} (with {@code three_phase}, back to the initial rate first); with
 * {@code cycle_momentum} the momentum (SGD's {@code momentum}, Adam's {@code betas[0]}) moves the opposite way
 * between {@code max_momentum} and {@code base_momentum}. Making it sets every group's {@code initial_lr} (so its
 * base rate) to {@code max_lr / div_factor}, whatever the optimizer's rate, as PyTorch's does; with
 * {@code cycle_momentum} an SGD without momentum gets one, as in PyTorch.
 *
 * <p>The per-group values ({@code max_lr}, {@code base_momentum}, {@code max_momentum}) take one number for every
 * group or one per group. Stepping past {@code total_steps} is an error, as in PyTorch; so is, here, a phase of zero
 * length (where PyTorch divides by zero). At {@code total_steps} itself (the scheduler's step after the last
 * optimizer step) PyTorch's linear anneal extrapolates past {@code min_lr}, below 0 for some arguments: that rate,
 * which no step takes, is 0 here rather than negative.
 */
public final class OneCycleLR extends LrScheduler {

    private final double[] maxLrs;
    private final double[] minLrs;
    private final int totalSteps;
    private final boolean cos;
    private final boolean cycleMomentum;
    private final double[] baseMomentum;
    private final double[] maxMomentum;
    /** Each phase's end step and its start and end values, by name: initial, max, min; base/max momentum. */
    private final double[] ends;
    private final String[][] phases;

    public OneCycleLR(Optimizer optimizer, double[] maxLr, int totalSteps, double pctStart, String annealStrategy,
            boolean cycleMomentum, double[] baseMomentum, double[] maxMomentum, double divFactor,
            double finalDivFactor, boolean threePhase) {
        super(prepare(optimizer, maxLr, totalSteps, pctStart, annealStrategy, cycleMomentum, baseMomentum,
                maxMomentum, divFactor, finalDivFactor, threePhase));
        int groups = optimizer.groupCount();
        this.maxLrs = perGroup("max_lr", maxLr, groups);
        this.minLrs = new double[groups];
        for (int g = 0; g < groups; g++) {
            minLrs[g] = baseLrs()[g] / finalDivFactor;
        }
        this.totalSteps = totalSteps;
        this.cos = annealStrategy.equals("cos");
        this.cycleMomentum = cycleMomentum;
        this.baseMomentum = perGroup("base_momentum", baseMomentum, groups);
        this.maxMomentum = perGroup("max_momentum", maxMomentum, groups);
        ends = ends(pctStart, totalSteps, threePhase);
        if (threePhase) {
            phases = new String[][] {{"initial", "max", "max", "base"}, {"max", "initial", "base", "max"},
                    {"initial", "min", "max", "max"}};
        } else {
            phases = new String[][] {{"initial", "max", "max", "base"}, {"max", "min", "base", "max"}};
        }
        int empty = emptyPhase(ends);
        if (empty >= 0) {
            throw new IllegalArgumentException("pct_start: " + pctStart + " of total_steps " + totalSteps
                    + " makes phase " + (empty + 1) + " of " + ends.length + " zero steps long (PyTorch divides by "
                    + "zero there); expected a pct_start that gives every phase some length");
        }
        initialStep();
    }

    /** The phases' end steps, PyTorch's {@code end_step}s. */
    private static double[] ends(double pctStart, int totalSteps, boolean threePhase) {
        return threePhase ? new double[] {pctStart * totalSteps - 1, 2 * pctStart * totalSteps - 2, totalSteps - 1}
                : new double[] {pctStart * totalSteps - 1, totalSteps - 1};
    }

    /** The first phase of zero length, or -1. */
    private static int emptyPhase(double[] ends) {
        double start = 0;
        for (int i = 0; i < ends.length; i++) {
            if (ends[i] - start == 0) {
                return i;
            }
            start = ends[i];
        }
        return -1;
    }

    /** Whether {@code pctStart} of {@code totalSteps} gives every phase some length. */
    static boolean phasesHaveLength(double pctStart, int totalSteps, boolean threePhase) {
        return emptyPhase(ends(pctStart, totalSteps, threePhase)) < 0;
    }

    /** Checks the arguments and sets each group's initial_lr (and momentum) before the base constructor reads them. */
    private static Optimizer prepare(Optimizer optimizer, double[] maxLr, int totalSteps, double pctStart,
            String annealStrategy, boolean cycleMomentum, double[] baseMomentum, double[] maxMomentum,
            double divFactor, double finalDivFactor, boolean threePhase) {
        int groups = optimizer.groupCount();
        double[] max = perGroup("max_lr", maxLr, groups);
        checkPositive("total_steps", totalSteps);
        if (!(pctStart >= 0 && pctStart <= 1)) {
            throw new IllegalArgumentException("pct_start: expected a number from 0 to 1, got " + pctStart);
        }
        if (!"cos".equals(annealStrategy) && !"linear".equals(annealStrategy)) {
            throw new IllegalArgumentException("anneal_strategy: expected \"cos\" or \"linear\", got \""
                    + annealStrategy + "\"");
        }
        if (!(divFactor > 0) || Double.isInfinite(divFactor)) {
            throw new IllegalArgumentException("div_factor: expected a positive number, got " + divFactor);
        }
        if (!(finalDivFactor > 0) || Double.isInfinite(finalDivFactor)) {
            throw new IllegalArgumentException("final_div_factor: expected a positive number, got " + finalDivFactor);
        }
        for (double m : max) {
            if (!(m >= 0) || Double.isInfinite(m)) {
                throw new IllegalArgumentException("max_lr: expected non-negative numbers, got " + m);
            }
        }
        double[] top = perGroup("max_momentum", maxMomentum, groups);
        double[] low = perGroup("base_momentum", baseMomentum, groups);
        if (cycleMomentum) {
            if (!optimizer.hasMomentum()) {
                throw new IllegalArgumentException("cycle_momentum: the optimizer has no momentum or betas to cycle "
                        + "(PyTorch refuses it too); expected false, got true");
            }
            checkMomenta(top, low);
        }
        for (int g = 0; g < groups; g++) {
            optimizer.setInitialLr(g, max[g] / divFactor);
            if (cycleMomentum) {
                optimizer.setMomentum(g, top[g]);
            }
        }
        return optimizer;
    }

    /** Momenta in [0, 1) (PyTorch checks none; 1 or more makes the momentum diverge). */
    static void checkMomenta(double[] top, double[] low) {
        for (int g = 0; g < top.length; g++) {
            if (!(top[g] >= 0 && top[g] < 1)) {
                throw new IllegalArgumentException("max_momentum: expected numbers in [0, 1), got " + top[g]);
            }
            if (!(low[g] >= 0 && low[g] < 1)) {
                throw new IllegalArgumentException("base_momentum: expected numbers in [0, 1), got " + low[g]);
            }
        }
    }

    /** One value per group: {@code v} as given when it has one per group, its only value repeated when it has one. */
    static double[] perGroup(String name, double[] v, int groups) {
        if (v.length == groups) {
            return v.clone();
        }
        if (v.length != 1) {
            throw new IllegalArgumentException(name + ": expected one number, or one per parameter group (" + groups
                    + "), got " + v.length);
        }
        double[] out = new double[groups];
        java.util.Arrays.fill(out, v[0]);
        return out;
    }

    @Override
    void advance(int epoch) {
        if (epoch > totalSteps) {
            throw new IllegalStateException("Tried to step " + (epoch + 1) + " times. The specified number of total "
                    + "steps is " + totalSteps);
        }
        Optimizer opt = optimizer();
        double[] base = baseLrs();
        for (int g = 0; g < opt.groupCount(); g++) {
            double start = 0;
            for (int i = 0; i < ends.length; i++) {
                if (epoch <= ends[i] || i == ends.length - 1) {
                    double pct = (epoch - start) / (ends[i] - start);
                    String[] p = phases[i];
                    // past total_steps - 1 (the step after the last, whose rate no step takes) a linear anneal
                    // extrapolates below min_lr, and can go below 0, which no optimizer takes: 0 there
                    opt.setLr(g, Math.max(0.0, anneal(lr(p[0], g, base), lr(p[1], g, base), pct)));
                    if (cycleMomentum) {
                        opt.setMomentum(g, anneal(momentum(p[2], g), momentum(p[3], g), pct));
                    }
                    break;
                }
                start = ends[i];
            }
        }
    }

    /** PyTorch's {@code step(epoch)} has no closed form here: its {@code get_lr} at the epoch. */
    @Override
    void jump(int epoch) {
        advance(epoch);
    }

    private double lr(String which, int g, double[] base) {
        return switch (which) {
            case "initial" -> base[g];
            case "max" -> maxLrs[g];
            default -> minLrs[g];
        };
    }

    private double momentum(String which, int g) {
        return which.equals("max") ? maxMomentum[g] : baseMomentum[g];
    }

    private double anneal(double start, double end, double pct) {
        if (cos) {
            double cosOut = Math.cos(Math.PI * pct) + 1;
            return end + (start - end) / 2.0 * cosOut;
        }
        return (end - start) * pct + start;
    }

    /** Not called: {@link #advance} sets the rates. */
    @Override
    protected double nextLr(double currentLr, double baseLr, int epoch) {
        throw new UnsupportedOperationException("OneCycleLR computes every group's rate in advance()");
    }

    @Override
    protected double closedFormLr(double baseLr, int epoch) {
        throw new UnsupportedOperationException("OneCycleLR computes every group's rate in advance()");
    }
}
