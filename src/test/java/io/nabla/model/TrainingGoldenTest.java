package io.nabla.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.nabla.backend.Device;
import io.nabla.nn.Generator;
import io.nabla.nn.Loss;
import io.nabla.nn.Sequential;
import io.nabla.optim.OptimizerSpec;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import io.nabla.autograd.ShapeOps;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Whole training runs against PyTorch 1.13 (golden/models): every step's loss, the final state dict and the trained
 * model's eval-mode outputs, within the tolerances of each run's tolerance.json.
 */
class TrainingGoldenTest {

    private static JsonNode json(String resource) {
        return JsonMapper.builder().build().readTree(GoldenModels.text(resource));
    }

    static final String[] RUNS = {"mlp_sgd", "mlp_adamw"};

    @ParameterizedTest
    @ValueSource(strings = {"mlp_sgd", "mlp_adamw"})
    void trainingReproducesPyTorchStepForStep(String run) {
        reproduce(run, Device.CPU);
    }

    /**
     * Trains the golden run {@code run} with the model placed on {@code device} (built on the host as PyTorch
     * initialises it, then moved; batches go to the device step by step) and checks every loss, the final state dict
     * and the eval-mode logits against PyTorch.
     */
    static void reproduce(String run, Device device) {
        String dir = "/golden/models/" + run + "/";
        JsonNode config = json(dir + "config.json");
        JsonNode tol = json(dir + "tolerance.json");
        try (TensorScope scope = TensorScope.open()) {
            ModelSpec spec = ModelSpec.parse(GoldenModels.text(dir + "spec.json"));
            Sequential model = ModelBuilder.build(spec, new Generator(spec.seed()),
                    ParameterBudget.DEFAULT_MAX_ELEMENTS, device);
            model.loadStateDict(GoldenModels.safetensors(dir + "initial.safetensors"), true);
            assertThat(model.device()).as(run + " model device").isEqualTo(device);
            Map<String, Tensor> data = GoldenModels.safetensors(dir + "data.safetensors");
            DataLoader loader = new DataLoader(data, config.get("batch_size").intValue());
            assertThat(config.get("shuffle").booleanValue()).isFalse();
            Trainer trainer = new Trainer(model, Loss.parse(config.get("loss").stringValue()),
                    OptimizerSpec.parse(config.get("optimizer"), "optimizer").create(model.parameters()));

            List<Double> losses = trainer.fit(loader, "input", "target", config.get("epochs").intValue(), null);

            JsonNode expected = json(dir + "losses.json").get("losses");
            assertThat(losses).hasSize(expected.size());
            double rtol = tol.path("losses").path("rtol").asDouble(1e-4);
            double atol = tol.path("losses").path("atol").asDouble(1e-6);
            for (int i = 0; i < losses.size(); i++) {
                double e = expected.get(i).doubleValue();
                assertThat(Math.abs(losses.get(i) - e)).as("%s on %s: loss of step %d: %s vs PyTorch %s", run,
                        device, i, losses.get(i), e).isLessThanOrEqualTo(atol + rtol * Math.abs(e));
            }
            Map<String, Tensor> finalState = GoldenModels.safetensors(dir + "final.safetensors");
            Map<String, Tensor> actual = model.stateDict();
            assertThat(actual.keySet()).containsExactlyInAnyOrderElementsOf(finalState.keySet());
            actual.forEach((k, v) -> assertThat(v.device()).as(run + " " + k + " device").isEqualTo(device));
            finalState.forEach((k, v) -> assertClose(run + " on " + device + " final " + k, actual.get(k), v,
                    tol.path("final").path("rtol").asDouble(1e-4), tol.path("final").path("atol").asDouble(1e-5)));

            Tensor logits = trainer.predict(ShapeOps.narrow(data.get("input"), 0, 0, 8));
            assertThat(logits.device()).as(run + " logits device").isEqualTo(device);
            assertClose(run + " on " + device + " logits", logits,
                    GoldenModels.safetensors(dir + "logits.safetensors").get("logits"),
                    tol.path("logits").path("rtol").asDouble(1e-4), tol.path("logits").path("atol").asDouble(1e-5));
        }
    }

    static void assertClose(String what, Tensor actual, Tensor expected, double rtol, double atol) {
        assertThat(actual.shape()).as(what + " shape").isEqualTo(expected.shape());
        double[] a = actual.toDoubleArray();
        double[] e = expected.toDoubleArray();
        for (int i = 0; i < a.length; i++) {
            assertThat(Math.abs(a[i] - e[i])).as("%s[%d]: %s vs PyTorch %s", what, i, a[i], e[i])
                    .isLessThanOrEqualTo(atol + rtol * Math.abs(e[i]));
        }
    }
}
