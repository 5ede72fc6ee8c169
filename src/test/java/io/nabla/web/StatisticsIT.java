package io.nabla.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Triton's statistics extension: every request of a version counted once as a success or a failure, each queued
 * and computed once, rows as inferences, forward passes as executions (requests sent together are batched: fewer
 * executions than requests), the per-batch-size figures adding up to the executions; 404 and 400 as the other
 * model paths; a deleted version forgotten.
 */
class StatisticsIT extends ServerTestBase {

    private static final String EMBEDDING = """
            {"inputs": [{"name": "ids", "datatype": "INT64", "shape": [-1, 2]}],
             "outputs": [{"name": "out", "datatype": "FP32", "shape": [-1, 2, 3]}],
             "layers": [{"type": "Embedding", "num_embeddings": 5, "embedding_dim": 3}]}""";

    private static String ids(String data, int rows) {
        return "{\"inputs\":[{\"name\":\"ids\",\"shape\":[" + rows + ",2],\"datatype\":\"INT64\",\"data\":" + data
                + "}]}";
    }

    @Test
    void everyRequestIsCountedOnceAndBatchedRequestsShareAnExecution() throws Exception {
        create("stats-emb", EMBEDDING, null);
        assertThat(http.get("/v2/models/stats-emb/stats").json().get("model_stats").size()).as("not loaded yet")
                .isZero();
        int requests = 24;
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<CompletableFuture<Integer>> replies = new ArrayList<>();
            for (int i = 0; i < requests; i++) {
                int rows = 1 + i % 3;
                StringBuilder data = new StringBuilder("[");
                for (int r = 0; r < rows * 2; r++) {
                    data.append(r == 0 ? "" : ",").append(r % 5);
                }
                String body = ids(data.append("]").toString(), rows);
                replies.add(CompletableFuture.supplyAsync(() -> new Http(port).postJson("/v2/models/stats-emb/infer",
                        body).status(), pool));
            }
            for (CompletableFuture<Integer> r : replies) {
                assertThat(r.get()).isEqualTo(200);
            }
        } finally {
            pool.shutdown();
        }
        // an index out of range: the model refuses it (a failure of this version), never a success
        assertThat(http.postJson("/v2/models/stats-emb/infer", ids("[0,7]", 1)).status()).isEqualTo(400);

        JsonNode all = http.get("/v2/models/stats").json().get("model_stats");
        JsonNode s = null;
        for (JsonNode m : all) {
            if (m.get("name").stringValue().equals("stats-emb")) {
                s = m;
            }
        }
        assertThat(s).as(all.toString()).isNotNull();
        assertThat(http.get("/v2/models/stats-emb/versions/1/stats").json().get("model_stats").get(0)).isEqualTo(s);
        assertThat(s.get("version").stringValue()).isEqualTo("1");
        JsonNode st = s.get("inference_stats");
        assertThat(st.get("success").get("count").longValue()).isEqualTo(requests);
        assertThat(st.get("fail").get("count").longValue()).isEqualTo(1);
        long rows = 0;
        for (int i = 0; i < requests; i++) {
            rows += 1 + i % 3;
        }
        assertThat(s.get("inference_count").longValue()).as("rows of the requests answered").isEqualTo(rows);
        long executions = s.get("execution_count").longValue();
        assertThat(executions).as("requests sent together share forward passes").isBetween(1L, (long) requests - 1);
        for (String phase : List.of("queue", "compute_input", "compute_infer", "compute_output")) {
            assertThat(st.get(phase).get("count").longValue()).as(phase).isEqualTo(requests);
            assertThat(st.get(phase).get("ns").longValue()).as(phase).isPositive();
        }
        assertThat(st.get("success").get("ns").longValue())
                .as("a request's time covers its queueing and its pass")
                .isGreaterThanOrEqualTo(st.get("queue").get("ns").longValue());
        assertThat(st.get("cache_hit").get("count").longValue()).isZero();
        long batched = 0;
        long batchedRows = 0;
        for (JsonNode b : s.get("batch_stats")) {
            batched += b.get("compute_infer").get("count").longValue();
            batchedRows += b.get("batch_size").longValue() * b.get("compute_infer").get("count").longValue();
        }
        assertThat(batched).isEqualTo(executions);
        assertThat(batchedRows).isEqualTo(rows);
        assertThat(s.get("last_inference").longValue()).isCloseTo(System.currentTimeMillis(),
                org.assertj.core.data.Offset.offset(60_000L));
    }

    @Test
    void unknownModelsAndBadVersionsAreRefusedAndDeletedVersionsForgotten() {
        assertThat(http.get("/v2/models/no-such-model/stats").status()).isEqualTo(404);
        assertThat(http.get("/v2/models/stats-del/versions/x/stats").status()).isEqualTo(400);
        scaleModel("stats-del", 2);
        assertThat(http.get("/v2/models/stats-del/versions/9/stats").status()).isEqualTo(404);
        assertThat(http.postJson("/v2/models/stats-del/infer", "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],"
                + "\"datatype\":\"FP32\",\"data\":[1,2,3,4]}]}").status()).isEqualTo(200);
        assertThat(http.get("/v2/models/stats-del/stats").json().get("model_stats").size()).isEqualTo(1);
        assertThat(http.delete("/v2/repository/models/stats-del/versions/1").status()).isEqualTo(204);
        assertThat(http.get("/v2/models/stats-del/stats").json().get("model_stats").size()).isZero();
        assertThat(http.get("/v2").json().get("extensions").toString()).contains("statistics");
    }
}
