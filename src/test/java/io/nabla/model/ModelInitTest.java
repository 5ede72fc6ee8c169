package io.nabla.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.nabla.nn.Sequential;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The default initialisation from a seed equals PyTorch's (torch.manual_seed then building the Sequential). */
class ModelInitTest {

    static String resource(String path) {
        return GoldenModels.text(path);
    }

    @ParameterizedTest
    @ValueSource(strings = {"mlp_sgd", "mlp_adamw"})
    void initialStateDictIsBitIdenticalToPyTorch(String run) {
        try (TensorScope scope = TensorScope.open()) {
            ModelSpec spec = ModelSpec.parse(resource("/golden/models/" + run + "/spec.json"));
            Sequential model = ModelBuilder.build(spec);
            Map<String, Tensor> expected = GoldenModels.safetensors("/golden/models/" + run + "/initial.safetensors");
            Map<String, Tensor> actual = model.stateDict();
            assertThat(actual.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
            for (String k : expected.keySet()) {
                assertThat(actual.get(k).shape()).as(k).isEqualTo(expected.get(k).shape());
                assertThat(actual.get(k).toFloatArray()).as(k).containsExactly(expected.get(k).toFloatArray());
            }
        }
    }

    /** Every layer type with parameters or buffers, against src/test/resources/init (written by gen_init.py). */
    @ParameterizedTest
    @MethodSource("io.nabla.model.LayerForwardTest#fixtures")
    void everyLayerTypeInitialisesAsPyTorch(String name) {
        JsonNode root = JsonMapper.builder().build().readTree(resource("/init/" + name + ".json"));
        try (TensorScope scope = TensorScope.open()) {
            ModelSpec spec = ModelSpec.parse(root.get("spec"));
            Sequential model = ModelBuilder.build(spec);
            Map<String, Tensor> actual = model.stateDict();
            JsonNode state = root.get("state_dict");
            assertThat(actual.keySet()).containsExactlyElementsOf(state.propertyNames());
            assertThat(ParameterBudget.elements(spec)).as("the budget counts what the layers hold, before building")
                    .isEqualTo(actual.values().stream().mapToLong(Tensor::numel).sum());
            for (Map.Entry<String, JsonNode> e : state.properties()) {
                Tensor t = actual.get(e.getKey());
                JsonNode exp = e.getValue();
                assertThat(t.dtype().torchName()).as(e.getKey()).isEqualTo(exp.get("dtype").stringValue());
                int[] shape = new int[exp.get("shape").size()];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = exp.get("shape").get(i).intValue();
                }
                assertThat(t.shape()).as(e.getKey()).isEqualTo(shape);
                double[] data = t.toDoubleArray();
                for (int i = 0; i < data.length; i++) {
                    assertThat(data[i]).as(e.getKey() + "[" + i + "]").isEqualTo(exp.get("data").get(i).doubleValue());
                }
            }
        }
    }

    /** Initialising a model leaves nothing but its parameters and buffers in the caller's scope. */
    @ParameterizedTest
    @MethodSource("io.nabla.model.LayerForwardTest#fixtures")
    void aBuiltModelHoldsItsStateOnce(String name) {
        JsonNode root = JsonMapper.builder().build().readTree(resource("/init/" + name + ".json"));
        try (TensorScope scope = TensorScope.open()) {
            Sequential model = ModelBuilder.build(ModelSpec.parse(root.get("spec")));
            long state = model.stateDict().values().stream()
                    .mapToLong(t -> t.numel() * t.dtype().itemSize()).sum();
            assertThat(scope.bytes()).as("bytes in the scope against the state dict's").isEqualTo(state);
        }
    }

    /** A state dict saved as safetensors loads into a model built from another seed and gives the same tensors. */
    @org.junit.jupiter.api.Test
    void stateDictRoundTripsThroughSafetensors() {
        JsonNode root = JsonMapper.builder().build().readTree(resource("/init/cnn.json"));
        try (TensorScope scope = TensorScope.open()) {
            ModelSpec spec = ModelSpec.parse(root.get("spec"));
            Sequential a = ModelBuilder.build(spec);
            a.get(1).namedBuffers().get("num_batches_tracked").fill(5);
            byte[] file = SafetensorsWriter.toBytes(a.stateDict(), Map.of());
            Sequential b = ModelBuilder.build(spec, new io.nabla.nn.Generator(99));
            try (SafetensorsFile f = SafetensorsFile.read(file)) {
                b.loadStateDict(f.tensors(), true);
            }
            a.stateDict().forEach((k, v) -> {
                Tensor w = b.stateDict().get(k);
                assertThat(w.dtype()).as(k).isEqualTo(v.dtype());
                assertThat(w.toDoubleArray()).as(k).containsExactly(v.toDoubleArray());
            });
            assertThat(b.stateDict().get("1.num_batches_tracked").getLong()).isEqualTo(5);
        }
    }
}
