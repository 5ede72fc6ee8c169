package io.nabla.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nabla.backend.HostAllocator;
import io.nabla.backend.SettledAllocator;
import io.nabla.nn.Generator;
import io.nabla.tensor.TensorScope;
import org.junit.jupiter.api.Test;

class ParameterBudgetTest {

    private static ModelSpec spec(String layers, int in, int out) {
        return ModelSpec.parse("{\"inputs\": [{\"name\": \"input\", \"datatype\": \"FP32\", \"shape\": [-1, " + in
                + "]}], \"outputs\": [{\"name\": \"logits\", \"datatype\": \"FP32\", \"shape\": [-1, " + out
                + "]}], \"layers\": [" + layers + "]}");
    }

    @Test
    void countsEveryParameterAndBufferAsPyTorchHoldsThem() {
        ModelSpec s = spec("{\"type\": \"Linear\", \"in_features\": 20, \"out_features\": 32},"
                + "{\"type\": \"BatchNorm1d\", \"num_features\": 32},"
                + "{\"type\": \"LayerNorm\", \"normalized_shape\": 32},"
                + "{\"type\": \"Linear\", \"in_features\": 32, \"out_features\": 3, \"bias\": false}", 20, 3);
        long expected = 20 * 32 + 32 + (4 * 32 + 1) + 2 * 32 + 32 * 3;
        assertThat(ParameterBudget.elements(s)).isEqualTo(expected);
        try (TensorScope scope = TensorScope.open()) {
            long built = ModelBuilder.build(s).stateDict().values().stream().mapToLong(t -> t.numel()).sum();
            assertThat(built).isEqualTo(expected);
        }
    }

    @Test
    void aHugeModelIsRefusedBeforeAnythingIsAllocated() {
        ModelSpec s = spec("{\"type\": \"Linear\", \"in_features\": 100000, \"out_features\": 100000}", 100000,
                100000);
        long before = SettledAllocator.allocatedBytes();
        try (TensorScope scope = TensorScope.open()) {
            assertThatThrownBy(() -> ModelBuilder.build(s, new Generator(0), ParameterBudget.DEFAULT_MAX_ELEMENTS))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("10000100000 parameter and buffer elements")
                    .hasMessageContaining("limit " + ParameterBudget.DEFAULT_MAX_ELEMENTS);
            assertThat(HostAllocator.instance().allocatedBytes()).isEqualTo(before);
        }
    }
}
