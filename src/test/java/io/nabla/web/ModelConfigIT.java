package io.nabla.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Triton's model configuration of a version: its tensors in Triton's types, dims without the batch dimension and
 * the server's batch size when every tensor has a variable first dimension, 0 and full dims otherwise; the device
 * and precision of the spec; 404 and 400 as the other model paths.
 */
class ModelConfigIT extends ServerTestBase {

    @Test
    void aBatchableModelsConfigurationLeavesTheBatchDimensionOut() {
        create("config-mlp", """
                {"inputs": [{"name": "input", "datatype": "FP32", "shape": [-1, 6]}],
                 "outputs": [{"name": "logits", "datatype": "FP32", "shape": [-1, 3]}],
                 "layers": [{"type": "Linear", "in_features": 6, "out_features": 3}],
                 "device": "cpu", "precision": "bf16"}""", null);
        JsonNode c = http.get("/v2/models/config-mlp/config").json();
        assertThat(c.get("name").stringValue()).isEqualTo("config-mlp");
        assertThat(c.get("max_batch_size").intValue()).as("nabla.batching.max-batch-size of the test server")
                .isEqualTo(8);
        assertThat(c.get("input").toString()).isEqualTo("[{\"name\":\"input\",\"data_type\":\"TYPE_FP32\","
                + "\"dims\":[6]}]");
        assertThat(c.get("output").toString()).isEqualTo("[{\"name\":\"logits\",\"data_type\":\"TYPE_FP32\","
                + "\"dims\":[3]}]");
        assertThat(c.get("dynamic_batching").get("max_queue_delay_microseconds").longValue()).isEqualTo(20_000);
        assertThat(c.get("instance_group").get(0).get("kind").stringValue()).isEqualTo("KIND_CPU");
        assertThat(c.get("parameters").get("precision").get("string_value").stringValue()).isEqualTo("bf16");
        assertThat(http.get("/v2/models/config-mlp/versions/1/config").json()).isEqualTo(c);
    }

    @Test
    void aModelWithAFixedFirstDimensionIsNotBatchedAndErrorsAreThoseOfTheModelPaths() {
        create("config-fixed", """
                {"inputs": [{"name": "ids", "datatype": "INT64", "shape": [2, 3]}],
                 "outputs": [{"name": "vectors", "datatype": "FP32", "shape": [2, 3, 4]}],
                 "layers": [{"type": "Embedding", "num_embeddings": 5, "embedding_dim": 4}]}""", null);
        JsonNode c = http.get("/v2/models/config-fixed/config").json();
        assertThat(c.get("max_batch_size").intValue()).isZero();
        assertThat(c.get("input").get(0).get("dims").toString()).isEqualTo("[2,3]");
        assertThat(c.get("input").get(0).get("data_type").stringValue()).isEqualTo("TYPE_INT64");
        assertThat(c.has("dynamic_batching")).isFalse();
        assertThat(c.get("instance_group").get(0).get("kind").stringValue()).isEqualTo("KIND_AUTO");
        assertThat(c.get("parameters").get("precision").get("string_value").stringValue()).isEqualTo("fp32");
        assertThat(http.get("/v2/models/no-such-model/config").status()).isEqualTo(404);
        assertThat(http.get("/v2/models/config-fixed/versions/7/config").status()).isEqualTo(404);
        assertThat(http.get("/v2/models/config-fixed/versions/0/config").status()).isEqualTo(400);
    }
}
