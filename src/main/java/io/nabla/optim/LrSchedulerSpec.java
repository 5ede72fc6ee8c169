package io.nabla.optim;

import io.nabla.backend.DType;
import io.nabla.nn.JsonValues;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;

/**
 * The {@code lr_scheduler} object of a job request (an extension of API section 4): one of PyTorch's
 * {@code torch.optim.lr_scheduler} classes by its class name, with its argument names and defaults, and
 * {@code interval} saying when it advances: {@code "epoch"} (the default; {@code scheduler.step()} after each pass
 * over the data, as PyTorch's tutorials call it) or {@code "step"} (after each optimizer step, as Hugging Face's
 * trainer does). {@code SequentialLR} takes its {@code schedulers} as a list of such objects (without
 * {@code interval}) and its {@code milestones}.
 *
 * <pre>{"type": "SequentialLR", "interval": "step", "milestones": [100],
 *  "schedulers": [{"type": "LinearLR", "start_factor": 0.01, "total_iters": 100},
 *                 {"type": "CosineAnnealingLR", "T_max": 900}]}</pre>
 *
 * <p>{@link #parse} names the first bad field by its path ({@code lr_scheduler.schedulers[1].T_max}); the values are
 * checked by constructing the schedule once over a one-element parameter, so they are held to exactly the checks
 * the scheduler classes make.
 *
 * @param perStep whether the schedule advances after every optimizer step rather than every epoch
 * @param root the schedule
 */
public record LrSchedulerSpec(boolean perStep, Node root) {

    /** The most entries of a {@code milestones} list, and the most children of a {@code SequentialLR}. */
    public static final int MAX_LIST = 1024;

    /** One scheduler: its class name, its arguments as sent (defaults applied on creation), its children. */
    public record Node(String type, JsonNode args, List<Node> children) {
        public Node {
            Objects.requireNonNull(type, "type");
            children = List.copyOf(children);
        }
    }

    private static final Map<String, Set<String>> FIELDS = new LinkedHashMap<>();

    static {
        FIELDS.put("StepLR", Set.of("step_size", "gamma"));
        FIELDS.put("MultiStepLR", Set.of("milestones", "gamma"));
        FIELDS.put("ExponentialLR", Set.of("gamma"));
        FIELDS.put("CosineAnnealingLR", Set.of("T_max", "eta_min"));
        FIELDS.put("LinearLR", Set.of("start_factor", "end_factor", "total_iters"));
        FIELDS.put("ConstantLR", Set.of("factor", "total_iters"));
        FIELDS.put("SequentialLR", Set.of("schedulers", "milestones"));
        FIELDS.put("ReduceLROnPlateau", Set.of("mode", "factor", "patience", "threshold", "threshold_mode",
                "cooldown", "min_lr", "eps", "monitor"));
    }

    /** PyTorch's scheduler stepped with a metric: only at the top, after each epoch's validation. */
    private static final String PLATEAU = "ReduceLROnPlateau";

    public LrSchedulerSpec {
        Objects.requireNonNull(root, "root");
    }

    /** Parses the object found at {@code path} (e.g. {@code lr_scheduler}) of a request. */
    public static LrSchedulerSpec parse(JsonNode node, String path) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException(path + ": expected an object with a \"type\", got "
                    + (node == null ? "nothing" : node.toString()));
        }
        JsonNode interval = node.get("interval");
        boolean perStep = false;
        if (interval != null && !interval.isNull()) {
            if (!interval.isString() || !Set.of("epoch", "step").contains(interval.stringValue())) {
                throw new IllegalArgumentException(path + ".interval: expected \"epoch\" or \"step\", got " + interval);
            }
            perStep = interval.stringValue().equals("step");
        }
        Node root = node(node, path, true);
        if (perStep && root.type().equals(PLATEAU)) {
            throw new IllegalArgumentException(path + ".interval: a ReduceLROnPlateau steps after each epoch's "
                    + "validation; expected \"epoch\", got \"step\"");
        }
        return new LrSchedulerSpec(perStep, root);
    }

    private static Node node(JsonNode node, String path, boolean top) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException(path + ": expected an object with a \"type\", got "
                    + (node == null ? "nothing" : node.toString()));
        }
        JsonNode t = node.get("type");
        String type = t != null && t.isString() ? t.stringValue() : null;
        if (type == null || !FIELDS.containsKey(type) || (!top && (type.equals("SequentialLR")
                || type.equals(PLATEAU)))) {
            List<String> allowed = new ArrayList<>(FIELDS.keySet());
            if (!top) {
                allowed.remove("SequentialLR");
                allowed.remove(PLATEAU);
            }
            throw new IllegalArgumentException(path + ".type: expected one of " + allowed
                    + (top ? "" : " (a SequentialLR holds no SequentialLR or ReduceLROnPlateau)") + ", got "
                    + (t == null ? "nothing" : t.toString()));
        }
        Set<String> allowed = new TreeSet<>(FIELDS.get(type));
        allowed.add("type");
        if (top) {
            allowed.add("interval");
        }
        for (String name : node.propertyNames()) {
            if (!allowed.contains(name)) {
                throw new IllegalArgumentException(path + "." + name + ": unknown field of a " + type + (top ? ""
                        : " inside a SequentialLR (its interval is the SequentialLR's)") + "; expected one of "
                        + allowed);
            }
        }
        List<Node> children = new ArrayList<>();
        if (type.equals("SequentialLR")) {
            JsonNode list = node.get("schedulers");
            if (list == null || !list.isArray() || list.isEmpty() || list.size() > MAX_LIST) {
                throw new IllegalArgumentException(path + ".schedulers: expected a list of 1 to " + MAX_LIST
                        + " scheduler objects, got " + (list == null ? "nothing" : JsonValues.brief(list)));
            }
            for (int i = 0; i < list.size(); i++) {
                children.add(node(list.get(i), path + ".schedulers[" + i + "]", false));
            }
            int[] milestones = ints(node, "milestones", null, path);
            if (milestones.length != children.size() - 1) {
                throw new IllegalArgumentException(path + ".milestones: expected " + (children.size() - 1)
                        + " milestones for " + children.size() + " schedulers (one fewer), got " + milestones.length);
            }
        }
        Node n = new Node(type, node, children);
        if (top || !type.equals("SequentialLR")) {
            check(n, path);
        }
        return n;
    }

    /** Constructs {@code n} once over a one-element parameter, so its values meet the scheduler's own checks. */
    private static void check(Node n, String path) {
        try (TensorScope scope = TensorScope.open()) {
            Tensor p = Tensor.scalar(0.0, DType.FP32);
            p.requiresGrad(true);
            Optimizer opt = new Sgd(List.of(p), new Sgd.Options(0.1, 0, 0, 0, false, false));
            if (n.type().equals(PLATEAU)) {
                plateau(n, opt);
                monitor(n.args());
            } else {
                create(n, opt, path);
            }
        } catch (IllegalArgumentException e) {
            String m = e.getMessage();
            throw new IllegalArgumentException(m.startsWith(path) ? m : path + "." + m, e);
        }
    }

    /** The schedule over {@code optimizer} (constructing it sets the optimizer's rate for epoch 0, as in PyTorch). */
    public LrScheduler create(Optimizer optimizer) {
        if (plateau()) {
            throw new IllegalStateException("a ReduceLROnPlateau is stepped with a metric: createPlateau");
        }
        return create(root, optimizer, null);
    }

    /** Whether this is a {@code ReduceLROnPlateau}, stepped with each epoch's validation metric. */
    public boolean plateau() {
        return root.type().equals(PLATEAU);
    }

    /** The {@code ReduceLROnPlateau} over {@code optimizer}. */
    public ReduceLROnPlateau createPlateau(Optimizer optimizer) {
        return plateau(root, optimizer);
    }

    /** What a {@code ReduceLROnPlateau} is stepped with: {@code "loss"} (the default) or {@code "accuracy"}. */
    public String monitor() {
        return plateau() ? monitor(root.args()) : null;
    }

    private static ReduceLROnPlateau plateau(Node n, Optimizer opt) {
        JsonNode a = n.args();
        return new ReduceLROnPlateau(opt, string(a, "mode", "min"), number(a, "factor", 0.1),
                integer(a, "patience", 10), number(a, "threshold", 1e-4), string(a, "threshold_mode", "rel"),
                integer(a, "cooldown", 0), number(a, "min_lr", 0.0), number(a, "eps", 1e-8));
    }

    private static String monitor(JsonNode a) {
        String m = string(a, "monitor", "loss");
        if (!m.equals("loss") && !m.equals("accuracy")) {
            throw new IllegalArgumentException("monitor: expected \"loss\" or \"accuracy\", got \"" + m + "\"");
        }
        return m;
    }

    private static String string(JsonNode node, String name, String defaultValue) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            return defaultValue;
        }
        if (!v.isString()) {
            throw new IllegalArgumentException(name + ": expected a string, got " + JsonValues.brief(v));
        }
        return v.stringValue();
    }

    private static LrScheduler create(Node n, Optimizer opt, String path) {
        JsonNode a = n.args();
        return switch (n.type()) {
            case "StepLR" -> new StepLR(opt, integer(a, "step_size", null), number(a, "gamma", 0.1));
            case "MultiStepLR" -> new MultiStepLR(opt, ints(a, "milestones", null, path),
                    number(a, "gamma", 0.1));
            case "ExponentialLR" -> new ExponentialLR(opt, number(a, "gamma", null));
            case "CosineAnnealingLR" -> new CosineAnnealingLR(opt, integer(a, "T_max", null),
                    number(a, "eta_min", 0.0));
            case "LinearLR" -> new LinearLR(opt, number(a, "start_factor", 1.0 / 3),
                    number(a, "end_factor", 1.0), integer(a, "total_iters", 5));
            case "ConstantLR" -> new ConstantLR(opt, number(a, "factor", 1.0 / 3),
                    integer(a, "total_iters", 5));
            case "SequentialLR" -> {
                List<LrScheduler> children = new ArrayList<>();
                for (int i = 0; i < n.children().size(); i++) {
                    children.add(create(n.children().get(i), opt, path == null ? null
                            : path + ".schedulers[" + i + "]"));
                }
                yield new SequentialLR(opt, children, ints(a, "milestones", null, path));
            }
            default -> throw new IllegalStateException("unknown scheduler " + n.type());
        };
    }

    private static double number(JsonNode node, String name, Double defaultValue) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            if (defaultValue == null) {
                throw new IllegalArgumentException(name + ": required; expected a number, got nothing");
            }
            return defaultValue;
        }
        if (!v.isNumber()) {
            throw new IllegalArgumentException(name + ": expected a number, got " + JsonValues.brief(v));
        }
        return JsonValues.toDouble(v);
    }

    private static int integer(JsonNode node, String name, Integer defaultValue) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            if (defaultValue == null) {
                throw new IllegalArgumentException(name + ": required; expected an integer, got nothing");
            }
            return defaultValue;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new IllegalArgumentException(name + ": expected a 32-bit integer, got " + JsonValues.brief(v));
        }
        return v.intValue();
    }

    /** A list of integers ({@code milestones}); {@code path} non-null names the field in full. */
    private static int[] ints(JsonNode node, String name, int[] defaultValue, String path) {
        JsonNode v = node.get(name);
        String field = path == null ? name : path + "." + name;
        if (v == null || v.isNull()) {
            if (defaultValue == null) {
                throw new IllegalArgumentException(field + ": required; expected a list of integers, got nothing");
            }
            return defaultValue;
        }
        if (!v.isArray() || v.size() > MAX_LIST) {
            throw new IllegalArgumentException(field + ": expected a list of at most " + MAX_LIST
                    + " integers, got " + JsonValues.brief(v));
        }
        int[] out = new int[v.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode e = v.get(i);
            if (!e.isIntegralNumber() || !e.canConvertToInt()) {
                throw new IllegalArgumentException(field + "[" + i + "]: expected a 32-bit integer, got " + JsonValues.brief(e));
            }
            out[i] = e.intValue();
        }
        return out;
    }
}
