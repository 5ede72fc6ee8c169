package io.nabla.optim;

import io.nabla.autograd.ElementwiseOps;
import io.nabla.autograd.ReduceOps;
import io.nabla.autograd.Autograd;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.nabla.backend.DType;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** Optimizer state, checkpoints, gradient clipping and argument checks. */
class OptimizerTest {

    private static final float[][] GRADS = {{0.1f, -0.2f, 0.3f}, {-0.4f, 0.5f, 0.05f}, {0.7f, 0.01f, -0.9f}};

    private static Tensor param() {
        return Tensor.of(new float[] {0.5f, -1f, 2f}, 3).requiresGrad(true);
    }

    private static void step(Optimizer o, Tensor p, int k) {
        p.setGrad(Tensor.of(GRADS[k % GRADS.length], 3));
        o.step();
    }

    /** Two steps, checkpoint, one more step; a fresh optimizer loaded from the checkpoint gives the same third step. */
    private static void checkpointRoundTrip(Function<List<Tensor>, Optimizer> make) {
        try (TensorScope s = TensorScope.open()) {
            Tensor p = param();
            Optimizer a = make.apply(List.of(p));
            step(a, p, 0);
            step(a, p, 1);
            Map<String, Tensor> saved = new LinkedHashMap<>();
            a.stateDict().forEach((k, v) -> saved.put(k, v.dataCopy()));
            Tensor q = p.dataCopy().requiresGrad(true);
            step(a, p, 2);
            Optimizer b = make.apply(List.of(q));
            b.loadStateDict(saved);
            step(b, q, 2);
            assertThat(q.toFloatArray()).containsExactly(p.toFloatArray());
        }
    }

    @Test
    void stateDictsRoundTrip() {
        checkpointRoundTrip(ps -> new Sgd(ps, Sgd.Options.lr(0.1).withMomentum(0.9).withWeightDecay(0.01)));
        checkpointRoundTrip(ps -> new Adam(ps, Adam.Options.defaults().withAmsgrad(true)));
        checkpointRoundTrip(ps -> new AdamW(ps, AdamW.defaults().withLr(0.05)));
        checkpointRoundTrip(ps -> new Rmsprop(ps, new Rmsprop.Options(0.01, 0.9, 1e-8, 0.01, 0.5, true, false)));
        checkpointRoundTrip(ps -> new Adagrad(ps, new Adagrad.Options(0.05, 0.1, 0.01, 0.2, 1e-10, false)));
    }

    @Test
    void stateDictUsesPyTorchNames() {
        try (TensorScope s = TensorScope.open()) {
            Tensor p = param();
            Tensor frozen = param();
            Adam adam = new Adam(List.of(p, frozen), Adam.Options.defaults().withAmsgrad(true));
            assertThat(adam.stateDict().keySet()).containsExactly("lr");
            step(adam, p, 0);
            step(adam, p, 1);
            Map<String, Tensor> sd = adam.stateDict();
            assertThat(sd.keySet()).containsExactly("lr", "state.0.step", "state.0.exp_avg", "state.0.exp_avg_sq",
                    "state.0.max_exp_avg_sq");
            assertThat(sd.get("state.0.step").item()).isEqualTo(2.0);
            assertThat(sd.get("state.0.step").dtype()).isEqualTo(DType.FP32);
            assertThat(adam.steps(1)).isZero();
            Sgd sgd = new Sgd(List.of(p), Sgd.Options.lr(0.1).withMomentum(0.5));
            step(sgd, p, 0);
            assertThat(sgd.stateDict().keySet()).containsExactly("lr", "state.0.momentum_buffer");
        }
    }

    @Test
    void loadStateDictNamesBadKeys() {
        try (TensorScope s = TensorScope.open()) {
            Tensor p = param();
            Adam adam = new Adam(List.of(p), Adam.Options.defaults());
            Map<String, Tensor> bad = new LinkedHashMap<>();
            bad.put("lr", Tensor.scalar(0.1, DType.FP64));
            bad.put("state.0.exp_avg", Tensor.zeros(DType.FP32, 4));
            bad.put("state.3.exp_avg", Tensor.zeros(DType.FP32, 3));
            bad.put("momentum", Tensor.zeros(DType.FP32, 3));
            assertThatThrownBy(() -> adam.loadStateDict(bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("cannot load the optimizer state: size mismatch for state.0.exp_avg: expected shape "
                            + "(3), got (4); unexpected key state.3.exp_avg (expected state.<0..0>.[step, exp_avg, "
                            + "exp_avg_sq, max_exp_avg_sq]); unexpected key momentum (expected state.<0..0>.[step, "
                            + "exp_avg, exp_avg_sq, max_exp_avg_sq])");
            Map<String, Tensor> partial = new LinkedHashMap<>();
            partial.put("lr", Tensor.scalar(0.1, DType.FP64));
            partial.put("state.0.exp_avg", Tensor.zeros(DType.FP32, 3));
            assertThatThrownBy(() -> adam.loadStateDict(partial))
                    .hasMessage("cannot load the optimizer state: state.0 has [exp_avg], expected step, exp_avg, "
                            + "exp_avg_sq");
        }
    }

    @Test
    void stepsSkipParametersWithoutGradientsAndZeroGradKeepsTheTensor() {
        try (TensorScope s = TensorScope.open()) {
            Tensor p = param();
            Tensor q = param();
            Sgd sgd = new Sgd(List.of(p, q), Sgd.Options.lr(1));
            step(sgd, p, 0);
            assertThat(q.toFloatArray()).containsExactly(0.5f, -1f, 2f);
            assertThat(p.toFloatArray()).containsExactly(0.4f, -0.8f, 1.7f);
            Tensor g = p.grad();
            sgd.zeroGrad();
            assertThat(p.grad()).isSameAs(g);
            assertThat(g.toFloatArray()).containsOnly(0f);
            sgd.zeroGrad(true);
            assertThat(p.grad()).isNull();
        }
    }

    @Test
    void aGradientSetToNoneIsFreedWithTheStepScopeNotKeptByTheModel() {
        try (TensorScope model = TensorScope.open()) {
            Tensor p = param();
            Sgd sgd = new Sgd(List.of(p), Sgd.Options.lr(0.1));
            for (int step = 0; step < 5; step++) {
                try (TensorScope s = TensorScope.open()) {
                    sgd.zeroGrad(true);
                    Autograd.backward(ReduceOps.sum(ElementwiseOps.mul(p, p)));
                    sgd.step();
                }
                assertThat(model.size()).as("after step " + step).isEqualTo(2); // the parameter and one gradient
            }
            Tensor g = p.grad();
            try (TensorScope s = TensorScope.open()) {
                sgd.zeroGrad(true);
                assertThat(g.storage().owner()).isSameAs(s);
            }
            assertThatThrownBy(() -> g.storage().memory()).hasMessageContaining("was freed");
            assertThat(model.size()).isEqualTo(1);
        }
    }

    @Test
    void stateLivesInTheParametersScopeAndSteadyStateAllocatesNothingThere() {
        try (TensorScope model = TensorScope.open()) {
            Tensor p = param();
            Adam adam = new Adam(List.of(p), Adam.Options.defaults().withAmsgrad(true));
            p.setGrad(Tensor.of(GRADS[0], 3));
            try (TensorScope step = TensorScope.open()) {
                adam.step();
            }
            int owned = model.size();
            assertThat(owned).isEqualTo(1 + 1 + 3); // param, grad, three moments
            for (int k = 1; k < 20; k++) {
                try (TensorScope step = TensorScope.open()) {
                    p.grad().copyFrom(Tensor.of(GRADS[k % 3], 3));
                    adam.step();
                    assertThat(step.size()).as("tensors allocated by step()").isEqualTo(1);
                }
            }
            assertThat(model.size()).isEqualTo(owned);
        }
    }

    @Test
    void clipGradNormMatchesPyTorch() {
        // torch.nn.utils.clip_grad_norm_([a, b], 1.0) with a.grad = [3, 4], b.grad = [12]: total 13, coef 1/13
        try (TensorScope s = TensorScope.open()) {
            Tensor a = Tensor.of(new float[2], 2).requiresGrad(true);
            Tensor b = Tensor.of(new float[1], 1).requiresGrad(true);
            Tensor c = Tensor.of(new float[1], 1).requiresGrad(true);
            a.setGrad(Tensor.of(new float[] {3, 4}, 2));
            b.setGrad(Tensor.of(new float[] {12}, 1));
            double total = GradientClipping.clipGradNorm(List.of(a, b, c), 1.0, 2.0);
            assertThat(total).isEqualTo(13.0);
            float coef = 1.0f / (13.0f + 1e-6f);
            assertThat(a.grad().toFloatArray()).containsExactly(3 * coef, 4 * coef);
            assertThat(GradientClipping.clipGradNorm(List.of(a, b), 5.0, Double.POSITIVE_INFINITY))
                    .isCloseTo(12.0 / 13, within(1e-6));
            assertThat(a.grad().toFloatArray()).containsExactly(3 * coef, 4 * coef);
            assertThat(GradientClipping.clipGradNorm(List.of(a, b), 0.5, 1.0)).isCloseTo(19.0 / 13, within(1e-6));
            assertThat(GradientClipping.clipGradNorm(List.of(c), 1.0, 2.0)).isZero();
            assertThatThrownBy(() -> GradientClipping.clipGradNorm(List.of(a), -1, 2))
                    .hasMessage("max_norm: expected a non-negative number, got -1.0");
        }
    }

    @Test
    void rejectsBadArguments() {
        try (TensorScope s = TensorScope.open()) {
            Tensor p = param();
            assertThatThrownBy(() -> new Sgd(List.of(), Sgd.Options.lr(0.1)))
                    .hasMessage("optimizer got an empty parameter list");
            assertThatThrownBy(() -> new Sgd(List.of(p, p), Sgd.Options.lr(0.1)))
                    .hasMessage("params[1]: some parameters appear more than once");
            assertThatThrownBy(() -> new Sgd(List.of(Tensor.zeros(DType.INT64, 2)), Sgd.Options.lr(0.1)))
                    .hasMessageStartingWith("params[0]: expected a floating point leaf tensor");
            assertThatThrownBy(() -> Sgd.Options.lr(-0.1)).hasMessage("lr: expected a non-negative number, got -0.1");
            assertThatThrownBy(() -> Sgd.Options.lr(0.1).withNesterov(true))
                    .hasMessage("nesterov: Nesterov momentum requires a momentum and zero dampening, got momentum "
                            + "0.0 and dampening 0.0");
            assertThatThrownBy(() -> Adam.Options.defaults().withBetas(0.9, 1.0))
                    .hasMessage("betas[1]: expected a number in [0, 1), got 1.0");
            assertThatThrownBy(() -> new StepLR(new Sgd(List.of(p), Sgd.Options.lr(1)), 0, 0.1))
                    .hasMessage("step_size: expected a positive integer, got 0");
            assertThatThrownBy(() -> new LinearLR(new Sgd(List.of(p), Sgd.Options.lr(1)), 0, 1, 3))
                    .hasMessage("start_factor: expected a number in (0, 1], got 0.0");
            p.setGrad(Tensor.zeros(DType.FP64, 3));
            assertThatThrownBy(() -> new Sgd(List.of(p), Sgd.Options.lr(0.1)).step())
                    .isInstanceOf(IllegalStateException.class).hasMessageStartingWith("params[0]: gradient");
        }
    }

    @Test
    void optimizerSpecParsesJobRequestsWithDefaults() {
        var json = JsonMapper.builder().build();
        OptimizerSpec sgd = OptimizerSpec.parse(json.readTree("{\"type\": \"sgd\", \"lr\": 0.1, \"momentum\": 0.9,"
                + " \"weight_decay\": 0.0001, \"nesterov\": false}"), "optimizer");
        assertThat(sgd.sgd()).isEqualTo(new Sgd.Options(0.1, 0.9, 0, 1e-4, false, false));
        OptimizerSpec adamw = OptimizerSpec.parse(json.readTree("{\"type\": \"adamw\"}"), "optimizer");
        assertThat(adamw.adam()).isEqualTo(new Adam.Options(1e-3, 0.9, 0.999, 1e-8, 0.01, false, false));
        assertThat(OptimizerSpec.parse(json.readTree("{\"type\": \"adam\", \"betas\": [0.5, 0.6]}"), "o").adam()
                .weightDecay()).isZero();
        assertThatThrownBy(() -> OptimizerSpec.parse(json.readTree("{\"type\": 5}"), "optimizer")).as("not a string")
                .hasMessage("optimizer.type: expected one of [sgd, adam, adamw, rmsprop, adagrad], got 5");
        assertThatThrownBy(() -> OptimizerSpec.parse(json.readTree("{\"lr\": 0.1}"), "optimizer"))
                .hasMessage("optimizer.type: expected one of [sgd, adam, adamw, rmsprop, adagrad], got nothing");
        assertThatThrownBy(() -> OptimizerSpec.parse(json.readTree("{\"type\": \"lbfgs\"}"), "optimizer"))
                .hasMessage("optimizer.type: expected one of [sgd, adam, adamw, rmsprop, adagrad], got \"lbfgs\"");
        assertThat(OptimizerSpec.parse(json.readTree("{\"type\": \"rmsprop\", \"centered\": true}"), "optimizer")
                .rmsprop()).isEqualTo(new Rmsprop.Options(1e-2, 0.99, 1e-8, 0, 0, true, false));
        assertThat(OptimizerSpec.parse(json.readTree("{\"type\": \"adagrad\", \"lr_decay\": 0.1}"), "optimizer")
                .adagrad()).isEqualTo(new Adagrad.Options(1e-2, 0.1, 0, 0, 1e-10, false));
        assertThatThrownBy(() -> OptimizerSpec.parse(json.readTree("{\"type\": \"adagrad\", \"momentum\": 0.9}"),
                "optimizer")).hasMessage("optimizer.momentum: unknown field of a adagrad optimizer; expected one of "
                + "[eps, initial_accumulator_value, lr, lr_decay, maximize, no_weight_decay, param_groups, type, "
                + "weight_decay]");
        assertThatThrownBy(() -> OptimizerSpec.parse(json.readTree("{\"type\": \"rmsprop\", \"alpha\": -0.5}"),
                "optimizer")).hasMessage("optimizer.alpha: expected a non-negative number, got -0.5");
        // PyTorch 2.2 gave SGD the default lr of Adam and AdamW
        assertThat(OptimizerSpec.parse(json.readTree("{\"type\": \"sgd\"}"), "optimizer").sgd())
                .isEqualTo(new Sgd.Options(1e-3, 0, 0, 0, false, false));
        assertThatThrownBy(() -> OptimizerSpec.parse(json.readTree("{\"type\": \"sgd\", \"lr\": 0.1, \"betas\": 1}"),
                "optimizer")).hasMessage("optimizer.betas: unknown field of a sgd optimizer; expected one of "
                + "[dampening, lr, maximize, momentum, nesterov, no_weight_decay, param_groups, type, weight_decay]");
        assertThat(OptimizerSpec.parse(json.readTree("{\"type\": \"adamw\", \"no_weight_decay\": [\"*.bias\"]}"),
                "optimizer").noWeightDecay()).containsExactly("*.bias");
        assertThatThrownBy(() -> OptimizerSpec.parse(json.readTree("{\"type\": \"adamw\", \"no_weight_decay\": "
                + "\"*.bias\"}"), "optimizer")).hasMessage("optimizer.no_weight_decay: expected a list of at most 1024 "
                + "parameter names, module names or patterns such as \"*.bias\", got \"*.bias\"");
        assertThatThrownBy(() -> OptimizerSpec.parse(json.readTree("{\"type\": \"sgd\", \"no_weight_decay\": [1]}"),
                "optimizer")).hasMessage("optimizer.no_weight_decay[0]: expected a parameter name, module name or "
                + "pattern such as \"*.bias\", got 1");
        assertThatThrownBy(() -> OptimizerSpec.parse(json.readTree("{\"type\": \"adam\", \"eps\": \"x\"}"), "opt"))
                .hasMessage("opt.eps: expected a number, got \"x\"");
        assertThatThrownBy(() -> OptimizerSpec.parse(json.readTree("{\"type\": \"sgd\", \"lr\": 0.1, \"momentum\": "
                + "-1}"), "optimizer")).hasMessage("optimizer.momentum: expected a non-negative number, got -1.0");
    }

    @Test
    void schedulerStateRoundTrips() {
        try (TensorScope s = TensorScope.open()) {
            Sgd opt = new Sgd(List.of(param()), Sgd.Options.lr(0.1));
            CosineAnnealingLR a = new CosineAnnealingLR(opt, 6, 0.0);
            a.step();
            a.step();
            Map<String, Tensor> sd = a.stateDict();
            double lr = opt.lr();
            a.step();
            double third = opt.lr();
            Sgd opt2 = new Sgd(List.of(param()), Sgd.Options.lr(0.1));
            CosineAnnealingLR b = new CosineAnnealingLR(opt2, 6, 0.0);
            b.loadStateDict(sd);
            opt2.setLr(lr);
            b.step();
            assertThat(opt2.lr()).isEqualTo(third);
            assertThat(b.lastEpoch()).isEqualTo(3);
        }
    }

    @Test
    void paramGroupsParseWithTheirPathsInErrors() {
        var json = JsonMapper.builder().build();
        OptimizerSpec spec = OptimizerSpec.parse(json.readTree("{\"type\": \"adamw\", \"param_groups\": [{\"params\": "
                + "[\"0\", \"*.bias\"], \"lr\": 0.0001}, {\"params\": [\"4.weight\"], \"weight_decay\": 0}]}"),
                "optimizer");
        assertThat(spec.paramGroups()).containsExactly(new OptimizerSpec.Group(List.of("0", "*.bias"), 1e-4, null),
                new OptimizerSpec.Group(List.of("4.weight"), null, 0.0));
        Map<String, String> bad = new java.util.LinkedHashMap<>();
        bad.put("{\"param_groups\": {}}", "optimizer.param_groups: expected a list of at most 64 objects such as "
                + "{\"params\": [\"0\"], \"lr\": 0.0001}, got {}");
        bad.put("{\"param_groups\": [1]}", "optimizer.param_groups[0]: expected an object such as {\"params\": [\"0\"], "
                + "\"lr\": 0.0001}, got 1");
        bad.put("{\"param_groups\": [{\"params\": [\"0\"]}, {\"lr\": 0.1}]}", "optimizer.param_groups[1].params: "
                + "required; expected a non-empty list of parameter names, module names or patterns such as \"*.bias\", "
                + "got nothing");
        bad.put("{\"param_groups\": [{\"params\": []}]}", "optimizer.param_groups[0].params: required; expected a "
                + "non-empty list of parameter names, module names or patterns such as \"*.bias\", got []");
        bad.put("{\"param_groups\": [{\"params\": [\"\"]}]}", "optimizer.param_groups[0].params[0]: expected a "
                + "parameter name, module name or pattern such as \"*.bias\", got \"\"");
        bad.put("{\"param_groups\": [{\"params\": [\"0\"], \"lr\": 0}]}", "optimizer.param_groups[0].lr: expected a "
                + "positive finite number, got 0");
        bad.put("{\"param_groups\": [{\"params\": [\"0\"], \"weight_decay\": -1}]}",
                "optimizer.param_groups[0].weight_decay: expected a finite number >= 0, got -1");
        bad.put("{\"param_groups\": [{\"params\": [\"0\"], \"betas\": [0.9, 0.99]}]}", "optimizer.param_groups[0].betas: "
                + "unknown field of a parameter group of a sgd optimizer; expected one of [lr, momentum, params, "
                + "weight_decay]");
        bad.put("{\"param_groups\": [{\"params\": [\"0\"], \"momentum\": -0.5}]}",
                "optimizer.param_groups[0].momentum: expected a non-negative number, got -0.5");
        String tooMany = "[" + String.join(",", java.util.Collections.nCopies(65, "{\"params\": [\"0\"]}")) + "]";
        bad.put("{\"param_groups\": " + tooMany + "}", "optimizer.param_groups: expected a list of at most 64 objects");
        OptimizerSpec adam = OptimizerSpec.parse(json.readTree("{\"type\": \"adam\", \"param_groups\": [{\"params\": "
                + "[\"4\"], \"betas\": [0.5, 0.9], \"eps\": 0.001}]}"), "optimizer");
        assertThat(adam.paramGroups()).containsExactly(new OptimizerSpec.Group(List.of("4"), null, null, 0.5, 0.9,
                1e-3));
        assertThatThrownBy(() -> OptimizerSpec.parse(json.readTree("{\"type\": \"adamw\", \"param_groups\": [{\"params\": "
                + "[\"4\"], \"betas\": [0.5, 1.0]}]}"), "optimizer")).hasMessage("optimizer.param_groups[0].betas: "
                + "expected 2 numbers in [0, 1), got [0.5,1.0]");
        assertThatThrownBy(() -> OptimizerSpec.parse(json.readTree("{\"type\": \"adagrad\", \"param_groups\": [{\"params\": "
                + "[\"4\"], \"momentum\": 0.5}]}"), "optimizer")).hasMessageStartingWith("optimizer.param_groups[0]."
                + "momentum: unknown field of a parameter group of a adagrad optimizer; expected one of [eps, lr, params, "
                + "weight_decay]");
        bad.forEach((body, message) -> assertThatThrownBy(() -> OptimizerSpec.parse(json.readTree(
                "{\"type\": \"sgd\", " + body.substring(1)), "optimizer")).as(body).hasMessageStartingWith(message));
    }

    @Test
    void parameterGroupsTakeTheirOwnRateAndWeightDecay() {
        try (TensorScope s = TensorScope.open()) {
            List<Tensor> ps = List.of(param(), param(), param());
            Sgd opt = new Sgd(ps, new Sgd.Options(0.1, 0, 0, 0.5, false, false));
            opt.withParamGroups(List.of(new Optimizer.ParamGroup(List.of(1), 0.01, null),
                    new Optimizer.ParamGroup(List.of(2), null, 0.0)));
            assertThat(opt.groupCount()).isEqualTo(3);
            assertThat(opt.lrs()).containsExactly(0.1, 0.01, 0.1);
            for (Tensor p : ps) {
                p.setGrad(Tensor.of(new float[] {1f, 1f, 1f}, 3));
            }
            double[] before = ps.stream().mapToDouble(p -> p.toDoubleArray()[0]).toArray();
            opt.step();
            // p -= lr * (g + wd * p)
            assertThat(ps.get(0).toDoubleArray()[0]).isCloseTo(before[0] - 0.1 * (1 + 0.5 * before[0]), within(1e-6));
            assertThat(ps.get(1).toDoubleArray()[0]).isCloseTo(before[1] - 0.01 * (1 + 0.5 * before[1]), within(1e-6));
            assertThat(ps.get(2).toDoubleArray()[0]).isCloseTo(before[2] - 0.1, within(1e-6));

            // the rates travel in the state dict, each group's under its own key
            opt.setLr(1, 0.005);
            Map<String, Tensor> sd = opt.stateDict();
            assertThat(sd).containsKeys("lr", "param_groups.1.lr", "param_groups.2.lr");
            Sgd other = new Sgd(List.of(param(), param(), param()), new Sgd.Options(0.1, 0, 0, 0.5, false, false));
            other.withParamGroups(List.of(new Optimizer.ParamGroup(List.of(1), 0.01, null),
                    new Optimizer.ParamGroup(List.of(2), null, 0.0)));
            other.loadStateDict(sd);
            assertThat(other.lrs()).containsExactly(0.1, 0.005, 0.1);
            Map<String, Tensor> missing = new java.util.LinkedHashMap<>(sd);
            missing.remove("param_groups.2.lr");
            missing.put("param_groups.1.lr", Tensor.scalar(-1, io.nabla.backend.DType.FP64));
            assertThatThrownBy(() -> other.loadStateDict(missing)).hasMessageContaining("param_groups.2.lr: expected "
                    + "a one-element tensor").hasMessageContaining("param_groups.1.lr: expected a non-negative number");
            assertThat(other.lrs()).as("nothing changed").containsExactly(0.1, 0.005, 0.1);
            // a one-group optimizer refuses the other groups' keys
            assertThatThrownBy(() -> new Sgd(List.of(param(), param(), param()), Sgd.Options.lr(0.1)).loadStateDict(sd))
                    .hasMessageContaining("unexpected key param_groups.1.lr");
        }
    }

    @Test
    void aParameterInTwoGroupsOrGroupsAfterASchedulerAreRefused() {
        try (TensorScope s = TensorScope.open()) {
            Sgd opt = new Sgd(List.of(param(), param()), Sgd.Options.lr(0.1));
            assertThatThrownBy(() -> opt.withParamGroups(List.of(new Optimizer.ParamGroup(List.of(1), 0.01, null),
                    new Optimizer.ParamGroup(List.of(0, 1), 0.02, null)))).hasMessage("param_groups[1]: params[1] is in "
                    + "param_groups[0] already (some parameters appear in more than one parameter group)");
            assertThatThrownBy(() -> opt.withParamGroups(List.of(new Optimizer.ParamGroup(List.of(2), null, null))))
                    .hasMessage("param_groups[0]: expected parameter indices below 2, got 2");
            assertThat(opt.groupCount()).isEqualTo(1);
            new StepLR(opt, 1, 0.5);
            assertThatThrownBy(() -> opt.withParamGroups(List.of(new Optimizer.ParamGroup(List.of(1), 0.01, null))))
                    .isInstanceOf(IllegalStateException.class);
        }
    }
}
