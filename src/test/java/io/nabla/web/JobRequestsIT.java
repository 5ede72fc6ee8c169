package io.nabla.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.nabla.backend.DType;
import io.nabla.model.SafetensorsWriter;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Job requests that cannot run are a 400 naming the field; a full queue is a 429 with Retry-After. */
class JobRequestsIT extends ServerTestBase {

    private static String dataset;
    private static String regression;

    @BeforeEach
    void fixtures() {
        if (dataset == null) {
            dataset = JobFixtures.prepare(http, "mlp_sgd", "jobs-bad");
            try (TensorScope scope = TensorScope.open()) {
                Map<String, Tensor> t = new LinkedHashMap<>();
                t.put("input", Tensor.zeros(DType.FP32, 8, 20));
                t.put("target", Tensor.zeros(DType.FP32, 8, 3));
                t.put("wide", Tensor.zeros(DType.FP32, 8, 5));
                t.put("classes", Tensor.zeros(DType.INT64, 8));
                t.put("narrow", Tensor.zeros(DType.FP32, 8, 7));
                t.put("doubles", Tensor.zeros(DType.FP64, 8, 20));
                regression = JobFixtures.uploadDataset(http, SafetensorsWriter.toBytes(t, Map.of()));
            }
        }
    }

    private ObjectNode valid() {
        return JobFixtures.request("mlp_sgd", "jobs-bad", dataset);
    }

    private void assertBad(String what, Consumer<ObjectNode> change, String... fragments) {
        ObjectNode r = valid();
        change.accept(r);
        Http.Reply reply = http.postJson("/v1/jobs", r.toString());
        assertThat(reply.status()).as("%s: %s", what, reply.text()).isEqualTo(400);
        assertThat(reply.error()).as(what).contains(fragments);
    }

    private static ObjectNode opt(ObjectNode r) {
        return (ObjectNode) r.get("optimizer");
    }

    @Test
    void badRequestsNameTheFieldTheExpectedAndTheActualValue() {
        assertBad("unknown model", r -> r.put("model", "no-such-model"), "model", "no-such-model");
        assertBad("unknown version", r -> r.put("version", "999"), "version", "999");
        assertBad("bad version", r -> r.put("version", "one"), "version", "\"one\"");
        assertBad("unknown dataset", r -> r.put("dataset", "no-such-dataset"), "dataset", "no-such-dataset");
        assertBad("missing input", r -> r.put("input", "pixels"), "input", "pixels", "target");
        assertBad("missing target", r -> r.put("target", "labels"), "target", "labels", "input");
        assertBad("float targets for cross_entropy", r -> {
            r.put("dataset", regression);
            r.put("target", "target");
        }, "target", "cross_entropy", "int64", "FP32");
        assertBad("class targets for mse", r -> {
            r.put("dataset", regression);
            r.put("loss", "mse");
            r.put("target", "classes");
        }, "target", "mse", "floating point", "INT64");
        assertBad("mse target of another shape", r -> {
            r.put("dataset", regression);
            r.put("loss", "mse");
            r.put("target", "wide");
        }, "target", "mse", "(-1, 3)", "(8, 5)");
        assertBad("bce target of another shape", r -> {
            r.put("dataset", regression);
            r.put("loss", "bce_with_logits");
            r.put("target", "wide");
        }, "target", "bce_with_logits", "(8, 5)");
        assertBad("input of another shape", r -> {
            r.put("dataset", regression);
            r.put("input", "narrow");
        }, "input", "(-1, 20)", "(8, 7)");
        assertBad("input of another dtype", r -> {
            r.put("dataset", regression);
            r.put("input", "doubles");
        }, "input", "FP32", "FP64");
        assertBad("freeze naming no parameter", r -> r.putArray("freeze").add("0").add("5"),
                "freeze[1]", "\"5\"", "which names none", "\"0.weight\"");
        assertBad("freeze naming a buffer", r -> r.putArray("freeze").add("0.running_mean"), "freeze[0]");
        assertBad("freeze of every parameter", r -> r.putArray("freeze").add("0").add("2").add("4"),
                "freeze: expected at least one parameter left to train, got all 6 frozen");
        assertBad("unknown validation dataset", r -> r.putObject("validation").put("dataset", "no-such-dataset"),
                "validation.dataset", "no-such-dataset");
        assertBad("validation input of another shape", r -> r.putObject("validation").put("dataset", regression)
                .put("input", "narrow"), "validation.input", "(-1, 20)", "(8, 7)");
        assertBad("validation target unfit for the loss", r -> r.putObject("validation").put("dataset", regression),
                "validation.target", "cross_entropy", "int64", "FP32");
        assertBad("missing validation tensor", r -> r.putObject("validation").put("dataset", dataset)
                .put("target", "labels"), "validation.target", "labels");
        assertBad("a class weight per class", r -> r.putObject("loss_options").putArray("weight").add(1).add(2),
                "loss_options.weight: expected a weight for each of the 3 classes of the output \"logits\" (-1, 3), got 2");
        assertBad("no weight decay for nothing", r -> opt(r).putArray("no_weight_decay").add("*.bias").add("*.gamma"),
                "optimizer.no_weight_decay[1]", "\"*.gamma\"", "which names none");
        assertBad("a parameter group naming nothing", r -> opt(r).putArray("param_groups").addObject()
                .putArray("params").add("*.gamma"), "optimizer.param_groups[0].params[0]", "\"*.gamma\"", "which names none");
        assertBad("a one-cycle schedule shorter than the job", r -> r.putObject("lr_scheduler").put("type", "OneCycleLR")
                .put("max_lr", 0.1).put("total_steps", 3).put("interval", "step"), "lr_scheduler.total_steps: the job "
                + "steps this OneCycleLR", "(PyTorch raises past total_steps); expected at least", "got 3");
        assertBad("a one-cycle child shorter than its span", r -> {
            var seq = r.putObject("lr_scheduler").put("type", "SequentialLR").put("interval", "step");
            seq.putArray("milestones").add(2);
            var children = seq.putArray("schedulers");
            children.addObject().put("type", "ConstantLR");
            children.addObject().put("type", "OneCycleLR").put("max_lr", 0.1).put("total_steps", 2);
        }, "lr_scheduler.schedulers[1].total_steps: the job steps this OneCycleLR");
        assertBad("a parameter in two groups", r -> {
            var groups = opt(r).putArray("param_groups");
            groups.addObject().put("lr", 0.1).putArray("params").add("*.bias");
            groups.addObject().putArray("params").add("2");
        }, "optimizer.param_groups[1].params: names the parameter \"2.bias\", which optimizer.param_groups[0] names "
                + "already; expected each parameter in at most one group");
        assertBad("a split that leaves nothing to validate", r -> r.putObject("validation").put("split", 0.001),
                "validation.split: 0.001 of 96 samples leaves 96 to train on and 0 to validate; expected at least one "
                + "of each");
        assertBad("bad schedule", r -> r.putObject("lr_scheduler").put("type", "CosineAnnealingLR"),
                "lr_scheduler.T_max: required");
        assertBad("bad clipping", r -> r.putObject("clip_grad_norm").put("max_norm", -1),
                "clip_grad_norm.max_norm", "-1");
        assertBad("lr negative", r -> opt(r).put("lr", -0.1), "optimizer.lr", "-0.1");
        assertBad("lr a string", r -> opt(r).put("lr", "fast"), "optimizer.lr", "fast");
        Http.Reply nan = http.postJson("/v1/jobs", valid().toString().replace("\"lr\":0.1", "\"lr\":NaN"));
        assertThat(nan.status()).as(nan.text()).isEqualTo(400);
        assertThat(nan.error()).contains("optimizer.lr", "NaN");
        assertBad("epochs 0", r -> r.put("epochs", 0), "epochs", "[1, 100000]", "0");
        assertBad("epochs absurd", r -> r.put("epochs", 1_000_000_000), "epochs", "1000000000");
        assertBad("epochs absent", r -> r.remove("epochs"), "epochs", "required");
        ObjectNode huge = valid().put("loss", "Z".repeat(100_000));
        Http.Reply cut = http.postJson("/v1/jobs", huge.toString());
        assertThat(cut.status()).isEqualTo(400);
        assertThat(cut.error()).startsWith("loss: ").endsWith("characters in all)").hasSizeLessThan(2100);
        assertBad("more steps than a job may take", r -> {
            r.put("epochs", 100_000);
            r.put("batch_size", 1);
        }, "epochs: 100000 epochs of", "optimizer steps; expected at most 1000000 (nabla.jobs.max-steps)");
        assertBad("batch_size 0", r -> r.put("batch_size", 0), "batch_size", "0");
        assertBad("unknown optimizer", r -> opt(r).put("type", "lbfgs"), "optimizer.type", "lbfgs", "sgd");
        assertBad("unknown loss", r -> r.put("loss", "hinge"), "loss", "hinge", "cross_entropy");
        assertBad("unknown device", r -> r.put("device", "tpu"), "device", "tpu", "cpu");
        assertBad("cuda", r -> r.put("device", "cuda"), "device", "no CUDA device", "cuda");
        assertBad("cuda:1", r -> r.put("device", "cuda:1"), "device", "no CUDA device", "cuda:1");
        assertBad("fp8", r -> r.put("precision", "fp8"), "precision", "\"fp32\", \"bf16\" or \"fp16\"", "fp8");
        assertBad("BF16", r -> r.put("precision", "BF16"), "precision", "BF16");
        assertBad("int8", r -> r.put("precision", "int8"), "precision", "\"int8\" is for inference only",
                "\"fp32\", \"bf16\" or \"fp16\"");
        assertBad("loss_scaler in fp32", r -> r.putObject("loss_scaler").put("init_scale", 1024), "loss_scaler",
                "only with precision \"bf16\" or \"fp16\"", "\"fp32\"");
        assertBad("loss_scaler not an object", r -> r.put("precision", "fp16").put("loss_scaler", true),
                "loss_scaler: expected an object", "got true");
        assertBad("loss_scaler unknown field", r -> r.put("precision", "fp16").putObject("loss_scaler")
                .put("scale", 2), "loss_scaler.scale: unknown field", "init_scale");
        assertBad("init_scale 0", r -> r.put("precision", "fp16").putObject("loss_scaler").put("init_scale", 0),
                "loss_scaler.init_scale", "above 2.938736e-39", "got 0");
        assertBad("init_scale beyond float32", r -> r.put("precision", "fp16").putObject("loss_scaler")
                .put("init_scale", 1e39), "loss_scaler.init_scale", "3.4028235e38", "1.0E39");
        assertBad("init_scale whose reciprocal overflows", r -> r.put("precision", "fp16").putObject("loss_scaler")
                .put("init_scale", 1e-39), "loss_scaler.init_scale", "above 2.938736e-39", "1.0E-39");
        assertBad("growth_factor 1", r -> r.put("precision", "bf16").putObject("loss_scaler")
                .put("growth_factor", 1), "loss_scaler.growth_factor", "> 1.0", "got 1");
        assertBad("backoff_factor 1", r -> r.put("precision", "bf16").putObject("loss_scaler")
                .put("backoff_factor", 1.0), "loss_scaler.backoff_factor", "(0, 1)", "1.0");
        assertBad("growth_interval 0", r -> r.put("precision", "fp16").putObject("loss_scaler")
                .put("growth_interval", 0), "loss_scaler.growth_interval", "[1, 2147483647]", "got 0");
        assertBad("enabled \"no\"", r -> r.put("precision", "fp16").putObject("loss_scaler")
                .put("enabled", "no"), "loss_scaler.enabled", "true or false", "\"no\"");
        assertBad("unknown field", r -> r.put("learning_rate", 1), "learning_rate", "unknown field");
        assertBad("model absent", r -> r.remove("model"), "model", "required");
        Http.Reply notJson = http.postJson("/v1/jobs", "{\"model\": ");
        assertThat(notJson.status()).isEqualTo(400);
        assertThat(http.get("/v1/jobs").json().toString()).doesNotContain("no-such-model");
    }

    @Test
    void aFullQueueRefusesWithRetryAfterAndEveryAcceptedJobEnds() throws Exception {
        ObjectNode request = valid();
        request.put("epochs", 4);
        request.put("checkpoint_every_steps", 1000);
        int submissions = 10 * 16;
        List<Http.Reply> replies = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < submissions; i++) {
                futures.add(pool.submit(() -> replies.add(http.postJson("/v1/jobs", request.toString()))));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        List<String> accepted = new ArrayList<>();
        int refused = 0;
        for (Http.Reply r : replies) {
            if (r.status() == 202) {
                accepted.add(r.json().get("id").stringValue());
            } else {
                assertThat(r.status()).as(r.text()).isEqualTo(429);
                assertThat(r.header("Retry-After")).isNotNull();
                assertThat(r.error()).contains("queue", "16");
                refused++;
            }
        }
        assertThat(refused).isPositive();
        assertThat(accepted.size() + refused).isEqualTo(submissions);
        for (String id : accepted) {
            JsonNode job = JobFixtures.awaitFinal(http, id);
            assertThat(job.get("status").stringValue()).as(job.toString()).isEqualTo("SUCCEEDED");
        }
    }

    private Http.Reply postRaw(String body) {
        return http.postJson("/v1/jobs", body);
    }

    @Test
    void bodiesNestedDeeperThanTheConfiguredLimitAreRefusedNamingTheLimitAndTheDepth() {
        String atLimit = valid().toString().replaceFirst("\\{", "{\"x\": " + "[".repeat(15) + "]".repeat(15) + ",");
        Http.Reply ok = postRaw(atLimit);
        assertThat(ok.status()).as(ok.text()).isEqualTo(400);
        assertThat(ok.error()).as("16 levels pass the depth check").contains("x: unknown field");

        String deeper = valid().toString().replaceFirst("\\{", "{\"x\": " + "[".repeat(16) + "]".repeat(16) + ",");
        Http.Reply r = postRaw(deeper);
        assertThat(r.status()).as(r.text()).isEqualTo(400);
        assertThat(r.error()).contains("at most 16", "nabla.limits.max-json-depth", "got 17 levels")
                .doesNotContain("StreamReadConstraints", "Jackson");
        Http.Reply far = postRaw("{\"x\": " + "[".repeat(600) + "]".repeat(600) + "}");
        assertThat(far.status()).as(far.text()).isEqualTo(400);
        assertThat(far.error()).contains("at most 16", "got 17 levels");
    }

    @Test
    void malformedBodiesAreRefusedInTheApisWordsNeverJacksons() {
        String ok = valid().toString();
        String[][] cases = {
            {ok.replace("\"lr\":0.1", "\"lr\":0.1,\"momentum\":NaN"), "at optimizer.momentum",
                "NaN is not a JSON number"},
            {ok.replace("\"lr\":0.1", "\"lr\":+1"), "at optimizer.lr", "may not start with '+'"},
            {ok.replaceFirst("\\{", "{\"seed\":1" + "1".repeat(2000) + ","), "at seed",
                "a number is longer than 1000 characters"},
            {ok.replaceFirst("\\{", "{\"" + "k".repeat(60_000) + "\":1,"), "a field name is longer than 50000"},
            {ok + ok, "a second JSON value (an object) after the first one"},
            {ok.replaceFirst("\\{", "{/* c */"), "comments are not allowed in JSON"},
            {"  \n ", "expected a JSON object, got an empty body"}};
        for (String[] c : cases) {
            Http.Reply r = postRaw(c[0]);
            String what = c[0].length() > 60 ? c[0].substring(0, 60) : c[0];
            assertThat(r.status()).as("%s: %s", what, r.text()).isEqualTo(400);
            assertThat(r.error()).as(what).contains(java.util.Arrays.copyOfRange(c, 1, c.length));
            NoInternals.check(what, r.error());
        }
    }

    @Test
    void bodiesThatAreNotUtf8AreRefusedNamingTheByteNeverReadWithReplacementCharacters() {
        byte[] ok = valid().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        // "mlp_sgd" with its 'g' replaced by the byte FF: a lenient decoder turned it into U+FFFD and the error
        // then named a model "mlp_s\uFFFDd" the client never sent
        byte[] bad = ok.clone();
        int at = new String(ok, java.nio.charset.StandardCharsets.ISO_8859_1).indexOf("mlp_sgd") + 5;
        bad[at] = (byte) 0xFF;
        Http.Reply r = http.post("/v1/jobs", "application/json", bad, Map.of());
        assertThat(r.status()).as(r.text()).isEqualTo(400);
        assertThat(r.error()).isEqualTo("the request body: expected UTF-8 JSON, got bytes that are not valid UTF-8"
                + " (byte FF at offset " + at + ")");
        byte[] bom = new byte[ok.length + 3];
        bom[0] = (byte) 0xEF;
        bom[1] = (byte) 0xBB;
        bom[2] = (byte) 0xBF;
        System.arraycopy(ok, 0, bom, 3, ok.length);
        Http.Reply withBom = http.post("/v1/jobs", "application/json", bom, Map.of());
        assertThat(withBom.status()).as(withBom.text()).isEqualTo(400);
        assertThat(withBom.error()).isEqualTo("the request body: expected UTF-8 JSON without a byte-order mark, got"
                + " a UTF-8 byte-order mark (bytes EF BB BF) at the start");
        Http.Reply utf16 = http.post("/v1/jobs", "application/json",
                valid().toString().getBytes(java.nio.charset.StandardCharsets.UTF_16LE), Map.of());
        assertThat(utf16.status()).as(utf16.text()).isEqualTo(400);
        assertThat(utf16.error()).contains("got a zero byte at offset 1 (UTF-16 or UTF-32 text?)");
    }

    @Test
    void aFieldSentTwiceIsRefusedByName() {
        String twice = valid().toString().replaceFirst("\\{", "{\"epochs\": 1,");
        Http.Reply r = postRaw(twice);
        assertThat(r.status()).as(r.text()).isEqualTo(400);
        assertThat(r.error()).isEqualTo("field 'epochs' appears twice in the request body");
        Http.Reply nested = postRaw(valid().toString().replaceFirst("\"optimizer\":\\{",
                "\"optimizer\":{\"lr\": 0.5,"));
        assertThat(nested.status()).as(nested.text()).isEqualTo(400);
        assertThat(nested.error()).isEqualTo("field 'lr' appears twice in optimizer");
    }
}
