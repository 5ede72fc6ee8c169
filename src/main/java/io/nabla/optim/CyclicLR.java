package io.nabla.optim;

/**
 * {@code CyclicLR(base_lr, max_lr, step_size_up=2000, step_size_down=None, mode="triangular", gamma=1.0,
 * cycle_momentum=True, base_momentum=0.8, max_momentum=0.9)} as in PyTorch 1.13 (Smith's cyclical learning rates):
 * each group's rate climbs from {@code base_lr} to {@code max_lr} over {@code step_size_up} steps and back over
 * {@code step_size_down} (default: the same), the height scaled per cycle by the mode: {@code triangular} (1),
 * {@code triangular2} (halved every cycle) or {@code exp_range} ({@code gamma ** step}); with
 * {@code cycle_momentum}, SGD's momentum moves the opposite way between {@code max_momentum} and
 * {@code base_momentum}. Making it sets every group's rate to {@code base_lr} (and momentum to
 * {@code base_momentum}); {@code base_lr} is its base rate whatever the groups' {@code initial_lr}, as in PyTorch.
 *
 * <p>The per-group values take one number for every group or one per group. PyTorch's {@code cycle_momentum}
 * needs an optimizer with {@code momentum} (SGD, RMSprop): with Adam or Adagrad it is refused, as PyTorch refuses it.
 * PyTorch's {@code scale_fn} and {@code scale_mode} take code and are not offered. Checked beyond PyTorch: the step
 * sizes are positive ({@code step_size_down} may be 0), the momenta in [0, 1).
 */
public final class CyclicLR extends LrScheduler {

    private final double[] maxLrs;
    private final double totalSize;
    private final double stepRatio;
    private final String mode;
    private final double gamma;
    private final boolean cycleMomentum;
    private final double[] baseMomenta;
    private final double[] maxMomenta;

    public CyclicLR(Optimizer optimizer, double[] baseLr, double[] maxLr, double stepSizeUp, Double stepSizeDown,
            String mode, double gamma, boolean cycleMomentum, double[] baseMomentum, double[] maxMomentum) {
        super(prepare(optimizer, baseLr, maxLr, stepSizeUp, stepSizeDown, mode, gamma, cycleMomentum, baseMomentum,
                maxMomentum));
        int groups = optimizer.groupCount();
        setBaseLrs(OneCycleLR.perGroup("base_lr", baseLr, groups));
        this.maxLrs = OneCycleLR.perGroup("max_lr", maxLr, groups);
        double down = stepSizeDown == null ? stepSizeUp : stepSizeDown;
        this.totalSize = stepSizeUp + down;
        this.stepRatio = stepSizeUp / totalSize;
        this.mode = mode;
        this.gamma = gamma;
        this.cycleMomentum = cycleMomentum;
        this.baseMomenta = new double[groups];
        for (int g = 0; g < groups; g++) {
            baseMomenta[g] = optimizer.momentum(g);
        }
        this.maxMomenta = OneCycleLR.perGroup("max_momentum", maxMomentum, groups);
        initialStep();
    }

    /** Checks the arguments and sets each group's rate and momentum before the base constructor reads them. */
    private static Optimizer prepare(Optimizer optimizer, double[] baseLr, double[] maxLr, double stepSizeUp,
            Double stepSizeDown, String mode, double gamma, boolean cycleMomentum, double[] baseMomentum,
            double[] maxMomentum) {
        int groups = optimizer.groupCount();
        double[] base = OneCycleLR.perGroup("base_lr", baseLr, groups);
        double[] max = OneCycleLR.perGroup("max_lr", maxLr, groups);
        for (int g = 0; g < groups; g++) {
            if (!(base[g] >= 0) || Double.isInfinite(base[g])) {
                throw new IllegalArgumentException("base_lr: expected non-negative numbers, got " + base[g]);
            }
            if (!(max[g] >= 0) || Double.isInfinite(max[g])) {
                throw new IllegalArgumentException("max_lr: expected non-negative numbers, got " + max[g]);
            }
        }
        if (!(stepSizeUp > 0) || Double.isInfinite(stepSizeUp)) {
            throw new IllegalArgumentException("step_size_up: expected a positive number, got " + stepSizeUp);
        }
        if (stepSizeDown != null && (!(stepSizeDown >= 0) || stepSizeDown.isInfinite())) {
            throw new IllegalArgumentException("step_size_down: expected a number >= 0, got " + stepSizeDown);
        }
        if (!"triangular".equals(mode) && !"triangular2".equals(mode) && !"exp_range".equals(mode)) {
            throw new IllegalArgumentException("mode: expected one of [triangular, triangular2, exp_range], got \""
                    + mode + "\"");
        }
        if (!(gamma > 0) || Double.isInfinite(gamma)) {
            throw new IllegalArgumentException("gamma: expected a positive number, got " + gamma);
        }
        double[] low = OneCycleLR.perGroup("base_momentum", baseMomentum, groups);
        double[] top = OneCycleLR.perGroup("max_momentum", maxMomentum, groups);
        if (cycleMomentum) {
            if (optimizer.momentumIsBeta1() || !optimizer.hasMomentum()) {
                throw new IllegalArgumentException("cycle_momentum: the optimizer has no momentum for CyclicLR to cycle "
                        + "(SGD and RMSprop have one; Adam's betas are not cycled by CyclicLR; PyTorch refuses it "
                        + "too); expected false, got true");
            }
            OneCycleLR.checkMomenta(top, low);
        }
        for (int g = 0; g < groups; g++) {
            optimizer.setLr(g, base[g]);
            if (cycleMomentum) {
                optimizer.setMomentum(g, low[g]);
            }
        }
        return optimizer;
    }

    @Override
    void advance(int epoch) {
        long cycle = (long) Math.floor(1 + epoch / totalSize);
        double x = 1. + epoch / totalSize - cycle;
        double scaleFactor = x <= stepRatio ? x / stepRatio : (x - 1) / (stepRatio - 1);
        double scale = switch (mode) {
            case "triangular" -> 1.;
            case "triangular2" -> 1 / Math.pow(2., cycle - 1);
            default -> Math.pow(gamma, epoch); // exp_range scales by the iteration
        };
        Optimizer opt = optimizer();
        double[] base = baseLrs();
        for (int g = 0; g < opt.groupCount(); g++) {
            double baseHeight = (maxLrs[g] - base[g]) * scaleFactor;
            opt.setLr(g, base[g] + baseHeight * scale);
        }
        if (cycleMomentum) {
            for (int g = 0; g < opt.groupCount(); g++) {
                double baseHeight = (maxMomenta[g] - baseMomenta[g]) * scaleFactor;
                opt.setMomentum(g, maxMomenta[g] - baseHeight * scale);
            }
        }
    }

    /** PyTorch's {@code step(epoch)} has no closed form here: its {@code get_lr} at the epoch. */
    @Override
    void jump(int epoch) {
        advance(epoch);
    }

    /** Not called: {@link #advance} sets the rates. */
    @Override
    protected double nextLr(double currentLr, double baseLr, int epoch) {
        throw new UnsupportedOperationException("CyclicLR computes every group's rate in advance()");
    }

    @Override
    protected double closedFormLr(double baseLr, int epoch) {
        throw new UnsupportedOperationException("CyclicLR computes every group's rate in advance()");
    }
}
