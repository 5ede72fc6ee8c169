package io.nabla.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The learning rate after construction and after each of 40 steps of every schedule, alone, two on one optimizer
 * and in SequentialLR, against PyTorch 1.13 (src/test/resources/optim/schedules.json, written by
 * gen_schedules.py). The recursive formulas and the closed forms SequentialLR starts its children with evaluate the
 * same double operations in the same order as PyTorch (and {@code Math.cos}, {@code Math.pow} give glibc's results
 * on these arguments), so every rate is compared for exact equality.
 */
class LrSchedulerGoldenTest {

    private static final JsonNode ROOT = load();

    private static JsonNode load() {
        try (InputStream in = LrSchedulerGoldenTest.class.getResourceAsStream("/optim/schedules.json")) {
            return JsonMapper.builder().build().readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Sgd sgd(double lr) {
        return new Sgd(List.of(Tensor.of(new float[1], 1).requiresGrad(true)), Sgd.Options.lr(lr));
    }

    private static int[] ints(JsonNode a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).intValue();
        }
        return out;
    }

    /** The scheduler described by {@code spec} (PyTorch's class and argument names, PyTorch's defaults). */
    static LrScheduler build(JsonNode spec, Optimizer opt) {
        String type = spec.get("type").stringValue();
        if (type.equals("SequentialLR")) {
            List<LrScheduler> children = new ArrayList<>();
            for (int i = 0; i < spec.get("children").size(); i++) {
                children.add(build(spec.get("children").get(i), opt));
            }
            return new SequentialLR(opt, children, ints(spec.get("milestones")));
        }
        if (type.equals("ChainedScheduler")) {
            List<LrScheduler> children = new ArrayList<>();
            for (int i = 0; i < spec.get("children").size(); i++) {
                children.add(build(spec.get("children").get(i), opt));
            }
            return new ChainedScheduler(children);
        }
        JsonNode a = spec.get("args");
        return switch (type) {
            case "StepLR" -> new StepLR(opt, a.get("step_size").intValue(), a.path("gamma").asDouble(0.1));
            case "MultiStepLR" -> new MultiStepLR(opt, ints(a.get("milestones")), a.path("gamma").asDouble(0.1));
            case "ExponentialLR" -> new ExponentialLR(opt, a.get("gamma").doubleValue());
            case "ConstantLR" -> new ConstantLR(opt, a.path("factor").asDouble(1.0 / 3),
                    a.path("total_iters").asInt(5));
            case "LinearLR" -> new LinearLR(opt, a.path("start_factor").asDouble(1.0 / 3),
                    a.path("end_factor").asDouble(1.0), a.path("total_iters").asInt(5));
            case "CosineAnnealingLR" -> new CosineAnnealingLR(opt, a.get("T_max").intValue(),
                    a.path("eta_min").asDouble(0));
            // the others through the job request's parser: its argument names and PyTorch's defaults
            default -> LrSchedulerSpec.parse(((tools.jackson.databind.node.ObjectNode) a.deepCopy()).put("type", type),
                    "lr_scheduler").create(opt);
        };
    }

    private static List<LrScheduler> buildAll(JsonNode specs, Optimizer opt) {
        List<LrScheduler> out = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++) {
            out.add(build(specs.get(i), opt));
        }
        return out;
    }

    @TestFactory
    Stream<DynamicTest> schedulesMatchPyTorchExactly() {
        double baseLr = ROOT.get("base_lr").doubleValue();
        int steps = ROOT.get("steps").intValue();
        return ROOT.get("cases").properties().stream().map(e -> DynamicTest.dynamicTest(e.getKey(), () -> {
            JsonNode c = e.getValue();
            try (TensorScope s = TensorScope.open()) {
                Sgd opt = sgd(baseLr);
                List<LrScheduler> scheds = buildAll(c.get("schedulers"), opt);
                if (!setsItsOwnBase(c)) {
                    assertThat(opt.initialLr()).isEqualTo(baseLr);
                }
                List<Double> lrs = new ArrayList<>();
                lrs.add(opt.lr());
                int errorAt = c.path("error_at").asInt(-1);
                for (int k = 1; k <= steps; k++) {
                    if (k == errorAt) {
                        // PyTorch divides by factor 0 here and fails; the rate returns to the base, the closed form
                        assertThat(c.get("error").stringValue()).isEqualTo("ZeroDivisionError");
                        scheds.forEach(LrScheduler::step);
                        assertThat(opt.lr()).isEqualTo(baseLr);
                        break;
                    }
                    scheds.forEach(LrScheduler::step);
                    lrs.add(opt.lr());
                }
                List<Double> expected = new ArrayList<>();
                // a OneCycleLR's linear extrapolation after its last step may go below 0, a rate no step takes: 0
                c.get("lrs").forEach(v -> expected.add(Math.max(0.0, v.doubleValue())));
                assertThat(lrs).as(e.getKey()).containsExactlyElementsOf(expected);
            }
        }));
    }

    /**
     * Every case again on an optimizer of three parameter groups with their own rates: each group follows the
     * schedule from its own base rate, PyTorch's {@code base_lrs[g]}, to the bit.
     */
    @TestFactory
    Stream<DynamicTest> everyParameterGroupFollowsTheScheduleFromItsOwnRate() {
        double[] rates = new double[ROOT.get("group_lrs").size()];
        for (int g = 0; g < rates.length; g++) {
            rates[g] = ROOT.get("group_lrs").get(g).doubleValue();
        }
        int steps = ROOT.get("steps").intValue();
        return ROOT.get("cases").properties().stream().map(e -> DynamicTest.dynamicTest(e.getKey(), () -> {
            JsonNode c = e.getValue();
            try (TensorScope s = TensorScope.open()) {
                List<Tensor> params = new ArrayList<>();
                List<Optimizer.ParamGroup> groups = new ArrayList<>();
                for (int g = 0; g < rates.length; g++) {
                    params.add(Tensor.of(new float[1], 1).requiresGrad(true));
                    if (g > 0) {
                        groups.add(new Optimizer.ParamGroup(List.of(g), rates[g], null));
                    }
                }
                Sgd opt = new Sgd(params, Sgd.Options.lr(rates[0]));
                opt.withParamGroups(groups);
                List<LrScheduler> scheds = buildAll(c.get("schedulers"), opt);
                if (!setsItsOwnBase(c)) {
                    assertThat(opt.initialLrs()).containsExactly(rates);
                }
                List<List<Double>> lrs = new ArrayList<>();
                List<List<Double>> momenta = new ArrayList<>();
                lrs.add(boxed(opt.lrs()));
                momenta.add(momenta(opt));
                int errorAt = c.path("error_at").asInt(-1);
                for (int k = 1; k <= steps && k != errorAt; k++) {
                    scheds.forEach(LrScheduler::step);
                    lrs.add(boxed(opt.lrs()));
                    momenta.add(momenta(opt));
                }
                if (c.has("group_momenta")) { // OneCycleLR and CyclicLR cycle SGD's momentum
                    List<List<Double>> expected = new ArrayList<>();
                    c.get("group_momenta").forEach(r -> {
                        List<Double> row = new ArrayList<>();
                        r.forEach(v -> row.add(v.doubleValue()));
                        expected.add(row);
                    });
                    assertThat(momenta).as(e.getKey() + " momenta").containsExactlyElementsOf(expected);
                } else {
                    assertThat(momenta).allMatch(row -> row.stream().allMatch(m -> m == 0.0));
                }
                List<List<Double>> expected = new ArrayList<>();
                c.get("group_lrs").forEach(r -> {
                    List<Double> row = new ArrayList<>();
                    r.forEach(v -> row.add(Math.max(0.0, v.doubleValue()))); // as above
                    expected.add(row);
                });
                assertThat(lrs).as(e.getKey()).containsExactlyElementsOf(expected);
            }
        }));
    }

    /** OneCycleLR sets initial_lr to max_lr / div_factor; CyclicLR sets the rate to base_lr first. */
    private static boolean setsItsOwnBase(JsonNode c) {
        String text = c.get("schedulers").toString();
        return text.contains("\"OneCycleLR\"") || text.contains("\"CyclicLR\"");
    }

    private static List<Double> momenta(Optimizer opt) {
        List<Double> out = new ArrayList<>();
        for (int g = 0; g < opt.groupCount(); g++) {
            out.add(opt.momentum(g));
        }
        return out;
    }

    private static List<Double> boxed(double[] a) {
        return java.util.Arrays.stream(a).boxed().toList();
    }

    /** A schedule made after another one on the same optimizer starts from the first one's initial rate. */
    @Test
    void laterSchedulersShareTheInitialLr() {
        try (TensorScope s = TensorScope.open()) {
            Sgd opt = sgd(0.1);
            assertThat(opt.initialLr()).isNaN();
            new ConstantLR(opt, 0.5, 3);
            assertThat(opt.lr()).isEqualTo(0.05);
            ExponentialLR second = new ExponentialLR(opt, 0.9);
            assertThat(second.baseLr()).isEqualTo(0.1);
            assertThat(opt.initialLr()).isEqualTo(0.1);
            opt.setLr(0.3); // a rate set by hand later does not move the base
            assertThat(new StepLR(opt, 2, 0.5).baseLr()).isEqualTo(0.1);
        }
    }

    @Test
    void argumentsAreChecked() {
        try (TensorScope s = TensorScope.open()) {
            Sgd opt = sgd(0.1);
            assertThatThrownBy(() -> new ExponentialLR(opt, -0.5))
                    .hasMessage("gamma: expected a non-negative number, got -0.5");
            assertThatThrownBy(() -> new ExponentialLR(opt, Double.NaN))
                    .hasMessage("gamma: expected a non-negative number, got NaN");
            assertThatThrownBy(() -> new MultiStepLR(opt, new int[] {3, -1}, 0.1))
                    .hasMessage("milestones[1]: expected a non-negative integer, got -1");
            assertThatThrownBy(() -> new MultiStepLR(opt, new int[] {3}, Double.POSITIVE_INFINITY))
                    .hasMessage("gamma: expected a non-negative number, got Infinity");
            assertThatThrownBy(() -> new ConstantLR(opt, 1.5, 5))
                    .hasMessage("factor: expected a number in [0, 1], got 1.5");
            assertThatThrownBy(() -> new ConstantLR(opt, -0.1, 5))
                    .hasMessage("factor: expected a number in [0, 1], got -0.1");
            assertThatThrownBy(() -> new ConstantLR(opt, 0.5, 0))
                    .hasMessage("total_iters: expected a positive integer, got 0");

            Sgd other = sgd(0.1);
            LinearLR warm = new LinearLR(opt, 0.1, 1.0, 4);
            CosineAnnealingLR cos = new CosineAnnealingLR(opt, 10, 0.0);
            double before = opt.lr();
            assertThatThrownBy(() -> new SequentialLR(opt, List.of(warm, cos), new int[] {4, 8}))
                    .hasMessage("milestones: expected 1 milestones for 2 schedulers (one fewer), got 2");
            assertThatThrownBy(() -> new SequentialLR(opt, List.of(), new int[0]))
                    .hasMessage("schedulers: expected at least one scheduler, got none");
            assertThatThrownBy(() -> new SequentialLR(other, List.of(warm, cos), new int[] {4}))
                    .hasMessage("schedulers[0]: expected a scheduler of the SequentialLR's optimizer, got one of "
                            + "another optimizer");
            assertThatThrownBy(() -> new SequentialLR(opt, List.of(warm, new StepLR(other, 3, 0.5)), new int[] {4}))
                    .hasMessage("schedulers[1]: expected a scheduler of the SequentialLR's optimizer, got one of "
                            + "another optimizer");
            assertThatThrownBy(() -> new SequentialLR(opt, List.of(warm, warm), new int[] {4}))
                    .hasMessage("schedulers[1]: the same scheduler appears more than once");
            assertThatThrownBy(() -> new SequentialLR(opt, List.of(warm, cos, new ExponentialLR(opt, 0.9)),
                    new int[] {8, 4})).hasMessage("milestones[1]: expected increasing positive integers, got [8, 4]");
            assertThatThrownBy(() -> new SequentialLR(opt, List.of(warm, cos), new int[] {0}))
                    .hasMessage("milestones[0]: expected increasing positive integers, got [0]");
            // nothing changed: the rate is still the last child's
            assertThat(opt.lr()).isEqualTo(before);
            assertThat(warm.lastEpoch()).isZero();

            LinearLR w2 = new LinearLR(opt, 0.5, 1.0, 2);
            ExponentialLR e2 = new ExponentialLR(opt, 0.9);
            SequentialLR inner = new SequentialLR(opt, List.of(w2, e2), new int[] {2});
            assertThatThrownBy(() -> new SequentialLR(opt, List.of(new StepLR(opt, 3, 0.5), inner), new int[] {5}))
                    .hasMessage("schedulers[1]: expected a scheduler other than SequentialLR after the first "
                            + "(PyTorch 1.13 starts it with step(0), which SequentialLR does not take)");
        }
    }

    /** A SequentialLR's state after n steps, loaded into a fresh one over fresh children, continues the same rates. */
    @Test
    void sequentialStateRoundTrips() {
        Function<Sgd, SequentialLR> make = opt -> new SequentialLR(opt, List.of(new ConstantLR(opt, 0.5, 3),
                new MultiStepLR(opt, new int[] {2, 4, 4}, 0.5), new CosineAnnealingLR(opt, 7, 0.001)),
                new int[] {6, 15});
        try (TensorScope s = TensorScope.open()) {
            List<Double> unbroken = new ArrayList<>();
            Sgd ref = sgd(0.1);
            SequentialLR r = make.apply(ref);
            for (int k = 0; k < 30; k++) {
                r.step();
                unbroken.add(ref.lr());
            }
            for (int n : new int[] {0, 2, 6, 7, 15, 16, 22}) {
                Sgd a = sgd(0.1);
                SequentialLR first = make.apply(a);
                for (int k = 0; k < n; k++) {
                    first.step();
                }
                Map<String, Tensor> sd = first.stateDict();
                Map<String, Tensor> optState = a.stateDict();
                assertThat(sd.keySet()).containsExactly("last_epoch", "_schedulers.0.last_epoch",
                        "_schedulers.1.last_epoch", "_schedulers.2.last_epoch");
                Sgd b = sgd(0.1);
                SequentialLR second = make.apply(b);
                second.loadStateDict(sd);
                b.loadStateDict(optState);
                assertThat(second.lastEpoch()).isEqualTo(n);
                for (int k = n; k < 30; k++) {
                    second.step();
                    assertThat(b.lr()).as("step %d after loading at %d", k + 1, n).isEqualTo(unbroken.get(k));
                }
            }

            SequentialLR x = make.apply(sgd(0.1));
            Map<String, Tensor> sd = new java.util.LinkedHashMap<>(x.stateDict());
            sd.put("_schedulers.3.last_epoch", sd.get("last_epoch"));
            sd.remove("_schedulers.1.last_epoch");
            assertThatThrownBy(() -> x.loadStateDict(sd)).hasMessage("cannot load the scheduler state: unexpected key "
                    + "_schedulers.3.last_epoch (expected last_epoch and _schedulers.<0..2>.<key>); _schedulers.1: "
                    + "expected exactly the key last_epoch (one element), got []");
            assertThat(x.lastEpoch()).isZero();
            assertThatThrownBy(() -> new StepLR(sgd(0.1), 2, 0.5).loadStateDict(x.stateDict()))
                    .hasMessageStartingWith("cannot load the scheduler state: expected exactly the key last_epoch");
        }
    }
}
