package io.nabla.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.nabla.backend.DType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.JsonNode;

/** The Open Inference Protocol endpoints on a running server. */
class InferenceIT extends ServerTestBase {

    private static String request(String data) {
        return "{\"inputs\":[{\"name\":\"input\",\"shape\":[2,4],\"datatype\":\"FP32\",\"data\":" + data + "}]}";
    }

    @Test
    void serverMetadataAndHealth() {
        JsonNode meta = http.get("/v2").json();
        assertThat(meta.get("name").stringValue()).isEqualTo("nabla");
        assertThat(meta.get("version").stringValue()).matches("\\d+\\.\\d+\\.\\d+.*");
        assertThat(meta.get("extensions").toString()).contains("binary_tensor_data", "model_repository",
                "classification", "model_configuration", "statistics", "logging");
        assertThat(http.get("/v2/health/live").status()).isEqualTo(200);
        assertThat(http.get("/v2/health/ready").json().get("ready").booleanValue()).isTrue();
    }

    @Test
    void modelMetadataAndReadiness() {
        scaleModel("meta", 1);
        JsonNode m = http.get("/v2/models/meta").json();
        assertThat(m.get("name").stringValue()).isEqualTo("meta");
        assertThat(m.get("platform").stringValue()).isEqualTo("nabla");
        assertThat(m.get("versions").toString()).isEqualTo("[\"1\"]");
        assertThat(m.get("inputs").toString())
                .isEqualTo("[{\"name\":\"input\",\"datatype\":\"FP32\",\"shape\":[-1,4]}]");
        assertThat(m.get("outputs").get(0).get("name").stringValue()).isEqualTo("output");
        assertThat(http.get("/v2/models/meta/versions/1").json().get("name").stringValue()).isEqualTo("meta");

        Http.Reply notLoaded = http.get("/v2/models/meta/ready");
        assertThat(notLoaded.status()).isEqualTo(503);
        assertThat(notLoaded.error()).contains("not loaded");
        assertThat(http.get("/v2/models/meta/versions/1/ready").status()).isEqualTo(503);

        assertThat(http.postJson("/v2/models/meta/infer", request("[1,2,3,4,5,6,7,8]")).status()).isEqualTo(200);
        assertThat(http.get("/v2/models/meta/ready").json().get("ready").booleanValue()).isTrue();
        assertThat(http.get("/v2/models/meta/versions/1/ready").status()).isEqualTo(200);
        assertThat(http.get("/v2/models/nosuchmodel/ready").status()).isEqualTo(404);
    }

    /**
     * A spec with {@code "precision": "bf16"} or {@code "fp16"} answers with the same model's forward pass under
     * autocast (computed here in-process), in the output's declared FP32, near but not at the FP32 model's answer.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"BF16", "FP16"})
    void aModelInMixedPrecisionAnswersAsItsAutocastForwardPass(DType low) {
        String name = low == DType.BF16 ? "amp-bf16" : "amp-fp16";
        String layers = "{\"inputs\": [{\"name\": \"input\", \"datatype\": \"FP32\", \"shape\": [-1, 4]}], "
                + "\"outputs\": [{\"name\": \"output\", \"datatype\": \"FP32\", \"shape\": [-1, 3]}], \"layers\": ["
                + "{\"type\": \"Linear\", \"in_features\": 4, \"out_features\": 8}, {\"type\": \"LayerNorm\", "
                + "\"normalized_shape\": 8}, {\"type\": \"GELU\"}, {\"type\": \"Linear\", \"in_features\": 8, "
                + "\"out_features\": 3}], \"seed\": 4";
        String spec = layers + ", \"precision\": \"" + (low == DType.BF16 ? "bf16" : "fp16") + "\"}";
        assertThat(http.createModel(name, spec, null).status()).isEqualTo(201);
        assertThat(http.createModel(name + "-fp32", layers + "}", null).status()).isEqualTo(201);
        String body = request("[0.5,-1.25,2,0.125,3,0.75,-0.5,1.5]");
        JsonNode out = http.postJson("/v2/models/" + name + "/infer", body).json().get("outputs").get(0);
        assertThat(out.get("datatype").stringValue()).isEqualTo("FP32");
        JsonNode fp32 = http.postJson("/v2/models/" + name + "-fp32/infer", body).json().get("outputs").get(0);
        double[] expected;
        try (io.nabla.tensor.TensorScope scope = io.nabla.tensor.TensorScope.open()) {
            io.nabla.model.ModelSpec s = io.nabla.model.ModelSpec.parse(spec);
            io.nabla.nn.Sequential model = io.nabla.model.ModelBuilder.build(s, new io.nabla.nn.Generator(s.seed()));
            model.eval();
            try (io.nabla.autograd.GradMode.Region g = io.nabla.autograd.GradMode.disable();
                 io.nabla.autograd.Autocast.Region a = io.nabla.autograd.Autocast.enable(low)) {
                expected = model.forward(io.nabla.tensor.Tensor.of(new float[] {0.5f, -1.25f, 2, 0.125f, 3, 0.75f,
                        -0.5f, 1.5f}, 2, 4)).dataAs(DType.FP32).toDoubleArray();
            }
        }
        double diff = 0;
        for (int i = 0; i < expected.length; i++) {
            assertThat((float) out.get("data").get(i).doubleValue()).as("output[%d]", i)
                    .isEqualTo((float) expected[i]);
            diff = Math.max(diff, Math.abs(expected[i] - fp32.get("data").get(i).doubleValue()));
            assertThat(expected[i]).isCloseTo(fp32.get("data").get(i).doubleValue(),
                    org.assertj.core.data.Offset.offset(0.05));
        }
        assertThat(diff).as("the low precision shows").isGreaterThan(0);
        assertThat(http.get("/v2/repository/models/" + name + "/versions/1/spec").text()).isEqualTo(spec);
    }

    /**
     * In fp16 (or bf16) a spec may declare its output in that dtype: the answer comes back in it (the FP32 answer
     * rounded); another dtype than the layers' or the precision's is still refused, naming both.
     */
    @Test
    void aModelInFp16MayAnswerInFp16() {
        String spec = "{\"inputs\": [{\"name\": \"input\", \"datatype\": \"FP32\", \"shape\": [-1, 4]}], "
                + "\"outputs\": [{\"name\": \"output\", \"datatype\": \"%s\", \"shape\": [-1, 2]}], \"layers\": ["
                + "{\"type\": \"Linear\", \"in_features\": 4, \"out_features\": 2}, "
                + "{\"type\": \"Softmax\", \"dim\": 1}], \"seed\": 3, \"precision\": \"%s\"}";
        assertThat(http.createModel("half-out", spec.formatted("FP16", "fp16"), null).status()).isEqualTo(201);
        assertThat(http.createModel("half-out-fp32", spec.formatted("FP32", "fp16"), null).status()).isEqualTo(201);
        String body = request("[0.5,-1.25,2,0.125,3,0.75,-0.5,1.5]");
        JsonNode half = http.postJson("/v2/models/half-out/infer", body).json().get("outputs").get(0);
        JsonNode full = http.postJson("/v2/models/half-out-fp32/infer", body).json().get("outputs").get(0);
        assertThat(half.get("datatype").stringValue()).isEqualTo("FP16");
        for (int i = 0; i < 4; i++) {
            float f = (float) full.get("data").get(i).doubleValue();
            assertThat((float) half.get("data").get(i).doubleValue()).as("output[%d]", i)
                    .isEqualTo(io.nabla.backend.HalfFloats.halfToFloat(io.nabla.backend.HalfFloats.floatToHalf(f)));
        }
        Http.Reply refused = http.createModel("half-out-bf16", spec.formatted("BF16", "fp16"), null);
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.error()).contains("outputs[0].datatype").contains("but the spec says BF16")
                .contains("(or, in precision fp16, FP16)");
    }

    /**
     * A spec with {@code "precision": "int8"} answers as its model with every Linear dynamically quantized (computed
     * here in-process), close to the FP32 model; a row holding a NaN (binary data) answers NaN as the FP32 model
     * does; the GPU, non-finite weights and too many input features are refused at creation, naming the field.
     */
    @Test
    void aModelInInt8AnswersAsItsQuantizedLayers() {
        String layers = "{\"inputs\": [{\"name\": \"input\", \"datatype\": \"FP32\", \"shape\": [-1, 4]}], "
                + "\"outputs\": [{\"name\": \"output\", \"datatype\": \"FP32\", \"shape\": [-1, 3]}], \"layers\": ["
                + "{\"type\": \"Linear\", \"in_features\": 4, \"out_features\": 32}, {\"type\": \"ReLU\"}, "
                + "{\"type\": \"Linear\", \"in_features\": 32, \"out_features\": 3}], \"seed\": 4";
        String spec = layers + ", \"precision\": \"int8\"}";
        assertThat(http.createModel("int8", spec, null).status()).isEqualTo(201);
        assertThat(http.createModel("int8-fp32", layers + "}", null).status()).isEqualTo(201);
        String body = request("[0.5,-1.25,2,0.125,3,0.75,-0.5,1.5]");
        JsonNode out = http.postJson("/v2/models/int8/infer", body).json().get("outputs").get(0);
        assertThat(out.get("datatype").stringValue()).isEqualTo("FP32");
        JsonNode fp32 = http.postJson("/v2/models/int8-fp32/infer", body).json().get("outputs").get(0);
        double[] expected;
        try (io.nabla.tensor.TensorScope scope = io.nabla.tensor.TensorScope.open();
             io.nabla.autograd.GradMode.Region g = io.nabla.autograd.GradMode.disable()) {
            io.nabla.model.ModelSpec s = io.nabla.model.ModelSpec.parse(spec);
            io.nabla.nn.Sequential model = io.nabla.model.ModelBuilder.build(s, new io.nabla.nn.Generator(s.seed()));
            model.eval();
            expected = model.quantizeDynamic().forward(io.nabla.tensor.Tensor.of(new float[] {0.5f, -1.25f, 2,
                    0.125f, 3, 0.75f, -0.5f, 1.5f}, 2, 4)).toDoubleArray();
        }
        double diff = 0;
        for (int i = 0; i < expected.length; i++) {
            assertThat((float) out.get("data").get(i).doubleValue()).as("output[%d]", i)
                    .isEqualTo((float) expected[i]);
            diff = Math.max(diff, Math.abs(expected[i] - fp32.get("data").get(i).doubleValue()));
        }
        assertThat(diff).as("the quantization shows, and stays small").isGreaterThan(0).isLessThan(0.05);

        byte[] raw = Tensors.bytes(DType.FP32, new double[] {1, Double.NaN, 3, 4});
        Tensors.Binary nan = Tensors.binary("{\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"FP32\","
                + "\"parameters\":{\"binary_data_size\":16}}]}", raw);
        // a NaN row has no quantization: its answer is NaN, as the FP32 model's is (no error: a NaN may also come
        // from inside a model)
        Http.Reply nanRow = http.post("/v2/models/int8/infer", "application/json", nan.body(), nan.headers());
        Http.Reply nanFp32 = http.post("/v2/models/int8-fp32/infer", "application/json", nan.body(), nan.headers());
        assertThat(nanRow.status()).as(nanRow.text()).isEqualTo(200);
        assertThat(nanFp32.status()).as(nanFp32.text()).isEqualTo(200);
        assertThat(nanRow.json().get("outputs").get(0).get("data").toString())
                .isEqualTo(nanFp32.json().get("outputs").get(0).get("data").toString()).contains("NaN");

        Http.Reply gpu = http.createModel("int8-gpu", layers + ", \"precision\": \"int8\", \"device\": \"cuda\"}",
                null);
        assertThat(gpu.status()).isEqualTo(400);
        assertThat(gpu.error()).contains("precision: \"int8\" runs on the CPU only, but device is \"cuda\"");

        // what INT8 cannot hold is refused at upload, not found at load (where every request would fail)
        float[] w = new float[8];
        w[5] = Float.NaN;
        Http.Reply nanWeights = http.createModel("int8-nan", "{\"inputs\": [{\"name\": \"input\", \"datatype\": "
                + "\"FP32\", \"shape\": [-1, 4]}], \"outputs\": [{\"name\": \"output\", \"datatype\": \"FP32\", "
                + "\"shape\": [-1, 2]}], \"layers\": [{\"type\": \"Linear\", \"in_features\": 4, \"out_features\": 2, "
                + "\"bias\": false}], \"precision\": \"int8\"}", Weights.file(Map.of("0.weight", w),
                Map.of("0.weight", new int[] {2, 4})));
        assertThat(nanWeights.status()).as(nanWeights.text()).isEqualTo(400);
        assertThat(nanWeights.error()).contains("'0.weight' holds a NaN or an infinity", "int8");
        Http.Reply wide = http.createModel("int8-wide", "{\"inputs\": [{\"name\": \"input\", \"datatype\": "
                + "\"FP32\", \"shape\": [-1, 70000]}], \"outputs\": [{\"name\": \"output\", \"datatype\": \"FP32\", "
                + "\"shape\": [-1, 1]}], \"layers\": [{\"type\": \"Linear\", \"in_features\": 70000, \"out_features\": "
                + "1}], \"precision\": \"int8\"}", null);
        assertThat(wide.status()).as(wide.text()).isEqualTo(400);
        assertThat(wide.error()).contains("layers[0].in_features: precision \"int8\" takes at most 65536 input "
                + "features", "got 70000");
    }

    /** An embedding index out of range is a 400 naming the input, the index and the table's size. */
    @Test
    void anEmbeddingIndexOutOfRangeIsA400NamingTheInput() {
        String spec = "{\"inputs\": [{\"name\": \"tokens\", \"datatype\": \"INT64\", \"shape\": [-1, 2]}], "
                + "\"outputs\": [{\"name\": \"vectors\", \"datatype\": \"FP32\", \"shape\": [-1, 2, 3]}], "
                + "\"layers\": [{\"type\": \"Embedding\", \"num_embeddings\": 10, \"embedding_dim\": 3}]}";
        assertThat(http.createModel("tokens", spec, null).status()).isEqualTo(201);
        Http.Reply ok = http.postJson("/v2/models/tokens/infer", "{\"inputs\":[{\"name\":\"tokens\",\"shape\":[1,2],"
                + "\"datatype\":\"INT64\",\"data\":[0,9]}]}");
        assertThat(ok.status()).isEqualTo(200);
        Http.Reply bad = http.postJson("/v2/models/tokens/infer", "{\"inputs\":[{\"name\":\"tokens\",\"shape\":[1,2],"
                + "\"datatype\":\"INT64\",\"data\":[3,12]}]}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.error()).contains("input \"tokens\"").contains("index 12 is out of bounds")
                .contains("with size 10");
    }

    @Test
    void flatAndNestedDataGiveTheSameAnswerAndTheIdIsEchoed() {
        scaleModel("flat", 2);
        JsonNode flat = http.postJson("/v2/models/flat/infer",
                "{\"id\":\"42\"," + request("[1,2,3,4,5,6,7,8]").substring(1)).json();
        JsonNode nested = http.postJson("/v2/models/flat/infer", request("[[1,2,3,4],[5,6,7,8]]")).json();
        assertThat(flat.get("id").stringValue()).isEqualTo("42");
        assertThat(nested.has("id")).isFalse();
        assertThat(flat.get("model_name").stringValue()).isEqualTo("flat");
        assertThat(flat.get("model_version").stringValue()).isEqualTo("1");
        JsonNode out = flat.get("outputs").get(0);
        assertThat(out.get("name").stringValue()).isEqualTo("output");
        assertThat(out.get("datatype").stringValue()).isEqualTo("FP32");
        assertThat(out.get("shape").toString()).isEqualTo("[2,4]");
        assertThat(out.get("data").toString()).isEqualTo("[2.0,4.0,6.0,8.0,10.0,12.0,14.0,16.0]");
        assertThat(nested.get("outputs")).isEqualTo(flat.get("outputs"));
        JsonNode early = http.postJson("/v2/models/flat/infer", "{\"inputs\":[{\"name\":\"input\",\"data\":"
                + "[[1,2,3,4],[5,6,7,8]],\"datatype\":\"FP32\",\"shape\":[2,4]}]}").json();
        assertThat(early.get("outputs")).as("nested data before its shape").isEqualTo(flat.get("outputs"));
        JsonNode empty = http.postJson("/v2/models/flat/infer", request("[]").replace("[2,4]", "[0,4]")).json();
        assertThat(empty.get("outputs").get(0).get("shape").toString()).isEqualTo("[0,4]");
    }

    @Test
    void fieldsInAnyOrderAndOutputSelection() {
        scaleModel("order", 1);
        JsonNode r = http.postJson("/v2/models/order/infer", "{\"outputs\":[{\"name\":\"output\"}],\"inputs\":[{"
                + "\"data\":[1,2,3,4],\"datatype\":\"FP32\",\"name\":\"input\",\"shape\":[1,4]}]}").json();
        assertThat(r.get("outputs").get(0).get("data").toString()).isEqualTo("[1.0,2.0,3.0,4.0]");
    }

    @Test
    void binaryOutputsWhenTheRequestOrTheOutputAsks() {
        scaleModel("binout", 0.5);
        Http.Reply all = http.postJson("/v2/models/binout/infer", "{\"parameters\":{\"binary_data_output\":true},"
                + request("[1,2,3,4,5,6,7,8]").substring(1));
        assertBinaryOutput(all, new double[] {0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4});
        Http.Reply one = http.postJson("/v2/models/binout/infer", "{\"outputs\":[{\"name\":\"output\","
                + "\"parameters\":{\"binary_data\":true}}]," + request("[1,2,3,4,5,6,7,8]").substring(1));
        assertBinaryOutput(one, new double[] {0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4});
        Http.Reply off = http.postJson("/v2/models/binout/infer", "{\"parameters\":{\"binary_data_output\":true},"
                + "\"outputs\":[{\"name\":\"output\",\"parameters\":{\"binary_data\":false}}],"
                + request("[1,2,3,4,5,6,7,8]").substring(1));
        assertThat(off.header("Inference-Header-Content-Length")).isNull();
        assertThat(off.json().get("outputs").get(0).has("data")).isTrue();
    }

    private static void assertBinaryOutput(Http.Reply r, double[] expected) {
        assertThat(r.status()).isEqualTo(200);
        byte[][] parts = Tensors.split(r);
        JsonNode header = Http.JSON.readTree(parts[0]);
        JsonNode out = header.get("outputs").get(0);
        assertThat(out.has("data")).isFalse();
        assertThat(out.get("parameters").get("binary_data_size").longValue()).isEqualTo(expected.length * 4L);
        assertThat(Tensors.fromBytes(DType.FP32, parts[1])).containsExactly(expected);
    }

    private String dtypeModel(DType t) {
        String name = "dt-" + t.name().toLowerCase();
        String spec = "{\"inputs\":[{\"name\":\"input\",\"datatype\":\"" + t.inferenceName() + "\",\"shape\":[-1,3]}],"
                + "\"outputs\":[{\"name\":\"output\",\"datatype\":\"" + t.inferenceName() + "\",\"shape\":[-1,3]}],"
                + "\"layers\":[{\"type\":\"Identity\"}]}";
        if (http.get("/v2/models/" + name).status() == 404) {
            create(name, spec, null);
        }
        return name;
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void everyDatatypeRoundTripsAsJson(DType t) {
        String model = dtypeModel(t);
        double[] v = Tensors.sample(t, 6);
        Http.Reply r = http.postJson("/v2/models/" + model + "/infer", "{\"inputs\":[{\"name\":\"input\","
                + "\"shape\":[2,3],\"datatype\":\"" + t.inferenceName() + "\",\"data\":" + Tensors.json(t, v) + "}]}");
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        JsonNode out = r.json().get("outputs").get(0);
        assertThat(out.get("datatype").stringValue()).isEqualTo(t.inferenceName());
        assertThat(out.get("data").toString()).isEqualTo(Tensors.json(t, v));
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void everyDatatypeRoundTripsAsBinaryData(DType t) {
        String model = dtypeModel(t);
        double[] v = Tensors.sample(t, 6);
        byte[] raw = Tensors.bytes(t, v);
        Tensors.Binary body = Tensors.binary("{\"inputs\":[{\"name\":\"input\",\"shape\":[2,3],\"datatype\":\""
                + t.inferenceName() + "\",\"parameters\":{\"binary_data_size\":" + raw.length + "}}],"
                + "\"parameters\":{\"binary_data_output\":true}}", raw);
        Http.Reply r = http.post("/v2/models/" + model + "/infer", "application/octet-stream", body.body(),
                body.headers());
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.header("Content-Type")).startsWith("application/octet-stream");
        byte[][] parts = Tensors.split(r);
        assertThat(Http.JSON.readTree(parts[0]).get("outputs").get(0).get("datatype").stringValue())
                .isEqualTo(t.inferenceName());
        assertThat(parts[1]).isEqualTo(raw);
    }

    @Test
    void inputsAreConvertedToTheDatatypeTheModelDeclares() {
        scaleModel("convert", 1);
        Http.Reply r = http.postJson("/v2/models/convert/infer", "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],"
                + "\"datatype\":\"INT64\",\"data\":[1,-2,3,4]}]}");
        assertThat(r.json().get("outputs").get(0).get("data").toString()).isEqualTo("[1.0,-2.0,3.0,4.0]");
    }

    @Test
    void binaryInputIsConvertedToTheDatatypeTheModelDeclares() {
        String spec = """
                {"inputs": [{"name": "input", "datatype": "FP32", "shape": [-1, 2]}],
                 "outputs": [{"name": "output", "datatype": "FP32", "shape": [-1, 2]}],
                 "layers": [{"type": "Linear", "in_features": 2, "out_features": 2, "bias": false}]}""";
        create("mixed", spec, Weights.diagonal("0.weight", 2, 10));
        byte[] raw = Tensors.bytes(DType.FP64, new double[] {1, 2, 3, 4});
        Tensors.Binary body = Tensors.binary("{\"inputs\":[{\"name\":\"input\",\"shape\":[2,2],\"datatype\":\"FP64\","
                + "\"parameters\":{\"binary_data_size\":32}}]}", raw);
        Http.Reply r = http.post("/v2/models/mixed/infer", "application/json", body.body(), body.headers());
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.json().get("outputs").get(0).get("data").toString()).isEqualTo("[10.0,20.0,30.0,40.0]");
    }

    @Test
    void concurrentRequestsEachGetTheirOwnRows() throws Exception {
        scaleModel("concurrent", 3);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Void>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 10; i++) {
                        int rows = 1 + (thread + i) % 3;
                        double[] v = new double[rows * 4];
                        for (int k = 0; k < v.length; k++) {
                            v[k] = thread * 1000 + i * 10 + k;
                        }
                        Http.Reply r = http.postJson("/v2/models/concurrent/infer", "{\"inputs\":[{\"name\":\"input\","
                                + "\"shape\":[" + rows + ",4],\"datatype\":\"FP32\",\"data\":"
                                + Tensors.json(DType.FP64, v) + "}]}");
                        assertThat(r.status()).as(r.text()).isEqualTo(200);
                        JsonNode data = r.json().get("outputs").get(0).get("data");
                        assertThat(data.size()).isEqualTo(v.length);
                        for (int k = 0; k < v.length; k++) {
                            assertThat(data.get(k).doubleValue()).isEqualTo(v[k] * 3);
                        }
                    }
                    return null;
                }));
            }
            for (Future<Void> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void unloadingReturnsTheModelsMemory() {
        create("memory", """
                {"inputs": [{"name": "input", "datatype": "FP32", "shape": [-1, 512]}],
                 "outputs": [{"name": "output", "datatype": "FP32", "shape": [-1, 512]}],
                 "layers": [{"type": "Linear", "in_features": 512, "out_features": 512}]}""", null);
        assertThat(http.post("/v2/repository/models/memory/load", null, new byte[0], Map.of()).status())
                .isEqualTo(200);
        JsonNode cpu = http.get("/v1/devices").json().get(0);
        assertThat(cpu.get("id").stringValue()).isEqualTo("cpu");
        assertThat(cpu.get("memory").get("total").longValue()).isPositive();
        long allocated = cpu.get("memory").get("allocated").longValue();
        JsonNode arena = null;
        for (JsonNode a : cpu.get("arenas")) {
            if (a.get("owner").stringValue().equals("model:memory:1")) {
                arena = a;
            }
        }
        assertThat(arena).as("arena of model:memory:1 in %s", cpu).isNotNull();
        long held = arena.get("allocated").longValue();
        assertThat(held).as("weight and bias of Linear(512, 512)").isGreaterThanOrEqualTo(512 * 513 * 4);
        assertThat(http.post("/v2/repository/models/memory/unload", null, new byte[0], Map.of()).status())
                .isEqualTo(200);
        JsonNode after = http.get("/v1/devices").json().get(0);
        assertThat(after.get("arenas").toString()).doesNotContain("model:memory:1");
        assertThat(allocated - after.get("memory").get("allocated").longValue()).isGreaterThanOrEqualTo(held);
    }
}
