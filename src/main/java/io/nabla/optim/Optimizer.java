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
 * Updates a list of parameters (one parameter group) from their gradients, as {@code torch.optim.Optimizer}.
 * {@link #step()} runs without recording gradients and writes the parameters in place through the backend's
 * fused {@link io.nabla.backend.OptimizerKernels}; per-parameter state is created on the first step in the
 * {@link TensorScope} that owns the parameter, so it lives and dies with the model. Parameters without a gradient
 * are skipped, as in PyTorch.
 *
 * <p>The state dict holds {@code lr} (a 0-dim float64) and, per parameter index i with state,
 * {@code state.i.<name>} with PyTorch's names ({@code momentum_buffer}; {@code step}, {@code exp_avg},
 * {@code exp_avg_sq}, {@code max_exp_avg_sq}).
 */
public abstract class Optimizer {

    private final List<Tensor> params;
    private double lr;
    private double initialLr = Double.NaN;

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
        setLr(lr);
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

    /** The weight decay of parameter {@code index}: {@code weightDecay}, or 0 for one left out. */
    protected final double weightDecay(int index, double weightDecay) {
        return noDecay.get(index) ? 0.0 : weightDecay;
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

    /** The current learning rate (changed by LR schedules). */
    public double lr() {
        return lr;
    }

    public void setLr(double lr) {
        if (!(lr >= 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("lr: expected a non-negative number, got " + lr);
        }
        this.lr = lr;
    }

    /**
     * PyTorch's {@code param_group["initial_lr"]}: the learning rate this optimizer had when the first
     * {@link LrScheduler} was made on it, which is the base rate of that scheduler and of every later one on it
     * (PyTorch sets it with {@code setdefault}); {@code NaN} before any scheduler.
     */
    public double initialLr() {
        return initialLr;
    }

    /** Sets {@link #initialLr()} to the current rate unless a scheduler already did; returns it. */
    double setDefaultInitialLr() {
        if (Double.isNaN(initialLr)) {
            initialLr = lr;
        }
        return initialLr;
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

    /** {@code lr} and every parameter's state (views of the live tensors). */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put("lr", Tensor.scalar(lr, DType.FP64));
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
        for (Map.Entry<String, Tensor> e : state.entrySet()) {
            String k = e.getKey();
            if (k.equals("lr")) {
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
        setLr(lrTensor.item());
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
