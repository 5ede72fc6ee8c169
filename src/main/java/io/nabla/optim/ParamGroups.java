package io.nabla.optim;

import io.nabla.backend.DType;
import io.nabla.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * An optimizer's parameter groups: which group each parameter is in, and per group the current learning rate, its
 * {@code initial_lr} (NaN before a scheduler), and its own weight decay, momentum (SGD's and RMSprop's
 * {@code momentum}, Adam's {@code betas[0]}), {@code betas[1]} and {@code eps}, each NaN where the group takes the
 * optimizer's option. Also the groups' part of the optimizer's state dict: {@code lr} (group 0's rate),
 * {@code param_groups.<g>.lr} for the others, {@code param_groups.<g>.momentum} for a group whose momentum is set.
 */
final class ParamGroups {

    private final int[] groupOf;
    private final double[] lrs;
    private final double[] initialLrs;
    private final double[] weightDecay;
    private double[] momentum;
    private final double[] beta2;
    private final double[] eps;

    private ParamGroups(int[] groupOf, double[] lrs, double[] weightDecay, double[] momentum, double[] beta2,
            double[] eps) {
        this.groupOf = groupOf;
        this.lrs = lrs;
        this.initialLrs = nan(lrs.length);
        this.weightDecay = weightDecay;
        this.momentum = momentum;
        this.beta2 = beta2;
        this.eps = eps;
    }

    /** One group of {@code params} parameters at rate {@code lr}, with the optimizer's options. */
    static ParamGroups single(int params, double lr) {
        ParamGroups out = new ParamGroups(new int[params], new double[1], nan(1), nan(1), nan(1), nan(1));
        out.setLr(0, lr);
        return out;
    }

    /**
     * Group 0 (the parameters no group names, at rate {@code lr} with the optimizer's options) and {@code groups}
     * as groups 1, 2, ..., each checked: its parameter indices below {@code params} and in no earlier group (PyTorch
     * refuses a parameter in two groups), its options non-negative ({@code betas[1]} below 1).
     */
    static ParamGroups of(int params, double lr, List<Optimizer.ParamGroup> groups) {
        int n = groups.size() + 1;
        int[] of = new int[params];
        double[] rates = new double[n];
        double[] decay = nan(n);
        double[] momenta = nan(n);
        double[] beta2 = nan(n);
        double[] eps = nan(n);
        rates[0] = lr;
        for (int g = 0; g < groups.size(); g++) {
            Optimizer.ParamGroup group = groups.get(g);
            rates[g + 1] = group.lr() == null ? lr : own("lr", g, group.lr(), false);
            decay[g + 1] = own("weight_decay", g, group.weightDecay(), false);
            momenta[g + 1] = own("momentum", g, group.momentum(), false);
            beta2[g + 1] = own("betas[1]", g, group.beta2(), true);
            eps[g + 1] = own("eps", g, group.eps(), false);
            for (int i : group.params()) {
                if (i < 0 || i >= params) {
                    throw new IllegalArgumentException("param_groups[" + g + "]: expected parameter indices below "
                            + params + ", got " + i);
                }
                if (of[i] != 0) {
                    throw new IllegalArgumentException("param_groups[" + g + "]: params[" + i + "] is in param_groups["
                            + (of[i] - 1) + "] already (some parameters appear in more than one parameter group)");
                }
                of[i] = g + 1;
            }
        }
        return new ParamGroups(of, rates, decay, momenta, beta2, eps);
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

    private static double[] nan(int n) {
        double[] out = new double[n];
        Arrays.fill(out, Double.NaN);
        return out;
    }

    int count() {
        return lrs.length;
    }

    int groupOf(int index) {
        return groupOf[index];
    }

    double lr(int group) {
        return lrs[group];
    }

    double[] lrs() {
        return lrs.clone();
    }

    void setLr(int group, double lr) {
        if (!(lr >= 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("lr: expected a non-negative number, got " + lr);
        }
        lrs[group] = lr;
    }

    double[] initialLrs() {
        return initialLrs.clone();
    }

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

    /** Whether no scheduler has set an {@code initial_lr} yet. */
    boolean unscheduled() {
        return Double.isNaN(initialLrs[0]);
    }

    /** Parameter {@code index}'s group's own weight decay, or {@code dflt}. */
    double weightDecay(int index, double dflt) {
        return or(weightDecay[groupOf[index]], dflt);
    }

    /** Group {@code group}'s own momentum, or {@code dflt}. */
    double momentum(int group, double dflt) {
        return or(momentum[group], dflt);
    }

    void setMomentum(int group, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException("momentum: expected a non-negative number, got " + value);
        }
        momentum[group] = value;
    }

    double beta2(int index, double dflt) {
        return or(beta2[groupOf[index]], dflt);
    }

    double eps(int index, double dflt) {
        return or(eps[groupOf[index]], dflt);
    }

    private static double or(double own, double dflt) {
        return Double.isNaN(own) ? dflt : own;
    }

    /** The groups' entries of the state dict, into {@code out}. */
    void writeState(Map<String, Tensor> out) {
        out.put("lr", Tensor.scalar(lrs[0], DType.FP64));
        for (int g = 1; g < lrs.length; g++) {
            out.put("param_groups." + g + ".lr", Tensor.scalar(lrs[g], DType.FP64));
        }
        for (int g = 0; g < lrs.length; g++) {
            if (!Double.isNaN(momentum[g])) {
                out.put("param_groups." + g + ".momentum", Tensor.scalar(momentum[g], DType.FP64));
            }
        }
    }

    /** Whether {@code key} is one of the groups' state dict keys (not a parameter's). */
    boolean ownsKey(String key) {
        if (key.equals("lr")) {
            return true;
        }
        String[] parts = key.split("\\.");
        return parts.length == 3 && parts[0].equals("param_groups") && parts[1].matches("\\d{1,9}")
                && Integer.parseInt(parts[1]) < lrs.length
                && (parts[2].equals("lr") && Integer.parseInt(parts[1]) > 0 || parts[2].equals("momentum"));
    }

    /**
     * The rates and momenta {@code state} holds for these groups ({rates, momenta}, NaN for a momentum not set), the
     * problems with them added to {@code errors}.
     */
    double[][] readState(Map<String, Tensor> state, List<String> errors) {
        double[] rates = new double[lrs.length];
        double[] momenta = nan(lrs.length);
        for (int g = 0; g < lrs.length; g++) {
            String key = g == 0 ? "lr" : "param_groups." + g + ".lr";
            Tensor t = state.get(key);
            if (t == null || t.numel() != 1) {
                errors.add(key + ": expected a one-element tensor, got " + t);
                continue;
            }
            rates[g] = t.item();
            if (!(rates[g] >= 0) || Double.isInfinite(rates[g])) {
                errors.add(key + ": expected a non-negative number, got " + rates[g]);
            }
            Tensor m = state.get("param_groups." + g + ".momentum");
            if (m != null) {
                double v = m.numel() == 1 ? m.item() : Double.NaN;
                if (!(v >= 0) || Double.isInfinite(v)) {
                    errors.add("param_groups." + g + ".momentum: expected a one-element tensor of a non-negative "
                            + "number, got " + m);
                }
                momenta[g] = v;
            }
        }
        return new double[][] {rates, momenta};
    }

    /** Applies what {@link #readState} read (checked). */
    void applyState(double[][] read) {
        System.arraycopy(read[0], 0, lrs, 0, lrs.length);
        momentum = read[1];
    }
}
