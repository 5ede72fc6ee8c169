package io.nabla.optim;

import io.nabla.autograd.GradMode;
import io.nabla.tensor.Shape;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Updates a list of parameters from their gradients, as {@code torch.optim.Optimizer}.
 * {@link #step()} runs without recording gradients and writes the parameters in place through the backend's
 * fused {@link io.nabla.backend.OptimizerKernels}; per-parameter state is created on the first step in the
 * {@link TensorScope} that owns the parameter, so it lives and dies with the model. Parameters without a gradient
 * are skipped, as in PyTorch.
 *
 * <p>Parameter groups: every parameter starts in group 0, which has the optimizer's options; {@link #withParamGroups}
 * moves some into further groups with their own learning rate and weight decay (PyTorch's
 * {@code param_groups[1:]}). Each group's rate moves on its own ({@link LrScheduler} schedules every group from its
 * own base rate), and {@link #lr()} is group 0's.
 *
 * <p>The state dict holds {@code lr} (group 0's rate, a 0-dim float64), {@code param_groups.<g>.lr} for the groups
 * after the first, {@code param_groups.<g>.momentum} for a group whose momentum a schedule set, and, per parameter
 * index i with state, {@code state.i.<name>} with PyTorch's names ({@code momentum_buffer}; {@code step}, {@code
 * exp_avg}, {@code exp_avg_sq}, {@code max_exp_avg_sq}).
 */
public abstract class Optimizer {

    private final List<Tensor> params;
    private ParamGroups groups;

    protected Optimizer(List<Tensor> params, double lr) {
        Objects.requireNonNull(params, "params");
        if (params.isEmpty()) {
            throw new IllegalArgumentException("optimizer got an empty parameter list");
        }
        Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int i = 0; i < params.size(); i++) {
            Tensor p = params.get(i);
            if (p == null || !p.dtype().isFloatingPoint() || !p.isLeaf()) {
                throw new IllegalArgumentException("params[" + i + "]: expected a floating point leaf tensor, got "
                        + p);
            }
            if (!seen.add(p)) {
                throw new IllegalArgumentException("params[" + i + "]: some parameters appear more than once");
            }
        }
        this.params = List.copyOf(params);
        this.groups = ParamGroups.single(params.size(), lr);
    }

    /**
     * A group of parameters (by index) with its own learning rate, weight decay, momentum (SGD's and RMSprop's
     * {@code momentum}, Adam's {@code betas[0]}), Adam's {@code betas[1]} and {@code eps}; null for any means the
     * optimizer's, as a PyTorch parameter group without that key takes the optimizer's default.
     */
    public record ParamGroup(java.util.Collection<Integer> params, Double lr, Double weightDecay, Double momentum,
            Double beta2, Double eps) {

        /** A group with its own rate and weight decay only. */
        public ParamGroup(java.util.Collection<Integer> params, Double lr, Double weightDecay) {
            this(params, lr, weightDecay, null, null, null);
        }
    }

    /**
     * Moves the parameters of each of {@code groups} into a group of their own, groups 1, 2, ... in order (the
     * parameters named by none stay in group 0, with the optimizer's options); PyTorch's
     * {@code Optimizer([{"params": rest}, {"params": g1, "lr": ...}, ...], lr=..., weight_decay=...)}. A parameter in
     * two groups is refused, as PyTorch refuses it. Call it before the first step and before any scheduler is made.
     * Returns this.
     */
    public Optimizer withParamGroups(List<ParamGroup> groups) {
        if (this.groups.count() != 1 || !this.groups.unscheduled()) {
            throw new IllegalStateException("parameter groups are set once, before any scheduler is made");
        }
        this.groups = ParamGroups.of(params.size(), this.groups.lr(0), groups);
        return this;
    }

    /** The number of parameter groups (1 unless {@link #withParamGroups} made more). */
    public int groupCount() {
        return groups.count();
    }

    /** The group parameter {@code index} belongs to. */
    public int groupOf(int index) {
        return groups.groupOf(index);
    }

    /** Performs one update of every parameter that has a gradient. */
    public final void step() {
        try (GradMode.Region ignored = GradMode.disable()) {
            for (int i = 0; i < params.size(); i++) {
                Tensor p = params.get(i);
                Tensor g = p.grad();
                if (g == null) {
                    continue;
                }
                if (!Arrays.equals(g.shape(), p.shape()) || g.dtype() != p.dtype()) {
                    throw new IllegalStateException("params[" + i + "]: gradient " + g + " does not match the "
                            + "parameter " + p);
                }
                update(i, p, g);
                p.bumpVersion();
            }
        }
    }

    /** Parameters (by index) updated without weight decay; empty for none. */
    private java.util.BitSet noDecay = new java.util.BitSet();

    /**
     * Leaves the parameters {@code indices} out of weight decay: what PyTorch does with a second parameter group of
     * the same options and {@code weight_decay=0} (the usual exclusion of biases and normalisation weights). A
     * learning-rate schedule moves both groups alike, as PyTorch's does when they start at the same rate. Returns
     * this.
     */
    public Optimizer withoutWeightDecay(java.util.Collection<Integer> indices) {
        java.util.BitSet b = new java.util.BitSet();
        for (int i : indices) {
            if (i < 0 || i >= params.size()) {
                throw new IllegalArgumentException("no weight decay for params[" + i + "]: expected an index below "
                        + params.size());
            }
            b.set(i);
        }
        noDecay = b;
        return this;
    }

    /**
     * The weight decay of parameter {@code index}: its group's, {@code weightDecay} (the options') for a group without
     * its own, or 0 for one left out by {@link #withoutWeightDecay}.
     */
    protected final double weightDecay(int index, double weightDecay) {
        return noDecay.get(index) ? 0.0 : groups.weightDecay(index, weightDecay);
    }

    /**
     * Group {@code group}'s momentum: SGD's {@code momentum}, Adam's and AdamW's {@code betas[0]}; the options' unless
     * a schedule that cycles momentum ({@link OneCycleLR}, {@link CyclicLR}) set it.
     */
    public double momentum(int group) {
        return groups.momentum(group, defaultMomentum());
    }

    /** Sets group {@code group}'s momentum (PyTorch's {@code group["momentum"]} or {@code group["betas"][0]}). */
    public void setMomentum(int group, double momentum) {
        groups.setMomentum(group, momentum);
    }

    /** The options' momentum ({@link #momentum(int)} of a group no schedule changed). */
    protected abstract double defaultMomentum();

    /** Whether this optimizer has a momentum a schedule may cycle (PyTorch: {@code momentum} or {@code betas}). */
    public boolean hasMomentum() {
        return true;
    }

    /** Whether the momentum is Adam's {@code betas[0]} rather than SGD's {@code momentum}. */
    public boolean momentumIsBeta1() {
        return false;
    }

    /** Adam's {@code betas[1]} for parameter {@code index}: its group's own, or {@code beta2} (the options'). */
    protected final double beta2Of(int index, double beta2) {
        return groups.beta2(index, beta2);
    }

    /** {@code eps} for parameter {@code index}: its group's own, or {@code eps} (the options'). */
    protected final double epsOf(int index, double eps) {
        return groups.eps(index, eps);
    }

    /** The momentum parameter {@code index} is updated with: its group's. */
    protected final double momentumOf(int index) {
        return momentum(groups.groupOf(index));
    }

    /** The learning rate parameter {@code index} is updated with: its group's. */
    protected final double lrOf(int index) {
        return groups.lr(groups.groupOf(index));
    }

    /** Updates parameter {@code index} in place from its gradient. */
    protected abstract void update(int index, Tensor param, Tensor grad);

    /** Sets every gradient to zero in place (PyTorch 1.13's default {@code zero_grad()}). */
    public void zeroGrad() {
        zeroGrad(false);
    }

    /**
     * With {@code setToNone}, drops the gradients instead of zeroing them (PyTorch 2's default): the next backward
     * writes fresh ones, with one kernel less per parameter. A dropped gradient's memory moves to the current
     * {@link io.nabla.tensor.TensorScope} (freed when it closes, so a reference taken before stays valid until then;
     * with no scope open only the GC frees it) instead of staying with the parameter's scope for the model's life.
     */
    public void zeroGrad(boolean setToNone) {
        for (Tensor p : params) {
            Tensor old = p.grad();
            if (old != null) {
                if (setToNone) {
                    p.setGrad(null);
                    io.nabla.tensor.TensorScope.moveTo(old, io.nabla.tensor.TensorScope.current());
                } else {
                    p.grad().fill(0.0);
                }
            }
        }
    }

    public List<Tensor> params() {
        return params;
    }

    /** The current learning rate of group 0 (changed by LR schedules). */
    public double lr() {
        return groups.lr(0);
    }

    /** The current learning rate of group {@code group}. */
    public double lr(int group) {
        return groups.lr(group);
    }

    /** Every group's current learning rate, group 0 first (PyTorch's {@code [g["lr"] for g in param_groups]}). */
    public double[] lrs() {
        return groups.lrs();
    }

    /** Sets every group's learning rate to {@code lr}. */
    public void setLr(double lr) {
        for (int g = 0; g < groups.count(); g++) {
            setLr(g, lr);
        }
    }

    /** Sets group {@code group}'s learning rate. */
    public void setLr(int group, double lr) {
        groups.setLr(group, lr);
    }

    /**
     * PyTorch's {@code param_groups[0]["initial_lr"]}: the learning rate group 0 had when the first
     * {@link LrScheduler} was made on this optimizer, which is the base rate of that scheduler and of every later one
     * on it (PyTorch sets it with {@code setdefault}); {@code NaN} before any scheduler.
     */
    public double initialLr() {
        return groups.initialLrs()[0];
    }

    /** Every group's {@code initial_lr}, group 0 first. */
    public double[] initialLrs() {
        return groups.initialLrs();
    }

    /** Sets group {@code group}'s {@code initial_lr} (OneCycleLR sets it to {@code max_lr / div_factor}). */
    void setInitialLr(int group, double lr) {
        groups.setInitialLr(group, lr);
    }

    /** Sets each group's {@code initial_lr} to its current rate unless a scheduler already did; returns them. */
    double[] setDefaultInitialLrs() {
        return groups.setDefaultInitialLrs();
    }

    /** A zero tensor shaped like {@code p}, owned by the scope that owns {@code p}. */
    protected static Tensor stateLike(Tensor p) {
        Tensor t = Tensor.zeros(p.dtype(), p.device(), p.shape());
        return TensorScope.moveTo(t, p.storage().owner());
    }

    // ---- state dict ------------------------------------------------------------------------------------------

    /** The per-parameter state of parameter {@code index}, by PyTorch's names; empty before its first step. */
    protected abstract Map<String, Tensor> paramState(int index);

    /** The state names a parameter may have, in order. */
    protected abstract List<String> stateNames();

    /** Replaces the state of parameter {@code index} (already checked against {@link #stateNames()}). */
    protected abstract void loadParamState(int index, Map<String, Tensor> state);

    /** {@code lr}, the other groups' rates and every parameter's state (views of the live tensors). */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        groups.writeState(out);
        for (int i = 0; i < params.size(); i++) {
            int index = i;
            paramState(i).forEach((k, v) -> out.put("state." + index + "." + k, v));
        }
        return out;
    }

    /**
     * Restores a state dict written by {@link #stateDict()} for the same parameters; every key and shape is checked
     * before anything changes, and errors name the offending keys.
     */
    public void loadStateDict(Map<String, Tensor> state) {
        List<Map<String, Tensor>> perParam = new ArrayList<>();
        for (int i = 0; i < params.size(); i++) {
            perParam.add(new LinkedHashMap<>());
        }
        List<String> errors = new ArrayList<>();
        double[][] groupState = groups.readState(state, errors);
        for (Map.Entry<String, Tensor> e : state.entrySet()) {
            String k = e.getKey();
            if (groups.ownsKey(k)) {
                continue;
            }
            String[] parts = k.split("\\.");
            int index = parts.length == 3 && parts[0].equals("state") && parts[1].matches("\\d{1,9}")
                    ? Integer.parseInt(parts[1]) : -1;
            if (index < 0 || index >= params.size() || !stateNames().contains(parts[2])) {
                errors.add("unexpected key " + k + " (expected state.<0.." + (params.size() - 1) + ">."
                        + stateNames() + ")");
                continue;
            }
            int[] expected = parts[2].equals("step") ? new int[0] : params.get(index).shape();
            if (!Arrays.equals(e.getValue().shape(), expected)) {
                errors.add("size mismatch for " + k + ": expected shape " + Shape.format(expected) + ", got "
                        + Shape.format(e.getValue().shape()));
                continue;
            }
            perParam.get(index).put(parts[2], e.getValue());
        }
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException("cannot load the optimizer state: " + String.join("; ", errors));
        }
        for (int i = 0; i < params.size(); i++) {
            checkComplete(i, perParam.get(i));
        }
        groups.applyState(groupState);
        try (GradMode.Region ignored = GradMode.disable()) {
            for (int i = 0; i < params.size(); i++) {
                loadParamState(i, perParam.get(i));
            }
        }
    }

    /** Checks that the state loaded for one parameter is usable (e.g. Adam needs its step with its moments). */
    protected void checkComplete(int index, Map<String, Tensor> state) {
    }

    /** A copy of {@code src} converted to {@code p}'s dtype, owned by {@code p}'s scope. */
    protected static Tensor copyLike(Tensor p, Tensor src) {
        Tensor t = stateLike(p);
        t.copyFrom(src);
        return t;
    }
}
