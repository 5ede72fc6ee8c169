package io.nabla.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.nabla.backend.DType;
import io.nabla.model.SafetensorsFile;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * End to end against PyTorch: the trained golden MLP is created over HTTP from its spec and safetensors weights, and
 * its logits on the first 8 rows of the golden data equal PyTorch's (atol 1e-5), through JSON and through the binary
 * tensor data extension.
 */
class GoldenModelIT extends ServerTestBase {

    static final Path DIR = Path.of("src/test/resources/golden/models/mlp_sgd");
    static final double ATOL = 1e-5;
    static final double RTOL = 1e-4;

    private float[] input8;
    private float[] expected;

    private void createGolden() throws IOException {
        if (http.get("/v2/models/mlp_sgd").status() == 404) {
            create("mlp_sgd", Files.readString(DIR.resolve("spec.json")),
                    Files.readAllBytes(DIR.resolve("final.safetensors")));
        }
        try (TensorScope scope = TensorScope.open();
                SafetensorsFile data = SafetensorsFile.open(DIR.resolve("data.safetensors"));
                SafetensorsFile logits = SafetensorsFile.open(DIR.resolve("logits.safetensors"))) {
            Tensor all = data.tensor("input"); // (96, 20)
            input8 = Arrays.copyOf(all.toFloatArray(), 8 * 20);
            expected = logits.tensor("logits").toFloatArray(); // (8, 3)
        }
    }

    private void assertLogits(double[] actual) {
        assertThat(actual).hasSize(expected.length);
        for (int i = 0; i < expected.length; i++) {
            assertThat(Math.abs(actual[i] - expected[i])).as("logit %d: %s vs PyTorch %s", i, actual[i], expected[i])
                    .isLessThanOrEqualTo(ATOL + RTOL * Math.abs(expected[i]));
        }
    }

    @Test
    void logitsOverJsonMatchPyTorch() throws IOException {
        createGolden();
        StringBuilder data = new StringBuilder("[");
        for (int i = 0; i < input8.length; i++) {
            data.append(i == 0 ? "" : ",").append(input8[i]);
        }
        Http.Reply r = http.postJson("/v2/models/mlp_sgd/infer", "{\"inputs\":[{\"name\":\"input\",\"shape\":[8,20],"
                + "\"datatype\":\"FP32\",\"data\":" + data + "]}],\"outputs\":[{\"name\":\"logits\"}]}");
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        JsonNode out = r.json().get("outputs").get(0);
        assertThat(out.get("name").stringValue()).isEqualTo("logits");
        assertThat(out.get("shape").toString()).isEqualTo("[8,3]");
        double[] logits = new double[out.get("data").size()];
        for (int i = 0; i < logits.length; i++) {
            logits[i] = out.get("data").get(i).doubleValue();
        }
        assertLogits(logits);
    }

    @Test
    void logitsOverBinaryDataMatchPyTorch() throws IOException {
        createGolden();
        double[] values = new double[input8.length];
        for (int i = 0; i < values.length; i++) {
            values[i] = input8[i];
        }
        byte[] raw = Tensors.bytes(DType.FP32, values);
        Tensors.Binary body = Tensors.binary("{\"inputs\":[{\"name\":\"input\",\"shape\":[8,20],\"datatype\":\"FP32\","
                + "\"parameters\":{\"binary_data_size\":" + raw.length + "}}],"
                + "\"outputs\":[{\"name\":\"logits\",\"parameters\":{\"binary_data\":true}}]}", raw);
        Http.Reply r = http.post("/v2/models/mlp_sgd/infer", "application/octet-stream", body.body(),
                body.headers());
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        byte[][] parts = Tensors.split(r);
        assertThat(Http.JSON.readTree(parts[0]).get("outputs").get(0).get("parameters").get("binary_data_size")
                .intValue()).isEqualTo(8 * 3 * 4);
        assertLogits(Tensors.fromBytes(DType.FP32, parts[1]));
    }

    @Test
    void theUploadedWeightsComeBackUnchanged() throws IOException {
        createGolden();
        assertThat(http.get("/v2/repository/models/mlp_sgd/versions/1/weights").body())
                .isEqualTo(Files.readAllBytes(DIR.resolve("final.safetensors")));
        JsonNode meta = http.get("/v2/models/mlp_sgd").json();
        assertThat(meta.get("inputs").toString()).isEqualTo("[{\"name\":\"input\",\"datatype\":\"FP32\","
                + "\"shape\":[-1,20]}]");
        assertThat(meta.get("outputs").toString()).isEqualTo("[{\"name\":\"logits\",\"datatype\":\"FP32\","
                + "\"shape\":[-1,3]}]");
    }
}
