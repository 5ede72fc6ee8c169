package io.nabla.optim;

import io.nabla.nn.JsonValues;
import io.nabla.tensor.Tensor;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import static io.nabla.optim.SpecValues.bool;
import static io.nabla.optim.SpecValues.number;

/**
 * The {@code optimizer} object of a job request (API section 4): {@code type} {@code sgd} (lr, momentum, dampening,
 * weight_decay, nesterov), {@code adam} or {@code adamw} (lr, betas, eps, weight_decay, amsgrad), with PyTorch's
 * defaults for omitted fields: lr 1e-3 for all three (PyTorch 2.2 gave {@code SGD} that default, pytorch#114467;
 * 1.13 still required it); as extensions {@code rmsprop} (lr 0.01, alpha, eps, weight_decay, momentum, centered)
 * and {@code adagrad} (lr 0.01, lr_decay, weight_decay, initial_accumulator_value, eps), PyTorch's too. {@link #parse}
 * names the first bad field by its path.
 *
 * <p>Two extensions: {@code no_weight_decay} (parameters updated without weight decay) and {@code param_groups}, a
 * list of {@code {"params": [...], "lr": ..., "weight_decay": ...}} (PyTorch's parameter groups: the parameters each
 * names get its rate and weight decay, those named by none form group 0 with the optimizer's).
 */
public record OptimizerSpec(String type, Sgd.Options sgd, Adam.Options adam, Rmsprop.Options rmsprop,
        Adagrad.Options adagrad, List<String> noWeightDecay, List<Group> paramGroups) {

    /**
     * One of {@code param_groups}: parameter names, module names or patterns, and the group's options (null: the
     * optimizer's): {@code lr}, {@code weight_decay}; {@code momentum} (SGD, RMSprop) or {@code betas} (Adam, AdamW:
     * {@code momentum} holds {@code betas[0]}, {@code beta2} {@code betas[1]}); {@code eps} (all but SGD).
     */
    public record Group(List<String> params, Double lr, Double weightDecay, Double momentum, Double beta2,
            Double eps) {
        public Group {
            params = List.copyOf(params);
        }

        /** A group with its own rate and weight decay only. */
        public Group(List<String> params, Double lr, Double weightDecay) {
            this(params, lr, weightDecay, null, null, null);
        }

        /** The optimizer's group of these parameters (indices into its parameter list). */
        public Optimizer.ParamGroup of(java.util.Collection<Integer> indices) {
            return new Optimizer.ParamGroup(indices, lr, weightDecay, momentum, beta2, eps);
        }
    }

    private static final Set<String> SGD_FIELDS = Set.of("type", "lr", "momentum", "dampening", "weight_decay",
            "nesterov", "maximize", "no_weight_decay", "param_groups");
    private static final Set<String> ADAM_FIELDS = Set.of("type", "lr", "betas", "eps", "weight_decay", "amsgrad",
            "maximize", "no_weight_decay", "param_groups");
    private static final Set<String> RMSPROP_FIELDS = Set.of("type", "lr", "alpha", "eps", "weight_decay", "momentum",
            "centered", "maximize", "no_weight_decay", "param_groups");
    private static final Set<String> ADAGRAD_FIELDS = Set.of("type", "lr", "lr_decay", "weight_decay",
            "initial_accumulator_value", "eps", "maximize", "no_weight_decay", "param_groups");
    private static final List<String> TYPES = List.of("sgd", "adam", "adamw", "rmsprop", "adagrad");
    /** The options a parameter group of each optimizer type may set. */
    private static final java.util.Map<String, Set<String>> GROUP_FIELDS = java.util.Map.of(
            "sgd", Set.of("params", "lr", "weight_decay", "momentum"),
            "adam", Set.of("params", "lr", "weight_decay", "betas", "eps"),
            "adamw", Set.of("params", "lr", "weight_decay", "betas", "eps"),
            "rmsprop", Set.of("params", "lr", "weight_decay", "momentum", "eps"),
            "adagrad", Set.of("params", "lr", "weight_decay", "eps"));

    /** The most entries of {@code param_groups}. */
    public static final int MAX_PARAM_GROUPS = 64;

    /** PyTorch's default learning rate of SGD (since 2.2), Adam and AdamW. */
    public static final double DEFAULT_LR = 1e-3;

    /** The most entries of {@code no_weight_decay}. */
    public static final int MAX_NO_WEIGHT_DECAY = 1024;

    public OptimizerSpec {
        Objects.requireNonNull(type, "type");
        noWeightDecay = List.copyOf(noWeightDecay);
        paramGroups = List.copyOf(paramGroups);
    }

    /** Parses the object found at {@code path} (e.g. {@code optimizer}) of a request. */
    public static OptimizerSpec parse(JsonNode node, String path) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException(path + ": expected an object with a \"type\", got "
                    + (node == null ? "nothing" : node.toString()));
        }
        JsonNode t = node.get("type");
        String type = t != null && t.isString() ? t.stringValue() : null;
        if (type == null || !TYPES.contains(type)) { // List.of(...).contains(null) throws
            throw new IllegalArgumentException(path + ".type: expected one of " + TYPES + ", got "
                    + (t == null ? "nothing" : t.toString()));
        }
        Set<String> allowed = switch (type) {
            case "sgd" -> SGD_FIELDS;
            case "rmsprop" -> RMSPROP_FIELDS;
            case "adagrad" -> ADAGRAD_FIELDS;
            default -> ADAM_FIELDS;
        };
        for (String name : node.propertyNames()) {
            if (!allowed.contains(name)) {
                throw new IllegalArgumentException(path + "." + name + ": unknown field of a " + type
                        + " optimizer; expected one of " + allowed.stream().sorted().toList());
            }
        }
        try {
            if (type.equals("sgd")) {
                return new OptimizerSpec(type, new Sgd.Options(number(node, "lr", DEFAULT_LR),
                        number(node, "momentum", 0.0), number(node, "dampening", 0.0),
                        number(node, "weight_decay", 0.0), bool(node, "nesterov", false),
                        bool(node, "maximize", false)), null, null, null, names(node, "no_weight_decay"),
                        groups(node, type));
            }
            if (type.equals("rmsprop")) {
                Rmsprop.Options d = Rmsprop.Options.defaults();
                return new OptimizerSpec(type, null, null, new Rmsprop.Options(number(node, "lr", d.lr()),
                        number(node, "alpha", d.alpha()), number(node, "eps", d.eps()),
                        number(node, "weight_decay", d.weightDecay()), number(node, "momentum", d.momentum()),
                        bool(node, "centered", false), bool(node, "maximize", false)), null,
                        names(node, "no_weight_decay"),
                        groups(node, type));
            }
            if (type.equals("adagrad")) {
                Adagrad.Options d = Adagrad.Options.defaults();
                return new OptimizerSpec(type, null, null, null, new Adagrad.Options(number(node, "lr", d.lr()),
                        number(node, "lr_decay", d.lrDecay()), number(node, "weight_decay", d.weightDecay()),
                        number(node, "initial_accumulator_value", d.initialAccumulatorValue()),
                        number(node, "eps", d.eps()), bool(node, "maximize", false)), names(node, "no_weight_decay"),
                        groups(node, type));
            }
            Adam.Options d = type.equals("adamw") ? AdamW.defaults() : Adam.Options.defaults();
            double b1 = d.beta1();
            double b2 = d.beta2();
            JsonNode betas = node.get("betas");
            if (betas != null && !betas.isNull()) {
                if (!betas.isArray() || betas.size() != 2 || !betas.get(0).isNumber() || !betas.get(1).isNumber()) {
                    throw new IllegalArgumentException("betas: expected a list of 2 numbers, got " + betas);
                }
                b1 = JsonValues.toDouble(betas.get(0));
                b2 = JsonValues.toDouble(betas.get(1));
            }
            return new OptimizerSpec(type, null, new Adam.Options(number(node, "lr", d.lr()), b1, b2,
                    number(node, "eps", d.eps()), number(node, "weight_decay", d.weightDecay()),
                    bool(node, "amsgrad", false), bool(node, "maximize", false)), null, null,
                    names(node, "no_weight_decay"),
                    groups(node, type));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(path + "." + e.getMessage(), e);
        }
    }

    /**
     * {@code no_weight_decay} (an extension), or a group's {@code params}: parameters by the names, module prefixes or
     * {@code *} patterns of the model's state dict (checked against the model on admission).
     */
    private static List<String> names(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return List.of();
        }
        if (!v.isArray() || v.size() > MAX_NO_WEIGHT_DECAY) {
            throw new IllegalArgumentException(field + ": expected a list of at most " + MAX_NO_WEIGHT_DECAY
                    + " parameter names, module names or patterns such as \"*.bias\", got " + JsonValues.brief(v));
        }
        List<String> out = new java.util.ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            JsonNode e = v.get(i);
            if (!e.isString() || e.stringValue().isEmpty() || e.stringValue().length() > 1024) {
                throw new IllegalArgumentException(field + "[" + i + "]: expected a parameter name, module name "
                        + "or pattern such as \"*.bias\", got " + JsonValues.brief(e));
            }
            out.add(e.stringValue());
        }
        return out;
    }

    /**
     * {@code param_groups} (an extension): at most {@link #MAX_PARAM_GROUPS} objects, each with a non-empty
     * {@code params} list and optionally its own {@code lr} (positive) and {@code weight_decay} (non-negative).
     */
    private static List<Group> groups(JsonNode node, String type) {
        JsonNode v = node.get("param_groups");
        if (v == null || v.isNull()) {
            return List.of();
        }
        if (!v.isArray() || v.size() > MAX_PARAM_GROUPS) {
            throw new IllegalArgumentException("param_groups: expected a list of at most " + MAX_PARAM_GROUPS
                    + " objects such as {\"params\": [\"0\"], \"lr\": 0.0001}, got " + JsonValues.brief(v));
        }
        List<Group> out = new java.util.ArrayList<>();
        for (int g = 0; g < v.size(); g++) {
            JsonNode e = v.get(g);
            String at = "param_groups[" + g + "]";
            if (!e.isObject()) {
                throw new IllegalArgumentException(at + ": expected an object such as {\"params\": [\"0\"], "
                        + "\"lr\": 0.0001}, got " + JsonValues.brief(e));
            }
            Set<String> fields = GROUP_FIELDS.get(type);
            for (String name : e.propertyNames()) {
                if (!fields.contains(name)) {
                    throw new IllegalArgumentException(at + "." + name + ": unknown field of a parameter group of a "
                            + type + " optimizer; expected one of " + fields.stream().sorted().toList());
                }
            }
            try {
                JsonNode params = e.get("params");
                if (params == null || params.isNull() || params.isArray() && params.isEmpty()) {
                    throw new IllegalArgumentException("params: required; expected a non-empty list of parameter "
                            + "names, module names or patterns such as \"*.bias\", got "
                            + (params == null ? "nothing" : params.toString()));
                }
                Double lr = null;
                JsonNode l = e.get("lr");
                if (l != null && !l.isNull()) {
                    if (!l.isNumber() || !(JsonValues.toDouble(l) > 0) || Double.isInfinite(JsonValues.toDouble(l))) {
                        throw new IllegalArgumentException("lr: expected a positive finite number, got "
                                + JsonValues.brief(l));
                    }
                    lr = JsonValues.toDouble(l);
                }
                Double wd = null;
                JsonNode w = e.get("weight_decay");
                if (w != null && !w.isNull()) {
                    if (!w.isNumber() || !(JsonValues.toDouble(w) >= 0)
                            || Double.isInfinite(JsonValues.toDouble(w))) {
                        throw new IllegalArgumentException("weight_decay: expected a finite number >= 0, got "
                                + JsonValues.brief(w));
                    }
                    wd = JsonValues.toDouble(w);
                }
                Double momentum = e.hasNonNull("momentum") ? number(e, "momentum", 0.0) : null;
                Double beta2 = null;
                JsonNode betas = e.get("betas");
                if (betas != null && !betas.isNull()) {
                    if (!betas.isArray() || betas.size() != 2 || !betas.get(0).isNumber() || !betas.get(1).isNumber()) {
                        throw new IllegalArgumentException("betas: expected a list of 2 numbers, got "
                                + JsonValues.brief(betas));
                    }
                    momentum = JsonValues.toDouble(betas.get(0));
                    beta2 = JsonValues.toDouble(betas.get(1));
                    if (!(momentum >= 0 && momentum < 1) || !(beta2 >= 0 && beta2 < 1)) {
                        throw new IllegalArgumentException("betas: expected 2 numbers in [0, 1), got "
                                + JsonValues.brief(betas));
                    }
                }
                if (momentum != null && !(momentum >= 0 && Double.isFinite(momentum))) {
                    throw new IllegalArgumentException("momentum: expected a non-negative number, got " + momentum);
                }
                Double eps = e.hasNonNull("eps") ? number(e, "eps", 0.0) : null;
                if (eps != null && !(eps >= 0 && Double.isFinite(eps))) {
                    throw new IllegalArgumentException("eps: expected a non-negative number, got " + eps);
                }
                out.add(new Group(names(e, "params"), lr, wd, momentum, beta2, eps));
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException(at + "." + ex.getMessage(), ex);
            }
        }
        return out;
    }

    /** The learning rate the optimizer starts with. */
    public double lr() {
        return sgd != null ? sgd.lr() : adam != null ? adam.lr() : rmsprop != null ? rmsprop.lr() : adagrad.lr();
    }

    /** An optimizer of this kind over {@code params} (in one group: the caller resolves {@link #paramGroups}). */
    public Optimizer create(List<Tensor> params) {
        return switch (type) {
            case "sgd" -> new Sgd(params, sgd);
            case "adam" -> new Adam(params, adam);
            case "rmsprop" -> new Rmsprop(params, rmsprop);
            case "adagrad" -> new Adagrad(params, adagrad);
            default -> new AdamW(params, adam);
        };
    }
}
