package io.nabla.optim;

import io.nabla.backend.DType;
import io.nabla.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Changes an optimizer's learning rate once per {@link #step()}, as {@code torch.optim.lr_scheduler} does in
 * PyTorch 1.13: construction performs the initial step (epoch 0), and each later step computes the new rate with
 * PyTorch's recursive formula ({@code get_lr}) from the current one, so the sequence of rates equals PyTorch's.
 *
 * <p>Every parameter group of the optimizer follows the schedule from its own base rate ({@code base_lrs[g]}), the
 * group's {@link Optimizer#initialLrs() initial_lr}, which the first scheduler made on an optimizer sets to the group's
 * rate at that moment, as PyTorch's {@code group.setdefault("initial_lr", group["lr"])}: a later scheduler on the same
 * optimizer (the later children of a {@link SequentialLR} among them) has those base rates too, not the rates the
 * earlier one's initial step left.
 *
 * <p>{@link SequentialLR} starts a child at its milestone with PyTorch's deprecated {@code step(epoch)}, which sets
 * the epoch and the rate from the closed form ({@link #closedFormLr}, {@code _get_closed_form_lr}).
 */
public abstract class LrScheduler {

    private final Optimizer optimizer;
    private double[] baseLrs;
    private int lastEpoch = -1;

    protected LrScheduler(Optimizer optimizer) {
        this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
        this.baseLrs = optimizer.setDefaultInitialLrs();
    }

    /** Subclasses call this last in their constructor: PyTorch's {@code _initial_step()}. */
    protected final void initialStep() {
        step();
    }

    /** Advances one epoch (or iteration) and sets the optimizer's learning rates. */
    public final void step() {
        lastEpoch++;
        advance(lastEpoch);
    }

    /** Sets every group's rate for {@code epoch} by {@link #nextLr} (a {@link SequentialLR} steps a child instead). */
    void advance(int epoch) {
        for (int g = 0; g < baseLrs.length; g++) {
            optimizer.setLr(g, nextLr(optimizer.lr(g), baseLrs[g], epoch));
        }
    }

    /**
     * PyTorch's deprecated {@code step(epoch)}: sets the epoch to {@code epoch} and the rate to
     * {@link #closedFormLr}. {@link SequentialLR} calls it with 0 when a child's milestone comes.
     */
    final void step(int epoch) {
        lastEpoch = epoch;
        jump(epoch);
    }

    /**
     * Sets every group's rate for {@code epoch} from its closed form ({@link #step(int)}); a schedule whose rate
     * follows from the epoch alone, without a closed form in PyTorch ({@link OneCycleLR}, {@link CyclicLR}), computes
     * it as its {@code get_lr}, as PyTorch's {@code step(epoch)} then does.
     */
    void jump(int epoch) {
        for (int g = 0; g < baseLrs.length; g++) {
            optimizer.setLr(g, closedFormLr(baseLrs[g], epoch));
        }
    }

    /** A group's rate for {@code epoch} given its current rate and base rate (PyTorch's {@code get_lr}). */
    protected abstract double nextLr(double currentLr, double baseLr, int epoch);

    /**
     * A group's rate for {@code epoch} computed from its base rate alone (PyTorch's {@code _get_closed_form_lr}).
     */
    protected abstract double closedFormLr(double baseLr, int epoch);

    /** Group 0's {@link Optimizer#initialLr()} when this schedule was made ({@code base_lrs[0]}). */
    public double baseLr() {
        return baseLrs[0];
    }

    /** Replaces the base rates (CyclicLR's {@code self.base_lrs = base_lrs} after the base constructor). */
    void setBaseLrs(double[] rates) {
        this.baseLrs = rates.clone();
    }

    /** Every group's base rate ({@code base_lrs}), group 0 first. */
    public double[] baseLrs() {
        return baseLrs.clone();
    }

    public int lastEpoch() {
        return lastEpoch;
    }

    /** Sets {@code last_epoch} without changing the rate ({@link SequentialLR} undoes its children's initial steps). */
    void setLastEpoch(int epoch) {
        this.lastEpoch = epoch;
    }

    /** Group 0's current learning rate ({@code get_last_lr()[0]}). */
    public double lastLr() {
        return optimizer.lr();
    }

    /** Every group's current learning rate ({@code get_last_lr()}). */
    public double[] lastLrs() {
        return optimizer.lrs();
    }

    /** The optimizer this schedule changes the rate of. */
    public Optimizer optimizer() {
        return optimizer;
    }

    /** {@code last_epoch} as a 0-dim int64 (the learning rate itself is in the optimizer's state dict). */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put("last_epoch", Tensor.scalar(lastEpoch, DType.INT64));
        return out;
    }

    /**
     * Restores a state written by {@link #stateDict()}; everything is checked before anything changes. Load the
     * optimizer's state dict too, which holds the current rate.
     */
    public final void loadStateDict(Map<String, Tensor> state) {
        String error = stateError(state);
        if (error != null) {
            throw new IllegalArgumentException("cannot load the scheduler state: " + error);
        }
        applyState(state);
    }

    /** What is wrong with {@code state} for this schedule, or null if {@link #applyState} can take it. */
    String stateError(Map<String, Tensor> state) {
        Tensor e = state.get("last_epoch");
        if (e == null || e.numel() != 1 || state.size() != 1) {
            return "expected exactly the key last_epoch (one element), got " + state.keySet();
        }
        return null;
    }

    /** Restores a state that {@link #stateError} accepted. */
    void applyState(Map<String, Tensor> state) {
        lastEpoch = (int) state.get("last_epoch").item();
    }

    /** Python's {@code bisect.bisect_right}: the index after the last element {@code <= x} of sorted {@code a}. */
    static int bisectRight(int[] a, int x) {
        int lo = 0;
        int hi = a.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (x < a[mid]) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    static void checkPositive(String name, int v) {
        if (v <= 0) {
            throw new IllegalArgumentException(name + ": expected a positive integer, got " + v);
        }
    }

    /** A finite gamma {@code >= 0} (PyTorch checks none; a negative one would make the rate negative). */
    static void checkGamma(double gamma) {
        if (!(gamma >= 0) || Double.isInfinite(gamma)) {
            throw new IllegalArgumentException("gamma: expected a non-negative number, got " + gamma);
        }
    }
}
