package io.nabla.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nabla.nn.Generator;
import io.nabla.nn.Loss;
import io.nabla.nn.Sequential;
import io.nabla.optim.Adam;
import io.nabla.optim.Sgd;
import io.nabla.optim.StepLR;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The training loop: PyTorch parity with shuffling and dropout, schedules, cancellation, scopes. */
class TrainerTest {

    private static float[] floats(JsonNode a) {
        float[] out = new float[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) a.get(i).doubleValue();
        }
        return out;
    }

    /**
     * A run where initialisation, shuffling and dropout all draw from one generator, as PyTorch's global one
     * (src/test/resources/training, written by gen_training.py), with Adam (amsgrad), clipping and StepLR.
     */
    @Test
    void shuffledRunWithDropoutReproducesPyTorch() {
        JsonNode root = JsonMapper.builder().build().readTree(GoldenModels.text("/training/shuffle_dropout.json"));
        JsonNode cfg = root.get("config");
        try (TensorScope scope = TensorScope.open()) {
            ModelSpec spec = ModelSpec.parse(root.get("spec"));
            Generator g = new Generator(spec.seed());
            Sequential model = ModelBuilder.build(spec, g);
            Map<String, Tensor> data = new LinkedHashMap<>();
            data.put("input", Tensor.of(floats(root.get("input")), 30, 6));
            long[] y = new long[30];
            for (int i = 0; i < y.length; i++) {
                y[i] = root.get("target").get(i).longValue();
            }
            data.put("target", Tensor.of(y, 30));
            DataLoader loader = new DataLoader(data, cfg.get("batch_size").intValue(), true, false, g);
            Adam adam = new Adam(model.parameters(), Adam.Options.defaults().withLr(cfg.get("lr").doubleValue())
                    .withAmsgrad(true).withWeightDecay(0.01));
            Trainer trainer = new Trainer(model, Loss.CROSS_ENTROPY, adam)
                    .clipGradNorm(cfg.get("max_norm").doubleValue())
                    .schedule(new StepLR(adam, cfg.get("step_size").intValue(), cfg.get("gamma").doubleValue()),
                            Trainer.ScheduleInterval.EPOCH);
            List<Double> losses = trainer.fit(loader, "input", "target", cfg.get("epochs").intValue(), null);
            assertThat(adam.lr()).isEqualTo(root.get("lr").doubleValue());
            assertMatches(root, model, losses);
        }
    }

    /**
     * A token classifier on two TransformerEncoderLayers (post- and pre-norm, dropout in the attention weights and
     * after each block), trained with shuffling, SGD with momentum and clipping, every draw from one generator: PyTorch's losses
     * and final weights (src/test/resources/training/transformer_sgd.json, written by gen_training.py).
     */
    @Test
    void transformerRunReproducesPyTorch() {
        JsonNode root = JsonMapper.builder().build().readTree(GoldenModels.text("/training/transformer_sgd.json"));
        JsonNode cfg = root.get("config");
        try (TensorScope scope = TensorScope.open()) {
            ModelSpec spec = ModelSpec.parse(root.get("spec"));
            Generator g = new Generator(spec.seed());
            Sequential model = ModelBuilder.build(spec, g);
            int n = root.get("target").size();
            long[] x = new long[root.get("input").size()];
            for (int i = 0; i < x.length; i++) {
                x[i] = root.get("input").get(i).longValue();
            }
            long[] y = new long[n];
            for (int i = 0; i < n; i++) {
                y[i] = root.get("target").get(i).longValue();
            }
            Map<String, Tensor> data = new LinkedHashMap<>();
            data.put("tokens", Tensor.of(x, n, x.length / n));
            data.put("target", Tensor.of(y, n));
            DataLoader loader = new DataLoader(data, cfg.get("batch_size").intValue(), true, false, g);
            Sgd sgd = new Sgd(model.parameters(), Sgd.Options.lr(cfg.get("lr").doubleValue())
                    .withMomentum(cfg.get("momentum").doubleValue())
                    .withWeightDecay(cfg.get("weight_decay").doubleValue()));
            Trainer trainer = new Trainer(model, Loss.CROSS_ENTROPY, sgd)
                    .clipGradNorm(cfg.get("max_norm").doubleValue());
            List<Double> losses = trainer.fit(loader, "tokens", "target", cfg.get("epochs").intValue(), null);
            assertMatches(root, model, losses);
        }
    }

    /** Losses and final state dict against the fixture's. */
    private static void assertMatches(JsonNode root, Sequential model, List<Double> losses) {
        JsonNode expected = root.get("losses");
        assertThat(losses).hasSize(expected.size());
        for (int i = 0; i < losses.size(); i++) {
            double e = expected.get(i).doubleValue();
            assertThat(Math.abs(losses.get(i) - e)).as("loss %d: %s vs PyTorch %s", i, losses.get(i), e)
                    .isLessThanOrEqualTo(1e-6 + 1e-4 * Math.abs(e));
        }
        for (Map.Entry<String, JsonNode> e : root.get("final").properties()) {
            Tensor actual = model.stateDict().get(e.getKey());
            double[] a = actual.toDoubleArray();
            JsonNode exp = e.getValue().get("data");
            for (int i = 0; i < a.length; i++) {
                assertThat(Math.abs(a[i] - exp.get(i).doubleValue())).as("%s[%d]", e.getKey(), i)
                        .isLessThanOrEqualTo(1e-5 + 1e-4 * Math.abs(exp.get(i).doubleValue()));
            }
        }
    }

    private static Map<String, Tensor> data(int n) {
        float[] x = new float[n * 2];
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            x[2 * i] = i % 3;
            x[2 * i + 1] = 1 - i % 2;
            y[i] = i % 2;
        }
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("x", Tensor.of(x, n, 2));
        m.put("y", Tensor.of(y, n));
        return m;
    }

    private static Sequential mlp() {
        return ModelBuilder.build(ModelSpec.parse("{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", "
                + "\"shape\": [-1, 2]}], \"outputs\": [{\"name\": \"y\", \"datatype\": \"FP32\", \"shape\": [-1, 2]}],"
                + "\"layers\": [{\"type\": \"Linear\", \"in_features\": 2, \"out_features\": 4}, {\"type\": \"Tanh\"},"
                + "{\"type\": \"Linear\", \"in_features\": 4, \"out_features\": 2}]}"));
    }

    @Test
    void reportsEveryStepSchedulesPerStepAndStopsWhenCancelled() {
        try (TensorScope scope = TensorScope.open()) {
            Sequential model = mlp();
            Sgd sgd = new Sgd(model.parameters(), Sgd.Options.lr(0.1));
            Trainer trainer = new Trainer(model, Loss.CROSS_ENTROPY, sgd)
                    .schedule(new StepLR(sgd, 2, 0.5), Trainer.ScheduleInterval.STEP);
            List<String> seen = new ArrayList<>();
            List<Double> losses = trainer.fit(new DataLoader(data(10), 4), "x", "y", 2,
                    (epoch, step, loss) -> seen.add(epoch + ":" + step));
            assertThat(seen).containsExactly("0:0", "0:1", "0:2", "1:3", "1:4", "1:5");
            assertThat(losses).hasSize(6).allMatch(l -> l > 0 && Double.isFinite(l));
            assertThat(sgd.lr()).isEqualTo(0.1 * 0.125);

            List<Integer> steps = new ArrayList<>();
            Trainer stopping = new Trainer(model, Loss.CROSS_ENTROPY, sgd);
            List<Double> partial = stopping.fit(new DataLoader(data(10), 2), "x", "y", 3, (epoch, step, loss) -> {
                steps.add(step);
                if (step == 3) {
                    stopping.cancel();
                }
            });
            assertThat(partial).hasSize(4);
            assertThat(steps).containsExactly(0, 1, 2, 3);
            assertThat(stopping.isCancelled()).isTrue();
        }
    }

    /**
     * In mixed precision the gradients are unscaled before clipping, as PyTorch's recipe asks: with plain SGD (lr 1)
     * and a clip at 0.01 (the gradients' norm is about 0.34), the update's norm is 0.01, not 0.01 / 65536; the loss
     * comes back unscaled, and the parameters and their gradients stay FP32.
     */
    @Test
    void mixedPrecisionClipsUnscaledGradientsAndReportsTheUnscaledLoss() {
        try (TensorScope scope = TensorScope.open()) {
            Sequential model = mlp();
            Sequential reference = mlp();
            Map<String, Tensor> d = data(8);
            List<double[]> before = new ArrayList<>();
            model.parameters().forEach(p -> before.add(p.toDoubleArray()));
            Trainer trainer = new Trainer(model, Loss.CROSS_ENTROPY, new Sgd(model.parameters(), Sgd.Options.lr(1)))
                    .clipGradNorm(0.01).mixedPrecision(io.nabla.backend.DType.BF16, new io.nabla.optim.GradScaler());
            double loss = trainer.step(d.get("x"), d.get("y"));
            double fp32Loss = new Trainer(reference, Loss.CROSS_ENTROPY,
                    new Sgd(reference.parameters(), Sgd.Options.lr(1))).step(d.get("x"), d.get("y"));
            assertThat(loss).isCloseTo(fp32Loss, org.assertj.core.data.Offset.offset(0.02));
            double sq = 0;
            for (int i = 0; i < before.size(); i++) {
                Tensor p = model.parameters().get(i);
                assertThat(p.dtype()).isEqualTo(io.nabla.backend.DType.FP32);
                assertThat(p.grad().dtype()).isEqualTo(io.nabla.backend.DType.FP32);
                double[] now = p.toDoubleArray();
                for (int j = 0; j < now.length; j++) {
                    sq += (now[j] - before.get(i)[j]) * (now[j] - before.get(i)[j]);
                }
            }
            assertThat(Math.sqrt(sq)).isCloseTo(0.01, org.assertj.core.data.Offset.offset(1e-7));
            assertThat(trainer.scaler().scale()).isEqualTo(65536.0);
            assertThatThrownBy(() -> trainer.mixedPrecision(io.nabla.backend.DType.FP64,
                    new io.nabla.optim.GradScaler())).hasMessageContaining("float16 or bfloat16, got float64");
        }
    }

    @Test
    void stepsFreeEverythingButTheModelsState() {
        try (TensorScope modelScope = TensorScope.open()) {
            Sequential model = mlp();
            Map<String, Tensor> d = data(8);
            Trainer trainer = new Trainer(model, Loss.CROSS_ENTROPY,
                    new Adam(model.parameters(), Adam.Options.defaults()));
            trainer.step(d.get("x"), d.get("y"));
            int owned = modelScope.size();
            for (int i = 0; i < 5; i++) {
                trainer.step(d.get("x"), d.get("y"));
            }
            assertThat(modelScope.size()).isEqualTo(owned);
            assertThat(trainer.steps()).isEqualTo(6);
            Tensor out = trainer.predict(d.get("x"));
            assertThat(out.requiresGrad()).isFalse();
            assertThat(model.isTraining()).isTrue();
        }
    }

    @Test
    void rejectsBadArguments() {
        try (TensorScope scope = TensorScope.open()) {
            Sequential model = mlp();
            Trainer t = new Trainer(model, Loss.MSE, new Sgd(model.parameters(), Sgd.Options.lr(0.1)));
            assertThatThrownBy(() -> t.clipGradNorm(0)).hasMessage("max_norm: expected a positive number, got 0.0");
            assertThatThrownBy(() -> t.fit(new DataLoader(data(4), 2), "x", "y", -1, null))
                    .hasMessage("epochs: expected a non-negative integer, got -1");
            assertThatThrownBy(() -> t.fit(new DataLoader(data(4), 2), "input", "y", 1, null))
                    .hasMessage("no tensor named \"input\" in the batch; it has [x, y]");
            assertThatThrownBy(() -> Loss.parse("hinge"))
                    .hasMessage("loss: expected one of [cross_entropy, mse, l1, smooth_l1, bce_with_logits, nll], "
                            + "got \"hinge\"");
        }
    }
}
