package io.nabla.optim;

import io.nabla.backend.DType;
import io.nabla.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Changes an optimizer's learning rate once per {@link #step()}, as {@code torch.optim.lr_scheduler} does in
 * PyTorch 1.13: construction performs the initial step (epoch 0), and each later step computes the new rate with
 * PyTorch's recursive formula from the current one, so the sequence of rates equals PyTorch's.
 */
public abstract class LrScheduler {

    private final Optimizer optimizer;
    private final double baseLr;
    private int lastEpoch = -1;

    protected LrScheduler(Optimizer optimizer) {
        this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
        this.baseLr = optimizer.lr();
    }

    /** Subclasses call this last in their constructor: PyTorch's {@code _initial_step()}. */
    protected final void initialStep() {
        step();
    }

    /** Advances one epoch (or iteration) and sets the optimizer's learning rate. */
    public final void step() {
        lastEpoch++;
        optimizer.setLr(nextLr(optimizer.lr(), lastEpoch));
    }

    /** The rate for {@code epoch} given the current rate (PyTorch's {@code get_lr}). */
    protected abstract double nextLr(double currentLr, int epoch);

    /** The learning rate the optimizer had when the schedule started ({@code base_lrs[0]}). */
    public double baseLr() {
        return baseLr;
    }

    public int lastEpoch() {
        return lastEpoch;
    }

    /** The optimizer's current learning rate ({@code get_last_lr()[0]}). */
    public double lastLr() {
        return optimizer.lr();
    }

    /** {@code last_epoch} as a 0-dim int64 (the learning rate itself is in the optimizer's state dict). */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put("last_epoch", Tensor.scalar(lastEpoch, DType.INT64));
        return out;
    }

    /** Restores {@code last_epoch}; load the optimizer's state dict too, which holds the current rate. */
    public void loadStateDict(Map<String, Tensor> state) {
        Tensor e = state.get("last_epoch");
        if (e == null || e.numel() != 1 || state.size() != 1) {
            throw new IllegalArgumentException("cannot load the scheduler state: expected exactly the key "
                    + "last_epoch (one element), got " + state.keySet());
        }
        lastEpoch = (int) e.item();
    }

    static void checkPositive(String name, int v) {
        if (v <= 0) {
            throw new IllegalArgumentException(name + ": expected a positive integer, got " + v);
        }
    }
}
