package io.nabla.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A transformer token classifier trained in PyTorch (src/test/resources/training/transformer_sgd.*, written by
 * gen_training.py: its spec, the weights PyTorch saved and its evaluation logits) served over HTTP: the answer is
 * PyTorch's in FP32 and close to it in INT8 and BF16; a fine-tuning job trains it on its tokens and the new version
 * answers; a spec that does not fit is a 400 naming the argument.
 */
class TransformerModelIT extends ServerTestBase {

    private static final String DIR = "/training/";

    private static JsonNode fixture() {
        return JobFixtures.json(DIR + "transformer_sgd.json");
    }

    /** The fixture's spec with {@code extra} members added (e.g. a precision). */
    private static String spec(JsonNode fixture, String extra) {
        String s = fixture.get("spec").toString();
        return extra.isEmpty() ? s : s.substring(0, s.length() - 1) + ", " + extra + "}";
    }

    private double[] infer(String model, JsonNode fixture) {
        Http.Reply r = http.postJson("/v2/models/" + model + "/infer", "{\"inputs\":[{\"name\":\"tokens\","
                + "\"shape\":[24,6],\"datatype\":\"INT64\",\"data\":" + fixture.get("input") + "}]}");
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        JsonNode out = r.json().get("outputs").get(0);
        assertThat(out.get("shape").toString()).isEqualTo("[24,3]");
        double[] v = new double[out.get("data").size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = out.get("data").get(i).doubleValue();
        }
        return v;
    }

    private static void assertClose(String what, double[] actual, JsonNode expected, double atol, double rtol) {
        assertThat(actual).hasSize(expected.size());
        for (int i = 0; i < actual.length; i++) {
            double e = expected.get(i).doubleValue();
            assertThat(Math.abs(actual[i] - e)).as("%s logit %d: %s vs PyTorch %s", what, i, actual[i], e)
                    .isLessThanOrEqualTo(atol + rtol * Math.abs(e));
        }
    }

    @Test
    void pytorchWeightsAnswerAsPyTorchInEveryPrecision() {
        JsonNode f = fixture();
        byte[] weights = JobFixtures.bytes(DIR + "transformer_sgd.safetensors");
        create("transformer", spec(f, ""), weights);
        assertClose("fp32", infer("transformer", f), f.get("eval_logits"), 1e-5, 1e-4);
        create("transformer-int8", spec(f, "\"precision\": \"int8\""), weights);
        assertClose("int8", infer("transformer-int8", f), f.get("eval_logits"), 0.05, 0.05);
        create("transformer-bf16", spec(f, "\"precision\": \"bf16\""), weights);
        assertClose("bf16", infer("transformer-bf16", f), f.get("eval_logits"), 0.1, 0.05);
        // the weights file round-trips: what the server gives back loads in PyTorch as it came
        Http.Reply back = http.get("/v2/repository/models/transformer/versions/1/weights");
        assertThat(back.status()).isEqualTo(200);
        assertThat(JobFixtures.tensors(back.body()).keySet()).contains("1.self_attn.in_proj_weight",
                "2.linear2.bias", "4.weight");
    }

    @Test
    void aFineTuningJobTrainsTheTransformer() {
        JsonNode f = fixture();
        create("transformer-job", spec(f, ""), null);
        String dataset = JobFixtures.uploadDataset(http, JobFixtures.bytes(DIR + "transformer_data.safetensors"));
        ObjectNode r = Http.JSON.createObjectNode();
        r.put("model", "transformer-job");
        r.put("dataset", dataset);
        r.put("input", "tokens");
        r.put("target", "target");
        r.put("loss", "cross_entropy");
        r.set("optimizer", Http.JSON.readTree("{\"type\": \"adamw\", \"lr\": 0.01}"));
        r.put("epochs", 4);
        r.put("batch_size", 8);
        r.put("shuffle", true);
        r.put("seed", 3);
        JsonNode job = JobFixtures.awaitFinal(http, JobFixtures.submit(http, r));
        assertThat(job.get("status").stringValue()).as(job.toString()).isEqualTo("SUCCEEDED");
        List<Double> losses = new ArrayList<>();
        job.get("losses").forEach(l -> losses.add(l.doubleValue()));
        assertThat(losses).hasSize(12).allMatch(Double::isFinite);
        double first = (losses.get(0) + losses.get(1) + losses.get(2)) / 3;
        double last = (losses.get(9) + losses.get(10) + losses.get(11)) / 3;
        assertThat(last).as("mean loss of the last epoch against the first's, %s", losses).isLessThan(first);
        assertThat(infer("transformer-job", f)).hasSize(72);
        assertThat(http.get("/v2/models/transformer-job").json().get("versions").toString()).isEqualTo("[\"1\",\"2\"]");
    }

    @Test
    void aLayerThatDoesNotFitIsA400NamingIt() {
        String io = "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [-1, 5, 12]}], "
                + "\"outputs\": [{\"name\": \"y\", \"datatype\": \"FP32\", \"shape\": [-1, 5, 12]}], \"layers\": [";
        Http.Reply heads = http.createModel("t-heads", io + "{\"type\": \"TransformerEncoderLayer\", \"d_model\": 12, "
                + "\"nhead\": 5}]}", null);
        assertThat(heads.status()).isEqualTo(400);
        assertThat(heads.error()).contains("layers[0].d_model must be divisible by nhead: d_model 12, nhead 5");
        Http.Reply width = http.createModel("t-width", io + "{\"type\": \"TransformerEncoderLayer\", \"d_model\": 8, "
                + "\"nhead\": 2}]}", null);
        assertThat(width.status()).isEqualTo(400);
        assertThat(width.error()).contains("layers[0] (TransformerEncoderLayer) cannot take the input (-1, 5, 12)",
                "d_model 8");
        Http.Reply activation = http.createModel("t-act", io + "{\"type\": \"TransformerEncoderLayer\", "
                + "\"d_model\": 12, \"nhead\": 2, \"activation\": \"tanh\"}]}", null);
        assertThat(activation.status()).isEqualTo(400);
        assertThat(activation.error()).contains("layers[0].activation: expected \"relu\" or \"gelu\", got \"tanh\"");
        Http.Reply heads0 = http.createModel("t-nhead", io + "{\"type\": \"TransformerEncoderLayer\", \"d_model\": 12, "
                + "\"nhead\": 0}]}", null);
        assertThat(heads0.status()).isEqualTo(400);
        assertThat(heads0.error()).contains("layers[0].nhead: expected a positive integer, got 0");
    }
}
