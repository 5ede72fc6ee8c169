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
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import static io.nabla.optim.SpecValues.bool;
import static io.nabla.optim.SpecValues.integer;
import static io.nabla.optim.SpecValues.ints;
import static io.nabla.optim.SpecValues.number;
import static io.nabla.optim.SpecValues.numbers;
import static io.nabla.optim.SpecValues.string;

/**
 * The {@code lr_scheduler} object of a job request (an extension of API section 4): one of PyTorch's
 * {@code torch.optim.lr_scheduler} classes by its class name, with its argument names and defaults, and
 * {@code interval} saying when it advances: {@code "epoch"} (the default; {@code scheduler.step()} after each pass
 * over the data, as PyTorch's tutorials call it) or {@code "step"} (after each optimizer step, as Hugging Face's
 * trainer does). {@code SequentialLR} takes its {@code schedulers} as a list of such objects (without
 * {@code interval}) and its {@code milestones}; {@code ChainedScheduler} its {@code schedulers}.
 *
 * <p>{@code OneCycleLR}'s {@code total_steps} may be left out (with {@code epochs} and {@code steps_per_epoch}) when
 * it is the whole schedule: it is then the number of times the job steps it (its steps, or its epochs with
 * {@code interval} {@code "epoch"}), an extension. Where the job steps a {@code OneCycleLR} more often than its
 * {@code total_steps} (PyTorch raises there), admission refuses the job ({@link #checkSteps}).
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
        FIELDS.put("PolynomialLR", Set.of("total_iters", "power"));
        FIELDS.put("CosineAnnealingWarmRestarts", Set.of("T_0", "T_mult", "eta_min"));
        FIELDS.put("OneCycleLR", Set.of("max_lr", "total_steps", "epochs", "steps_per_epoch", "pct_start",
                "anneal_strategy", "cycle_momentum", "base_momentum", "max_momentum", "div_factor",
                "final_div_factor", "three_phase"));
        FIELDS.put("CyclicLR", Set.of("base_lr", "max_lr", "step_size_up", "step_size_down", "mode", "gamma",
                "cycle_momentum", "base_momentum", "max_momentum"));
        FIELDS.put("SequentialLR", Set.of("schedulers", "milestones"));
        FIELDS.put("ChainedScheduler", Set.of("schedulers"));
        FIELDS.put("ReduceLROnPlateau", Set.of("mode", "factor", "patience", "threshold", "threshold_mode",
                "cooldown", "min_lr", "eps", "monitor"));
    }

    /** PyTorch's scheduler stepped with a metric: only at the top, after each epoch's validation. */
    private static final String PLATEAU = "ReduceLROnPlateau";

    /** The schedules made of others: only at the top. */
    private static final Set<String> COMPOSITE = Set.of("SequentialLR", "ChainedScheduler");

    public LrSchedulerSpec {
        Objects.requireNonNull(root, "root");
    }

    /** Parses the object found at {@code path} (e.g. {@code lr_scheduler}) of a request, for an SGD of one group. */
    public static LrSchedulerSpec parse(JsonNode node, String path) {
        return parse(node, path, null);
    }

    /**
     * Parses the object found at {@code path} (e.g. {@code lr_scheduler}) of a request whose optimizer is
     * {@code optimizer} (null: an SGD of one group): its values are checked by making the schedule over that
     * optimizer, with its parameter groups.
     */
    public static LrSchedulerSpec parse(JsonNode node, String path, OptimizerSpec optimizer) {
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
        Node root = node(node, path, true, optimizer);
        if (perStep && root.type().equals(PLATEAU)) {
            throw new IllegalArgumentException(path + ".interval: a ReduceLROnPlateau steps after each epoch's "
                    + "validation; expected \"epoch\", got \"step\"");
        }
        return new LrSchedulerSpec(perStep, root);
    }

    private static Node node(JsonNode node, String path, boolean top, OptimizerSpec optimizer) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException(path + ": expected an object with a \"type\", got "
                    + (node == null ? "nothing" : node.toString()));
        }
        JsonNode t = node.get("type");
        String type = t != null && t.isString() ? t.stringValue() : null;
        if (type == null || !FIELDS.containsKey(type) || (!top && (COMPOSITE.contains(type)
                || type.equals(PLATEAU)))) {
            List<String> allowed = new ArrayList<>(FIELDS.keySet());
            if (!top) {
                allowed.removeAll(COMPOSITE);
                allowed.remove(PLATEAU);
            }
            throw new IllegalArgumentException(path + ".type: expected one of " + allowed
                    + (top ? "" : " (a SequentialLR or ChainedScheduler holds no SequentialLR, ChainedScheduler or "
                    + "ReduceLROnPlateau)") + ", got " + (t == null ? "nothing" : t.toString()));
        }
        Set<String> allowed = new TreeSet<>(FIELDS.get(type));
        allowed.add("type");
        if (top) {
            allowed.add("interval");
        }
        for (String name : node.propertyNames()) {
            if (!allowed.contains(name)) {
                throw new IllegalArgumentException(path + "." + name + ": unknown field of a " + type + (top ? ""
                        : " inside a " + "SequentialLR or ChainedScheduler (its interval is theirs)")
                        + "; expected one of "
                        + allowed);
            }
        }
        List<Node> children = new ArrayList<>();
        if (COMPOSITE.contains(type)) {
            JsonNode list = node.get("schedulers");
            if (list == null || !list.isArray() || list.isEmpty() || list.size() > MAX_LIST) {
                throw new IllegalArgumentException(path + ".schedulers: expected a list of 1 to " + MAX_LIST
                        + " scheduler objects, got " + (list == null ? "nothing" : JsonValues.brief(list)));
            }
            for (int i = 0; i < list.size(); i++) {
                children.add(node(list.get(i), path + ".schedulers[" + i + "]", false, optimizer));
            }
        }
        if (type.equals("SequentialLR")) {
            int[] milestones = ints(node, "milestones", null, path);
            if (milestones.length != children.size() - 1) {
                throw new IllegalArgumentException(path + ".milestones: expected " + (children.size() - 1)
                        + " milestones for " + children.size() + " schedulers (one fewer), got " + milestones.length);
            }
        }
        Node n = new Node(type, node, children);
        if (!top && type.equals("OneCycleLR") && Stream.of("total_steps", "epochs", "steps_per_epoch")
                .allMatch(f -> node.path(f).isMissingNode() || node.get(f).isNull())) {
            throw new IllegalArgumentException(path + ".total_steps: required inside a SequentialLR or "
                    + "ChainedScheduler (only a OneCycleLR that is the whole schedule takes the job's steps); expected "
                    + "a positive integer, got nothing");
        }
        check(n, path, optimizer);
        return n;
    }

    /**
     * Constructs {@code n} once over {@code optimizer}'s kind and groups (one-element parameters), so its values meet
     * the scheduler's own checks; a OneCycleLR without {@code total_steps} is checked with a stand-in of 1000.
     */
    private static void check(Node n, String path, OptimizerSpec optimizer) {
        try (TensorScope scope = TensorScope.open()) {
            Optimizer opt = probe(optimizer);
            if (n.type().equals(PLATEAU)) {
                plateau(n, opt);
                monitor(n.args());
            } else {
                create(n, opt, path, probeSteps(n));
            }
        } catch (IllegalArgumentException e) {
            String m = e.getMessage();
            throw new IllegalArgumentException(m.startsWith(path) ? m : path + "." + m, e);
        }
    }

    private static final int PROBE_STEPS = 1000;

    /**
     * The step count a OneCycleLR without {@code total_steps} is checked with before the job's is known: 1000, or
     * 1001 or 1002 where {@code pct_start} would leave a phase of 1000 steps empty (each count does for at most one
     * {@code pct_start}), so a request is refused only for what its own count will do, on admission.
     */
    private static int probeSteps(Node n) {
        if (!n.type().equals("OneCycleLR")) {
            return PROBE_STEPS;
        }
        JsonNode a = n.args();
        for (int steps = PROBE_STEPS; steps < PROBE_STEPS + 3; steps++) {
            if (OneCycleLR.phasesHaveLength(number(a, "pct_start", 0.3), steps, bool(a, "three_phase", false))) {
                return steps;
            }
        }
        return PROBE_STEPS;
    }

    /** An optimizer of {@code spec}'s kind and groups over one-element parameters (an SGD of one group for null). */
    private static Optimizer probe(OptimizerSpec spec) {
        int groups = spec == null ? 1 : spec.paramGroups().size() + 1;
        List<Tensor> params = new ArrayList<>();
        List<Optimizer.ParamGroup> extra = new ArrayList<>();
        for (int g = 0; g < groups; g++) {
            Tensor p = Tensor.scalar(0.0, DType.FP32);
            p.requiresGrad(true);
            params.add(p);
            if (g > 0) {
                extra.add(spec.paramGroups().get(g - 1).of(List.of(g)));
            }
        }
        Optimizer opt = spec == null ? new Sgd(params, new Sgd.Options(0.1, 0, 0, 0, false, false))
                : spec.create(params);
        return extra.isEmpty() ? opt : opt.withParamGroups(extra);
    }

    /** The schedule over {@code optimizer} (constructing it sets the optimizer's rate for epoch 0, as in PyTorch). */
    public LrScheduler create(Optimizer optimizer) {
        return create(optimizer, PROBE_STEPS);
    }

    /**
     * The schedule over {@code optimizer}, which the job will step {@code scheduledSteps} times (a OneCycleLR
     * without {@code total_steps} takes that many).
     */
    public LrScheduler create(Optimizer optimizer, int scheduledSteps) {
        if (plateau()) {
            throw new IllegalStateException("a ReduceLROnPlateau is stepped with a metric: createPlateau");
        }
        return create(root, optimizer, null, scheduledSteps);
    }

    /**
     * Checks that a job stepping this schedule {@code scheduledSteps} times never steps a {@code OneCycleLR} past its
     * {@code total_steps} (PyTorch raises there, which would fail the job on its way), and that the schedule can be
     * made with that count (a {@code OneCycleLR} whose phases it leaves empty cannot). The message names the field.
     */
    public void checkSteps(int scheduledSteps, String path, OptimizerSpec optimizer) {
        if (plateau()) {
            return;
        }
        try (TensorScope scope = TensorScope.open()) {
            create(root, probe(optimizer), path, scheduledSteps);
        } catch (IllegalArgumentException e) {
            String m = e.getMessage();
            throw new IllegalArgumentException(m.startsWith(path) ? m : path + "." + m, e);
        }
        // for each OneCycleLR: {its index among the children (-1 at the top), the most steps it takes}
        List<int[]> spans = new ArrayList<>();
        if (root.type().equals("OneCycleLR")) {
            spans.add(new int[] {-1, scheduledSteps});
        } else if (root.type().equals("ChainedScheduler")) {
            for (int i = 0; i < root.children().size(); i++) {
                spans.add(new int[] {i, scheduledSteps});
            }
        } else if (root.type().equals("SequentialLR")) {
            int[] milestones = ints(root.args(), "milestones", null, path);
            for (int i = 0; i < root.children().size(); i++) {
                int start = i == 0 ? 0 : milestones[i - 1];
                int end = i < milestones.length ? Math.min(milestones[i] - 1, scheduledSteps) : scheduledSteps;
                spans.add(new int[] {i, Math.max(0, end - start)});
            }
        }
        for (int[] span : spans) {
            Node n = span[0] < 0 ? root : root.children().get(span[0]);
            if (!n.type().equals("OneCycleLR")) {
                continue;
            }
            int total = oneCycleTotal(n.args(), scheduledSteps);
            if (span[1] > total) {
                String field = span[0] < 0 ? path : path + ".schedulers[" + span[0] + "]";
                throw new IllegalArgumentException(field + ".total_steps: the job steps this OneCycleLR " + span[1]
                        + " times (PyTorch raises past total_steps); expected at least " + span[1] + ", got " + total);
            }
        }
    }

    /** A OneCycleLR's {@code total_steps}: given, {@code epochs * steps_per_epoch}, or {@code scheduledSteps}. */
    private static int oneCycleTotal(JsonNode a, int scheduledSteps) {
        if (a.has("total_steps") && !a.get("total_steps").isNull()) {
            return integer(a, "total_steps", null);
        }
        if (a.has("epochs") && !a.get("epochs").isNull() || a.has("steps_per_epoch")
                && !a.get("steps_per_epoch").isNull()) {
            int epochs = integer(a, "epochs", null);
            int perEpoch = integer(a, "steps_per_epoch", null);
            if (epochs <= 0 || perEpoch <= 0 || (long) epochs * perEpoch > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("epochs: expected positive epochs and steps_per_epoch whose "
                        + "product is a 32-bit integer, got " + epochs + " and " + perEpoch);
            }
            return epochs * perEpoch;
        }
        return scheduledSteps;
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

    private static LrScheduler create(Node n, Optimizer opt, String path, int scheduledSteps) {
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
            case "PolynomialLR" -> new PolynomialLR(opt, integer(a, "total_iters", 5), number(a, "power", 1.0));
            case "CosineAnnealingWarmRestarts" -> new CosineAnnealingWarmRestarts(opt, integer(a, "T_0", null),
                    integer(a, "T_mult", 1), number(a, "eta_min", 0.0));
            case "OneCycleLR" -> new OneCycleLR(opt, numbers(a, "max_lr", null), oneCycleTotal(a, scheduledSteps),
                    number(a, "pct_start", 0.3), string(a, "anneal_strategy", "cos"),
                    bool(a, "cycle_momentum", true), numbers(a, "base_momentum", 0.85),
                    numbers(a, "max_momentum", 0.95), number(a, "div_factor", 25.0),
                    number(a, "final_div_factor", 1e4), bool(a, "three_phase", false));
            case "CyclicLR" -> new CyclicLR(opt, numbers(a, "base_lr", null), numbers(a, "max_lr", null),
                    number(a, "step_size_up", 2000.0), a.has("step_size_down") && !a.get("step_size_down").isNull()
                            ? number(a, "step_size_down", null) : null, string(a, "mode", "triangular"),
                    number(a, "gamma", 1.0), bool(a, "cycle_momentum", true), numbers(a, "base_momentum", 0.8),
                    numbers(a, "max_momentum", 0.9));
            case "SequentialLR", "ChainedScheduler" -> {
                List<LrScheduler> children = new ArrayList<>();
                for (int i = 0; i < n.children().size(); i++) {
                    children.add(create(n.children().get(i), opt, path == null ? null
                            : path + ".schedulers[" + i + "]", scheduledSteps));
                }
                yield n.type().equals("ChainedScheduler") ? new ChainedScheduler(children)
                        : new SequentialLR(opt, children, ints(a, "milestones", null, path));
            }
            default -> throw new IllegalStateException("unknown scheduler " + n.type());
        };
    }
}
