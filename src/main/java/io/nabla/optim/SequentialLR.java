package io.nabla.optim;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * {@code SequentialLR(schedulers, milestones)} as in PyTorch 1.13: the schedules run one after the other, the child
 * {@code i} taking over at epoch {@code milestones[i - 1]}.
 *
 * <p>The children are made first on the same optimizer (each does its initial step; the first one made sets the
 * optimizer's {@link Optimizer#initialLr()}, which is every child's base rate). The constructor then resets the rate to
 * that initial rate, takes one from every child's epoch ("undoing" its initial step) and performs the first child's
 * initial step again; its own epoch is 0. {@link #step()} advances its epoch and lets the child in charge of it
 * ({@code bisect_right(milestones, epoch)}) step: on its milestone epoch with PyTorch's deprecated {@code step(0)}
 * (epoch 0, the rate from the child's closed form and the base rate), else with a plain recursive step.
 *
 * <p>Checked as PyTorch does: every child belongs to {@code optimizer} and there is one milestone fewer than
 * children. Also checked, where PyTorch goes wrong later instead: the milestones increase and are positive (a child
 * whose milestone is never reached exactly is never started with {@code step(0)}), no child appears twice, and a
 * SequentialLR child comes first (PyTorch accepts one anywhere, but calls {@code step(0)} at a later child's milestone,
 * which its SequentialLR does not take). A SequentialLR first child is reproduced as PyTorch runs it: this
 * constructor's initial step of it steps its own first child a second time.
 *
 * <p>The state dict holds {@code last_epoch} and each child's under {@code _schedulers.<i>.} (PyTorch's name).
 */
public final class SequentialLR extends CompositeLrScheduler {

    private final int[] milestones;

    public SequentialLR(Optimizer optimizer, List<LrScheduler> schedulers, int[] milestones) {
        super(check(optimizer, schedulers, milestones), schedulers);
        this.milestones = milestones.clone();
        setLastEpoch(0);
        double[] initial = optimizer.initialLrs();
        for (int g = 0; g < initial.length; g++) {
            optimizer.setLr(g, initial[g]);
        }
        for (LrScheduler s : schedulers()) {
            s.setLastEpoch(s.lastEpoch() - 1);
        }
        schedulers().get(0).initialStep();
    }

    /** Checks the arguments before anything changes; returns the optimizer. */
    private static Optimizer check(Optimizer optimizer, List<LrScheduler> schedulers, int[] milestones) {
        Objects.requireNonNull(optimizer, "optimizer");
        Objects.requireNonNull(milestones, "milestones");
        checkChildren(schedulers, optimizer, "the SequentialLR's");
        for (int i = 0; i < schedulers.size(); i++) {
            LrScheduler s = schedulers.get(i);
            if (i > 0 && s instanceof SequentialLR) {
                throw new IllegalArgumentException("schedulers[" + i + "]: expected a scheduler other than "
                        + "SequentialLR after the first (PyTorch 1.13 starts it with step(0), which SequentialLR "
                        + "does not take)");
            }
            if (s instanceof ChainedScheduler) {
                throw new IllegalArgumentException("schedulers[" + i + "]: expected a scheduler other than "
                        + "ChainedScheduler (PyTorch 1.13's SequentialLR moves its children's last_epoch, which a "
                        + "ChainedScheduler has not)");
            }
        }
        if (milestones.length != schedulers.size() - 1) {
            throw new IllegalArgumentException("milestones: expected " + (schedulers.size() - 1) + " milestones for "
                    + schedulers.size() + " schedulers (one fewer), got " + milestones.length);
        }
        for (int i = 0; i < milestones.length; i++) {
            if (milestones[i] <= (i == 0 ? 0 : milestones[i - 1])) {
                throw new IllegalArgumentException("milestones[" + i + "]: expected increasing positive integers, got "
                        + Arrays.toString(milestones));
            }
        }
        return optimizer;
    }

    /** Steps the child in charge of {@code epoch} (PyTorch's {@code SequentialLR.step}), which sets every group's rate. */
    @Override
    void advance(int epoch) {
        int idx = bisectRight(milestones, epoch);
        LrScheduler s = schedulers().get(idx);
        if (idx > 0 && milestones[idx - 1] == epoch) {
            s.step(0);
        } else {
            s.step();
        }
    }

    /** Not called: {@link #advance} steps a child instead. */
    @Override
    protected double nextLr(double currentLr, double baseLr, int epoch) {
        throw new UnsupportedOperationException("SequentialLR steps its children");
    }

    /** PyTorch 1.13's {@code SequentialLR.step()} takes no epoch (the constructor keeps a SequentialLR child first). */
    @Override
    protected double closedFormLr(double baseLr, int epoch) {
        throw new UnsupportedOperationException("SequentialLR has no closed form: PyTorch 1.13's SequentialLR.step() "
                + "takes no epoch");
    }

}
