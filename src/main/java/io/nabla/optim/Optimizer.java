package io.nabla.optim;

import io.nabla.autograd.GradMode;
import io.nabla.backend.DType;
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
 * after the first, {@code param_groups.<g>.momentum} for a group whose momentum a schedule set, and, per parameter index i with state, {@code state.i.<name>} with PyTorch's names
 * ({@code momentum_buffer}; {@code step}, {@code exp_avg}, {@code exp_avg_sq}, {@code max_exp_avg_sq}).
 */
public abstract class Optimizer {

    private final List<Tensor> params;
    /** The group of each parameter. */
    private int[] groupOf;
    /** Each group's current rate, its {@code initial_lr} (NaN before a scheduler) and weight decay (NaN: the options'). */
    private double[] lrs = new double[1];
    private double[] initialLrs = {Double.NaN};
    private double[] groupWeightDecay = {Double.NaN};
    /** Each group's momentum (SGD's momentum, Adam's beta1) when a schedule cycles it; NaN: the options'. */
    private double[] groupMomentum = {Double.NaN};
    /** Each group's own Adam {@code betas[1]} and {@code eps}; NaN: the options'. */
    private double[] groupBeta2 = {Double.NaN};
    private double[] groupEps = {Double.NaN};

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
        this.groupOf = new int[params.size()];
        setLr(lr);
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
        if (lrs.length != 1 || !Double.isNaN(initialLrs[0])) {
            throw new IllegalStateException("parameter groups are set once, before any scheduler is made");
        }
        int[] of = new int[params.size()];
        double[] rates = new double[groups.size() + 1];
        double[] decay = new double[groups.size() + 1];
        double[] momenta = new double[groups.size() + 1];
        double[] beta2 = new double[groups.size() + 1];
        double[] eps = new double[groups.size() + 1];
        momenta[0] = beta2[0] = eps[0] = Double.NaN;
        rates[0] = lrs[0];
        decay[0] = Double.NaN;
        for (int g = 0; g < groups.size(); g++) {
            ParamGroup group = groups.get(g);
            Double rate = group.lr();
            if (rate != null && (!(rate >= 0) || rate.isInfinite())) {
                throw new IllegalArgumentException("param_groups[" + g + "].lr: expected a non-negative number, got "
                        + rate);
            }
            Double wd = group.weightDecay();
            if (wd != null && (!(wd >= 0) || wd.isInfinite())) {
                throw new IllegalArgumentException("param_groups[" + g + "].weight_decay: expected a non-negative "
                        + "number, got " + wd);
            }
            rates[g + 1] = rate == null ? lrs[0] : rate;
            decay[g + 1] = wd == null ? Double.NaN : wd;
            momenta[g + 1] = own("momentum", g, group.momentum(), false);
            beta2[g + 1] = own("betas[1]", g, group.beta2(), true);
            eps[g + 1] = own("eps", g, group.eps(), false);
            for (int i : group.params()) {
                if (i < 0 || i >= params.size()) {
                    throw new IllegalArgumentException("param_groups[" + g + "]: expected parameter indices below "
                            + params.size() + ", got " + i);
                }
                if (of[i] != 0) {
                    throw new IllegalArgumentException("param_groups[" + g + "]: params[" + i + "] is in param_groups["
                            + (of[i] - 1) + "] already (some parameters appear in more than one parameter group)");
                }
                of[i] = g + 1;
            }
        }
        double[] initial = new double[rates.length];
        Arrays.fill(initial, Double.NaN);
        this.groupOf = of;
        this.lrs = rates;
        this.initialLrs = initial;
        this.groupWeightDecay = decay;
        this.groupMomentum = momenta;
        this.groupBeta2 = beta2;
        this.groupEps = eps;
        return this;
    }

    /** A group's own value of an option (NaN: the optimizer's), checked: finite, >= 0, and below 1 for a beta. */
    private static double own(String name, int g, Double v, boolean belowOne) {
        if (v == null) {
            return Double.NaN;
        }
        if (!(v >= 0) || v.isInfinite() || belowOne && v >= 1) {
            throw new IllegalArgumentException("param_groups[" + g + "]." + name + ": expected a number in "
                    + (belowOne ? "[0, 1)" : "[0, inf)") + ", got " + v);
        }
        return v;
    }

    /** The number of parameter groups (1 unless {@link #withParamGroups} made more). */
    public int groupCount() {
        return lrs.length;
    }

    /** The group parameter {@code index} belongs to. */
    public int groupOf(int index) {
        return groupOf[index];
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
        if (noDecay.get(index)) {
            return 0.0;
        }
        double own = groupWeightDecay[groupOf[index]];
        return Double.isNaN(own) ? weightDecay : own;
    }

    /**
     * Group {@code group}'s momentum: SGD's {@code momentum}, Adam's and AdamW's {@code betas[0]}; the options' unless
     * a schedule that cycles momentum ({@link OneCycleLR}, {@link CyclicLR}) set it.
     */
    public double momentum(int group) {
        double own = groupMomentum[group];
        return Double.isNaN(own) ? defaultMomentum() : own;
    }

    /** Sets group {@code group}'s momentum (PyTorch's {@code group["momentum"]} or {@code group["betas"][0]}). */
    public void setMomentum(int group, double momentum) {
        if (!(momentum >= 0) || Double.isInfinite(momentum)) {
            throw new IllegalArgumentException("momentum: expected a non-negative number, got " + momentum);
        }
        groupMomentum[group] = momentum;
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
        double own = groupBeta2[groupOf[index]];
        return Double.isNaN(own) ? beta2 : own;
    }

    /** {@code eps} for parameter {@code index}: its group's own, or {@code eps} (the options'). */
    protected final double epsOf(int index, double eps) {
        double own = groupEps[groupOf[index]];
        return Double.isNaN(own) ? eps : own;
    }

    /** The momentum parameter {@code index} is updated with: its group's. */
    protected final double momentumOf(int index) {
        return momentum(groupOf[index]);
    }

    /** The learning rate parameter {@code index} is updated with: its group's. */
    protected final double lrOf(int index) {
        return lrs[groupOf[index]];
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
        return lrs[0];
    }

    /** The current learning rate of group {@code group}. */
    public double lr(int group) {
        return lrs[group];
    }

    /** Every group's current learning rate, group 0 first (PyTorch's {@code [g["lr"] for g in param_groups]}). */
    public double[] lrs() {
        return lrs.clone();
    }

    /** Sets every group's learning rate to {@code lr}. */
    public void setLr(double lr) {
        for (int g = 0; g < lrs.length; g++) {
            setLr(g, lr);
        }
    }

    /** Sets group {@code group}'s learning rate. */
    public void setLr(int group, double lr) {
        if (!(lr >= 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("lr: expected a non-negative number, got " + lr);
        }
        lrs[group] = lr;
    }

    /**
     * PyTorch's {@code param_groups[0]["initial_lr"]}: the learning rate group 0 had when the first
     * {@link LrScheduler} was made on this optimizer, which is the base rate of that scheduler and of every later one
     * on it (PyTorch sets it with {@code setdefault}); {@code NaN} before any scheduler.
     */
    public double initialLr() {
        return initialLrs[0];
    }

    /** Every group's {@code initial_lr}, group 0 first. */
    public double[] initialLrs() {
        return initialLrs.clone();
    }

    /** Sets group {@code group}'s {@code initial_lr} (OneCycleLR sets it to {@code max_lr / div_factor}). */
    void setInitialLr(int group, double lr) {
        initialLrs[group] = lr;
    }

    /** Sets each group's {@code initial_lr} to its current rate unless a scheduler already did; returns them. */
    double[] setDefaultInitialLrs() {
        for (int g = 0; g < lrs.length; g++) {
            if (Double.isNaN(initialLrs[g])) {
                initialLrs[g] = lrs[g];
            }
        }
        return initialLrs.clone();
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
        out.put("lr", Tensor.scalar(lrs[0], DType.FP64));
        for (int g = 1; g < lrs.length; g++) {
            out.put("param_groups." + g + ".lr", Tensor.scalar(lrs[g], DType.FP64));
        }
        for (int g = 0; g < lrs.length; g++) {
            if (!Double.isNaN(groupMomentum[g])) {
                out.put("param_groups." + g + ".momentum", Tensor.scalar(groupMomentum[g], DType.FP64));
            }
        }
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
        Tensor lrTensor = state.get("lr");
        if (lrTensor == null || lrTensor.numel() != 1) {
            errors.add("lr: expected a one-element tensor, got " + lrTensor);
        }
        double[] rates = new double[lrs.length];
        for (int g = 1; g < lrs.length; g++) {
            Tensor t = state.get("param_groups." + g + ".lr");
            if (t == null || t.numel() != 1) {
                errors.add("param_groups." + g + ".lr: expected a one-element tensor, got " + t);
            } else {
                rates[g] = t.item();
            }
        }
        double[] momenta = new double[lrs.length];
        Arrays.fill(momenta, Double.NaN);
        for (Map.Entry<String, Tensor> e : state.entrySet()) {
            String k = e.getKey();
            if (k.equals("lr") || k.matches("param_groups\\.[1-9]\\d{0,8}\\.lr")
                    && Integer.parseInt(k.split("\\.")[1]) < lrs.length) {
                continue;
            }
            if (k.matches("param_groups\\.\\d{1,9}\\.momentum") && Integer.parseInt(k.split("\\.")[1]) < lrs.length) {
                Tensor m = e.getValue();
                double v = m.numel() == 1 ? m.item() : Double.NaN;
                if (!(v >= 0) || Double.isInfinite(v)) {
                    errors.add(k + ": expected a one-element tensor of a non-negative number, got " + m);
                }
                momenta[Integer.parseInt(k.split("\\.")[1])] = v;
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
        if (lrTensor != null && lrTensor.numel() == 1) {
            rates[0] = lrTensor.item();
        }
        for (int g = 0; g < rates.length; g++) {
            if (!(rates[g] >= 0) || Double.isInfinite(rates[g])) {
                errors.add((g == 0 ? "lr" : "param_groups." + g + ".lr") + ": expected a non-negative number, got "
                        + rates[g]);
            }
        }
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException("cannot load the optimizer state: " + String.join("; ", errors));
        }
        for (int i = 0; i < params.size(); i++) {
            checkComplete(i, perParam.get(i));
        }
        groupMomentum = momenta;
        for (int g = 0; g < rates.length; g++) {
            setLr(g, rates[g]);
        }
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
