package io.nabla.optim;

import java.util.List;
import java.util.Objects;

/**
 * {@code ChainedScheduler(schedulers)} as in PyTorch 1.13: every {@link #step()} steps each child, in order, so their
 * recursive formulas compose (e.g. a {@link ConstantLR} warm-up on top of an {@link ExponentialLR} decay). Making it
 * changes no rate: the children did their initial steps when they were made.
 *
 * <p>Checked as PyTorch does: every child belongs to one optimizer. Also checked: no child appears twice, and none
 * is a {@link SequentialLR} or a ChainedScheduler (nesting PyTorch allows but nothing needs).
 */
public final class ChainedScheduler extends CompositeLrScheduler {

    public ChainedScheduler(List<LrScheduler> schedulers) {
        super(check(schedulers), schedulers);
    }

    private static Optimizer check(List<LrScheduler> schedulers) {
        java.util.Objects.requireNonNull(schedulers, "schedulers");
        Optimizer optimizer = schedulers.isEmpty() || schedulers.get(0) == null ? null : schedulers.get(0).optimizer();
        checkChildren(schedulers, optimizer, "the same");
        for (int i = 0; i < schedulers.size(); i++) {
            if (schedulers.get(i) instanceof CompositeLrScheduler) {
                throw new IllegalArgumentException("schedulers[" + i + "]: expected a scheduler other than "
                        + "SequentialLR or ChainedScheduler");
            }
        }
        return optimizer;
    }

    /** Steps every child in order (PyTorch's {@code ChainedScheduler.step}). */
    @Override
    void advance(int epoch) {
        for (LrScheduler s : schedulers()) {
            s.step();
        }
    }

    @Override
    void jump(int epoch) {
        throw new UnsupportedOperationException("ChainedScheduler.step() takes no epoch");
    }

    /** Not called: {@link #advance} steps the children instead. */
    @Override
    protected double nextLr(double currentLr, double baseLr, int epoch) {
        throw new UnsupportedOperationException("ChainedScheduler steps its children");
    }

    @Override
    protected double closedFormLr(double baseLr, int epoch) {
        throw new UnsupportedOperationException("ChainedScheduler has no closed form");
    }
}
