package io.nabla.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.nabla.nn.Sequential;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The default initialisation from a seed equals PyTorch's (torch.manual_seed then building the Sequential). */
class ModelInitTest {

    static String resource(String path) {
        try (InputStream in = ModelInitTest.class.getResourceAsStream(path)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mlp_sgd", "mlp_adamw"})
    void initialStateDictIsBitIdenticalToPyTorch(String run) {
        try (TensorScope scope = TensorScope.open()) {
            ModelSpec spec = ModelSpec.parse(resource("/golden/models/" + run + "/spec.json"));
            Sequential model = ModelBuilder.build(spec);
            Map<String, Tensor> expected = TestSafetensors.read("/golden/models/" + run + "/initial.safetensors");
            Map<String, Tensor> actual = model.stateDict();
            assertThat(actual.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
            for (String k : expected.keySet()) {
                assertThat(actual.get(k).shape()).as(k).isEqualTo(expected.get(k).shape());
                assertThat(actual.get(k).toFloatArray()).as(k).containsExactly(expected.get(k).toFloatArray());
            }
        }
    }
}
