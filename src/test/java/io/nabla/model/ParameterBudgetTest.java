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

    @Test
    void aSingleParameterOverTheLargestCpuTensorIsRefusedBeforeAnythingIsAllocated() {
        ModelSpec s = spec("{\"type\": \"Linear\", \"in_features\": 30000, \"out_features\": 30000}", 30000, 30000);
        assertThat(ParameterBudget.elements(s)).as("under the model's cap").isLessThan(ParameterBudget.DEFAULT_MAX_ELEMENTS);
        long before = SettledAllocator.allocatedBytes();
        try (TensorScope scope = TensorScope.open()) {
            assertThatThrownBy(() -> ModelBuilder.build(s, new Generator(0), ParameterBudget.DEFAULT_MAX_ELEMENTS))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("layers[0].weight: 900000000 elements (3600000000 bytes) exceed the largest CPU "
                            + "tensor, " + HostAllocator.MAX_BLOCK_BYTES + " bytes");
            assertThat(HostAllocator.instance().allocatedBytes()).isEqualTo(before);
        }
        ModelSpec embedding = ModelSpec.parse("{\"inputs\": [{\"name\": \"input\", \"datatype\": \"INT64\", "
                + "\"shape\": [-1]}], \"outputs\": [{\"name\": \"e\", \"datatype\": \"FP32\", \"shape\": [-1, 2]}],"
                + " \"layers\": [{\"type\": \"ReLU\"}, {\"type\": \"Embedding\", \"num_embeddings\": 300000000, "
                + "\"embedding_dim\": 2}]}");
        assertThatThrownBy(() -> ParameterBudget.check(embedding, ParameterBudget.DEFAULT_MAX_ELEMENTS))
                .hasMessageStartingWith("layers[1].weight: 600000000 elements (2400000000 bytes)");
    }

    /** Conv1d, GroupNorm and the transformer layers are counted too (a huge one is refused before allocating). */
    @Test
    void everyLayerWithParametersIsCountedBeforeAnythingIsAllocated() {
        String[] layers = {
            "{\"type\": \"Conv1d\", \"in_channels\": 8, \"out_channels\": 100000000, \"kernel_size\": 3}",
            "{\"type\": \"GroupNorm\", \"num_groups\": 1, \"num_channels\": 1000000000}",
            "{\"type\": \"TransformerEncoderLayer\", \"d_model\": 8192, \"nhead\": 8, "
                + "\"dim_feedforward\": 60000}",
            "{\"type\": \"TransformerEncoder\", \"encoder_layer\": {\"d_model\": 1024, \"nhead\": 8}, "
                + "\"num_layers\": 1000}"};
        long before = SettledAllocator.allocatedBytes();
        for (String layer : layers) {
            ModelSpec s = ModelSpec.parse("{\"inputs\": [{\"name\": \"input\", \"datatype\": \"FP32\", "
                    + "\"shape\": [-1, 8, 4]}], \"outputs\": [{\"name\": \"y\", \"datatype\": \"FP32\", "
                    + "\"shape\": [-1, 8, 4]}], \"layers\": [" + layer + "]}");
            try (TensorScope scope = TensorScope.open()) {
                assertThatThrownBy(() -> ModelBuilder.build(s, new Generator(0), ParameterBudget.DEFAULT_MAX_ELEMENTS))
                        .as(layer).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("more than the limit " + ParameterBudget.DEFAULT_MAX_ELEMENTS);
                assertThat(HostAllocator.instance().allocatedBytes()).isEqualTo(before);
            }
        }
    }

    @Test
    void aLayerErrorThatNamesNoArgumentIsSetApartFromThePath() {
        LayerSpec linear = ModelSpec.parse("{\"inputs\": [{\"name\": \"input\", \"datatype\": \"FP32\", "
                + "\"shape\": [-1, 2]}], \"outputs\": [{\"name\": \"y\", \"datatype\": \"FP32\", \"shape\": [-1, 2]}],"
                + " \"layers\": [{\"type\": \"Linear\", \"in_features\": 2, \"out_features\": 2}]}").layers().get(0);
        assertThat(ModelBuilder.atLayer(0, linear, "in_features: expected a positive integer, got 0"))
                .isEqualTo("layers[0].in_features: expected a positive integer, got 0");
        assertThat(ModelBuilder.atLayer(3, linear, "a CPU tensor holds at most 10 bytes, asked for 20"))
                .isEqualTo("layers[3] (Linear): a CPU tensor holds at most 10 bytes, asked for 20");
    }
}
