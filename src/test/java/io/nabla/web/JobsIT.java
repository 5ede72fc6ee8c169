package io.nabla.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Fine-tuning jobs through real HTTP on the embedded database: the golden PyTorch runs reproduced by a job (every
 * loss, the published weights), the event stream, listing, cancelling.
 */
class JobsIT extends ServerTestBase {

    /** Runs a golden training run as a job and checks it against PyTorch; returns the finished job. */
    static JsonNode goldenJob(Http http, String run, String model) {
        String dataset = JobFixtures.prepare(http, run, model);
        String id = JobFixtures.submit(http, JobFixtures.request(run, model, dataset));
        JsonNode job = JobFixtures.awaitFinal(http, id);
        assertThat(job.get("status").stringValue()).as(job.toString()).isEqualTo("SUCCEEDED");
        JsonNode expected = JobFixtures.json(JobFixtures.dir(run) + "losses.json").get("losses");
        JsonNode losses = job.get("losses");
        assertThat(losses.size()).as("one loss per step").isEqualTo(expected.size());
        assertThat(job.get("step").intValue()).isEqualTo(expected.size());
        assertThat(job.get("total_steps").intValue()).isEqualTo(expected.size());
        for (int i = 0; i < expected.size(); i++) {
            double e = expected.get(i).doubleValue();
            assertThat(Math.abs(losses.get(i).doubleValue() - e)).as("%s loss of step %d: %s vs PyTorch %s", run, i,
                    losses.get(i), e).isLessThanOrEqualTo(1e-6 + 1e-4 * Math.abs(e));
        }
        assertThat(job.get("version").stringValue()).isEqualTo("1");
        assertThat(job.get("result_version").stringValue()).isEqualTo("2");
        assertThat(job.get("device").stringValue()).isEqualTo("cpu");
        assertThat(job.get("error").isNull()).isTrue();
        for (String t : List.of("created_at", "started_at", "finished_at")) {
            assertThat(job.get(t).isString()).as(t).isTrue();
        }
        Http.Reply weights = http.get("/v2/repository/models/" + model + "/versions/2/weights");
        assertThat(weights.status()).isEqualTo(200);
        try (TensorScope scope = TensorScope.open()) {
            Map<String, Tensor> actual = JobFixtures.tensors(weights.body());
            Map<String, Tensor> golden = JobFixtures.tensors(JobFixtures.bytes(JobFixtures.dir(run)
                    + "final.safetensors"));
            assertThat(actual.keySet()).containsExactlyInAnyOrderElementsOf(golden.keySet());
            golden.forEach((k, v) -> JobFixtures.assertClose(run + " final " + k, actual.get(k), v, 1e-4, 1e-5));
        }
        Http.Reply ready = http.get("/v2/models/" + model + "/versions/2");
        assertThat(ready.status()).as("the result is servable: %s", ready.text()).isEqualTo(200);
        return job;
    }

    @ParameterizedTest
    @ValueSource(strings = {"mlp_sgd", "mlp_adamw"})
    void aJobReproducesPyTorchAndPublishesTheNextVersion(String run) {
        goldenJob(http, run, "jobs-" + run.replace('_', '-'));
    }

    /**
     * The golden mlp_sgd run as a job with {@code "precision": "fp16"} and PyTorch's scaler settings given in
     * {@code loss_scaler}: every loss and the published weights as
     * PyTorch's autocast run of it (src/test/resources/training/gen_amp.py), which the FP32 run is told apart from.
     */
    @Test
    void aMixedPrecisionJobReproducesPyTorchsAutocastRun() {
        String model = "jobs-amp";
        String dataset = JobFixtures.prepare(http, "mlp_sgd", model);
        ObjectNode request = JobFixtures.request("mlp_sgd", model, dataset);
        request.put("precision", "fp16");
        request.put("checkpoint_every_steps", 5);
        // PyTorch's GradScaler defaults, spelled out (the extension's loss_scaler object)
        request.putObject("loss_scaler").put("enabled", true).put("init_scale", 65536.0).put("growth_factor", 2)
                .put("backoff_factor", 0.5).put("growth_interval", 2000);
        JsonNode job = JobFixtures.awaitFinal(http, JobFixtures.submit(http, request));
        assertThat(job.get("status").stringValue()).as(job.toString()).isEqualTo("SUCCEEDED");
        JsonNode amp = JobFixtures.json("/training/amp_fp16_mlp_sgd_job.json");
        JsonNode fp32 = JobFixtures.json(JobFixtures.dir("mlp_sgd") + "losses.json").get("losses");
        JsonNode expected = amp.get("losses");
        JsonNode losses = job.get("losses");
        assertThat(losses.size()).isEqualTo(expected.size());
        double fp32Apart = 0;
        for (int i = 0; i < expected.size(); i++) {
            double e = expected.get(i).doubleValue();
            double tol = 1e-6 + 1e-5 * Math.abs(e);
            assertThat(Math.abs(losses.get(i).doubleValue() - e)).as("fp16 loss of step %d: %s vs PyTorch %s", i,
                    losses.get(i), e).isLessThanOrEqualTo(tol);
            fp32Apart = Math.max(fp32Apart, Math.abs(fp32.get(i).doubleValue() - e) / tol);
        }
        assertThat(fp32Apart).as("the FP32 run lies outside the tolerance").isGreaterThan(1);
        Http.Reply weights = http.get("/v2/repository/models/" + model + "/versions/2/weights");
        assertThat(weights.status()).isEqualTo(200);
        try (TensorScope scope = TensorScope.open()) {
            Map<String, Tensor> actual = JobFixtures.tensors(weights.body());
            JsonNode fin = amp.get("final");
            assertThat(actual.keySet()).containsExactlyInAnyOrderElementsOf(fin.propertyNames());
            actual.forEach((k, v) -> {
                double[] a = v.toDoubleArray();
                JsonNode exp = fin.get(k).get("data");
                for (int i = 0; i < a.length; i++) {
                    double x = exp.get(i).doubleValue();
                    assertThat(Math.abs(a[i] - x)).as("%s[%d]: %s vs PyTorch %s", k, i, a[i], x)
                            .isLessThanOrEqualTo(1e-5 + 1e-4 * Math.abs(x));
                }
            });
        }
    }

    /**
     * A job with a per-step warm-up-then-cosine schedule, inf-norm clipping and frozen parameters
     * ({@code training/job_extensions.json}, a PyTorch 1.13 run): every loss and the published weights as PyTorch's,
     * the frozen ones unchanged.
     */
    @Test
    void aJobWithAScheduleClippingAndFrozenParametersReproducesPyTorch() {
        String model = "jobs-extensions";
        JsonNode fixture = JobFixtures.json("/training/job_extensions.json");
        Http.Reply created = http.createModel(model, fixture.get("spec").toString(),
                JobFixtures.bytes("/training/job_extensions_model.safetensors"));
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        String dataset = JobFixtures.uploadDataset(http, JobFixtures.bytes("/training/job_extensions_data.safetensors"));
        JsonNode c = fixture.get("cases").get(1);
        assertThat(c.get("name").stringValue()).isEqualTo("adamw_warmup_cosine_step_clip_inf_freeze_weight");
        ObjectNode request = Http.JSON.createObjectNode();
        request.put("model", model).put("dataset", dataset).put("loss", "cross_entropy");
        for (String f : List.of("optimizer", "lr_scheduler", "clip_grad_norm", "freeze", "epochs", "batch_size",
                "shuffle", "seed")) {
            request.set(f, c.get(f));
        }
        String validation = JobFixtures.uploadDataset(http,
                JobFixtures.bytes("/training/job_extensions_validation.safetensors"));
        request.putObject("validation").put("dataset", validation).put("batch_size", 6);
        List<String> stream = new ArrayList<>();
        String id = submitAndStream(request, "jobs-extensions-blocker", stream);
        JsonNode job = JobFixtures.awaitFinal(http, id);
        assertThat(job.get("status").stringValue()).as(job.toString()).isEqualTo("SUCCEEDED");
        JsonNode evaluated = job.get("validation");
        List<JsonNode> streamed = new ArrayList<>();
        for (int i = 0; i + 1 < stream.size(); i++) {
            if (stream.get(i).equals("event:validation")) {
                streamed.add(Http.JSON.readTree(stream.get(i + 1).substring("data:".length())));
            }
        }
        JsonNode streamedTree = Http.JSON.valueToTree(streamed);
        assertThat(streamedTree).as("the evaluations, streamed as made").isEqualTo(evaluated);
        List<Double> rates = new ArrayList<>();
        for (int i = 0; i + 1 < stream.size(); i++) {
            if (stream.get(i).equals("event:progress")) {
                JsonNode event = Http.JSON.readTree(stream.get(i + 1).substring("data:".length()));
                rates.add(event.get("lr").doubleValue());
                assertThat(event.has("lrs")).as("lrs only with param_groups: %s", event).isFalse();
            }
        }
        // the rate each step took: PyTorch's after the previous step (lrs[i] is the rate after step i), the first
        // being the warm-up's start
        List<Double> expectedRates = new ArrayList<>();
        expectedRates.add(c.get("optimizer").get("lr").doubleValue() * 0.1);
        for (int i = 0; i + 1 < c.get("lrs").size(); i++) {
            expectedRates.add(c.get("lrs").get(i).doubleValue());
        }
        assertThat(rates).as("the rate of every step, as PyTorch's schedule gives it").isEqualTo(expectedRates);
        assertThat(evaluated.size()).as(job.toString()).isEqualTo(3);
        for (int e = 0; e < 3; e++) {
            assertThat(evaluated.get(e).get("epoch").intValue()).isEqualTo(e);
            assertThat(evaluated.get(e).get("step").intValue()).isEqualTo(5 * (e + 1));
            assertThat(evaluated.get(e).get("loss").doubleValue()).isBetween(0.1, 5.0);
            assertThat(evaluated.get(e).get("accuracy").doubleValue() * 20).as("a fraction of 20 samples")
                    .isCloseTo(Math.rint(evaluated.get(e).get("accuracy").doubleValue() * 20),
                            org.assertj.core.data.Offset.offset(1e-9));
        }
        assertThat(http.get("/v1/jobs").json().get(0).get("validation")).isEqualTo(evaluated);
        JsonNode expected = c.get("losses");
        assertThat(job.get("losses").size()).isEqualTo(expected.size());
        for (int i = 0; i < expected.size(); i++) {
            double e = expected.get(i).doubleValue();
            assertThat(Math.abs(job.get("losses").get(i).doubleValue() - e)).as("loss %d", i)
                    .isLessThanOrEqualTo(1e-6 + 1e-4 * Math.abs(e));
        }
        try (TensorScope scope = TensorScope.open()) {
            Map<String, Tensor> actual = JobFixtures.tensors(http.get("/v2/repository/models/" + model
                    + "/versions/2/weights").body());
            Map<String, Tensor> initial = JobFixtures.tensors(
                    JobFixtures.bytes("/training/job_extensions_model.safetensors"));
            c.get("final").properties().forEach(e -> {
                double[] a = actual.get(e.getKey()).toDoubleArray();
                for (int i = 0; i < a.length; i++) {
                    double x = e.getValue().get("data").get(i).doubleValue();
                    assertThat(Math.abs(a[i] - x)).as("%s[%d]", e.getKey(), i)
                            .isLessThanOrEqualTo(1e-5 + 1e-4 * Math.abs(x));
                }
            });
            for (String frozen : List.of("4.weight", "0.bias")) {
                assertThat(actual.get(frozen).toFloatArray()).as(frozen)
                        .isEqualTo(initial.get(frozen).toFloatArray());
            }
        }
    }

    /**
     * A job with parameter groups ({@code optimizer.param_groups}) trains each group at its own rate, as PyTorch's
     * parameter groups do ({@code training/job_extensions.json}): every loss as PyTorch's, and each progress event with
     * every group's rate.
     */
    @Test
    void aJobWithParameterGroupsTrainsEachAtItsOwnRate() {
        String model = "jobs-param-groups";
        JsonNode fixture = JobFixtures.json("/training/job_extensions.json");
        assertThat(http.createModel(model, fixture.get("spec").toString(),
                JobFixtures.bytes("/training/job_extensions_model.safetensors")).status()).isEqualTo(201);
        String dataset = JobFixtures.uploadDataset(http, JobFixtures.bytes("/training/job_extensions_data.safetensors"));
        JsonNode c = null;
        for (JsonNode k : fixture.get("cases")) {
            if (k.get("name").stringValue().equals("adamw_param_groups_cosine_eta_min_step_no_weight_decay")) {
                c = k;
            }
        }
        ObjectNode request = Http.JSON.createObjectNode();
        request.put("model", model).put("dataset", dataset).put("loss", "cross_entropy");
        for (String f : List.of("optimizer", "lr_scheduler", "freeze", "epochs", "batch_size", "shuffle", "seed")) {
            request.set(f, c.get(f));
        }
        List<String> stream = new ArrayList<>();
        String id = submitAndStream(request, "jobs-param-groups-blocker", stream);
        JsonNode job = JobFixtures.awaitFinal(http, id);
        assertThat(job.get("status").stringValue()).as(job.toString()).isEqualTo("SUCCEEDED");
        List<JsonNode> progress = new ArrayList<>();
        for (int i = 0; i + 1 < stream.size(); i++) {
            if (stream.get(i).equals("event:progress")) {
                progress.add(Http.JSON.readTree(stream.get(i + 1).substring("data:".length())));
            }
        }
        // ?losses_from=K: only the losses of steps K and after, and the step they start at
        assertThat(job.has("losses_from")).as("only when asked").isFalse();
        JsonNode tail = http.get("/v1/jobs/" + id + "?losses_from=10").json();
        assertThat(tail.get("losses_from").intValue()).isEqualTo(10);
        assertThat(tail.get("losses").size()).isEqualTo(job.get("losses").size() - 10);
        assertThat(tail.get("losses").get(0)).isEqualTo(job.get("losses").get(10));
        assertThat(tail.get("step").intValue()).isEqualTo(job.get("step").intValue());
        assertThat(http.get("/v1/jobs/" + id + "?losses_from=1000").json().get("losses").size()).isZero();
        Http.Reply bad = http.get("/v1/jobs/" + id + "?losses_from=-1");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.error()).isEqualTo("losses_from: expected an integer >= 0 (a step), got \"-1\"");
        JsonNode groupLrs = c.get("group_lrs");
        assertThat(progress).hasSize(groupLrs.size());
        for (int i = 1; i < progress.size(); i++) {
            JsonNode rates = progress.get(i).get("lrs");
            assertThat(rates.size()).isEqualTo(3);
            assertThat(progress.get(i).get("lr").doubleValue()).isEqualTo(rates.get(0).doubleValue());
            for (int g = 0; g < 3; g++) {
                assertThat(rates.get(g).doubleValue()).as("group %d at step %d", g, i)
                        .isCloseTo(groupLrs.get(i - 1).get(g).doubleValue(), org.assertj.core.data.Offset.offset(1e-15));
            }
        }
        JsonNode expected = c.get("losses");
        for (int i = 0; i < expected.size(); i++) {
            double e = expected.get(i).doubleValue();
            assertThat(Math.abs(job.get("losses").get(i).doubleValue() - e)).as("loss %d", i)
                    .isLessThanOrEqualTo(1e-6 + 1e-4 * Math.abs(e));
        }
    }

    /**
     * A job with early stopping ends when its validation loss stops improving, says so, and publishes its best
     * epoch's weights, as the PyTorch loop with Keras' rule does ({@code training/job_extensions.json}).
     */
    @Test
    void aJobStopsEarlyAndPublishesItsBestEpoch() {
        String model = "jobs-early-stopping";
        JsonNode fixture = JobFixtures.json("/training/job_extensions.json");
        assertThat(http.createModel(model, fixture.get("spec").toString(),
                JobFixtures.bytes("/training/job_extensions_model.safetensors")).status()).isEqualTo(201);
        String dataset = JobFixtures.uploadDataset(http, JobFixtures.bytes("/training/job_extensions_data.safetensors"));
        String validation = JobFixtures.uploadDataset(http,
                JobFixtures.bytes("/training/job_extensions_validation.safetensors"));
        JsonNode c = null;
        for (JsonNode k : fixture.get("cases")) {
            if (k.get("name").stringValue().equals("sgd_early_stopping_restores_best")) {
                c = k;
            }
        }
        ObjectNode request = Http.JSON.createObjectNode();
        request.put("model", model).put("dataset", dataset).put("loss", "cross_entropy");
        for (String f : List.of("optimizer", "early_stopping", "epochs", "batch_size", "shuffle", "seed")) {
            request.set(f, c.get(f));
        }
        request.putObject("validation").put("dataset", validation);
        JsonNode job = JobFixtures.awaitFinal(http, JobFixtures.submit(http, request));
        assertThat(job.get("status").stringValue()).as(job.toString()).isEqualTo("SUCCEEDED");
        assertThat(job.get("step").intValue()).isEqualTo(30);
        assertThat(job.get("total_steps").intValue()).isEqualTo(60);
        assertThat(job.get("validation").size()).isEqualTo(6);
        JsonNode state = job.get("early_stopping");
        assertThat(state.get("stopped_early").booleanValue()).as(job.toString()).isTrue();
        assertThat(state.get("best_epoch").intValue()).isEqualTo(3);
        assertThat(state.get("epochs_since_best").intValue()).isEqualTo(2);
        assertThat(state.get("monitor").stringValue()).isEqualTo("loss");
        assertThat(state.get("best_value").doubleValue()).isEqualTo(job.get("validation").get(3).get("loss")
                .doubleValue());
        try (TensorScope scope = TensorScope.open()) {
            Map<String, Tensor> actual = JobFixtures.tensors(http.get("/v2/repository/models/" + model
                    + "/versions/2/weights").body());
            c.get("final").properties().forEach(e -> {
                double[] a = actual.get(e.getKey()).toDoubleArray();
                for (int i = 0; i < a.length; i++) {
                    double x = e.getValue().get("data").get(i).doubleValue();
                    assertThat(Math.abs(a[i] - x)).as("%s[%d]", e.getKey(), i)
                            .isLessThanOrEqualTo(1e-5 + 1e-4 * Math.abs(x));
                }
            });
        }
        assertThat(http.get("/v1/jobs").json().get(0).get("early_stopping")).isEqualTo(state);
    }

    @Test
    void aRequestWithoutAVersionRightAfterSucceededIsAnsweredByTheJobsResult() {
        String model = "jobs-fresh";
        String dataset = JobFixtures.prepare(http, "mlp_sgd", model);
        String row = "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,20],\"datatype\":\"FP32\",\"data\":"
                + "[" + "0.5,".repeat(19) + "0.5]}]}";
        Http.Reply before = http.postJson("/v2/models/" + model + "/infer", row);
        assertThat(before.json().get("model_version").stringValue()).as(before.text()).isEqualTo("1");
        JsonNode job = JobFixtures.awaitFinal(http, JobFixtures.submit(http, JobFixtures.request("mlp_sgd", model,
                dataset)));
        assertThat(job.get("status").stringValue()).as(job.toString()).isEqualTo("SUCCEEDED");
        Http.Reply after = http.postJson("/v2/models/" + model + "/infer", row);
        assertThat(after.json().get("model_version").stringValue()).as("servable at once: %s", after.text())
                .isEqualTo(job.get("result_version").stringValue());
    }

    /**
     * Submits {@code request} behind a long job (model {@code blockerModel}) that holds the CPU worker, opens the
     * event stream of the waiting job, then cancels the long one: the stream, whose lines go into {@code lines}, sees
     * the whole job, however fast it runs. Returns the job's id.
     */
    private String submitAndStream(ObjectNode request, String blockerModel, List<String> lines) {
        String blockerData = JobFixtures.prepare(http, "mlp_sgd", blockerModel);
        ObjectNode blocker = JobFixtures.request("mlp_sgd", blockerModel, blockerData);
        blocker.put("epochs", 5000);
        blocker.put("checkpoint_every_steps", 100_000);
        String ahead = JobFixtures.submit(http, blocker);
        String id = JobFixtures.submit(http, request);
        try {
            HttpResponse<Stream<String>> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + port + "/v1/jobs/" + id + "/events"))
                    .timeout(Duration.ofSeconds(60)).GET().build(), HttpResponse.BodyHandlers.ofLines());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
            assertThat(http.delete("/v1/jobs/" + ahead).status()).isEqualTo(202);
            r.body().filter(l -> !l.isEmpty()).forEach(lines::add);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        assertThat(lines.get(1)).as("the stream opened while the job waited").contains("\"status\":\"QUEUED\"");
        return id;
    }

    @Test
    void eventsStreamEveryStepThenTheFinalStatus() throws Exception {
        String dataset = JobFixtures.prepare(http, "mlp_sgd", "jobs-events");
        ObjectNode request = JobFixtures.request("mlp_sgd", "jobs-events", dataset);
        request.put("epochs", 50);
        request.put("checkpoint_every_steps", 100);
        List<String> lines = new ArrayList<>();
        String id = submitAndStream(request, "jobs-events-blocker", lines);
        List<JsonNode> events = new ArrayList<>();
        lines.stream().filter(l -> l.startsWith("data:")).forEach(l -> events.add(Http.JSON.readTree(l.substring(5))));
        JsonNode last = events.get(events.size() - 1);
        assertThat(last.get("status").stringValue()).isEqualTo("SUCCEEDED");
        assertThat(last.get("step").intValue()).isEqualTo(300);
        List<JsonNode> progress = events.stream().filter(e -> !e.get("loss").isNull()).toList();
        assertThat(progress).as("opened while the job waited, the stream has every step").hasSize(300);
        for (int i = 1; i < progress.size(); i++) {
            assertThat(progress.get(i).get("step").intValue()).isEqualTo(progress.get(i - 1).get("step").intValue()
                    + 1);
        }
        JsonNode job = JobFixtures.awaitFinal(http, id);
        JsonNode lastProgress = progress.get(progress.size() - 1);
        assertThat(lastProgress.get("loss").doubleValue())
                .isEqualTo(job.get("losses").get(lastProgress.get("step").intValue() - 1).doubleValue());
    }

    /**
     * A stream on a finished job sends the final status and ends (answered at once, without an async request); it
     * does not count against the open-stream limit.
     */
    @Test
    void streamsOnAFinishedJobDoNotUseUpTheStreamLimit() {
        String dataset = JobFixtures.prepare(http, "mlp_sgd", "jobs-finished-streams");
        String id = JobFixtures.submit(http, JobFixtures.request("mlp_sgd", "jobs-finished-streams", dataset));
        JobFixtures.awaitFinal(http, id);
        for (int i = 0; i < JobsController.MAX_STREAMS + 20; i++) {
            Http.Reply r = http.get("/v1/jobs/" + id + "/events");
            assertThat(r.status()).as("stream %d: %s", i, r.text()).isEqualTo(200);
            assertThat(r.text()).contains("SUCCEEDED");
        }
    }

    @Test
    void jobsAreListedNewestFirst() {
        String dataset = JobFixtures.prepare(http, "mlp_sgd", "jobs-list");
        String first = JobFixtures.submit(http, JobFixtures.request("mlp_sgd", "jobs-list", dataset));
        String second = JobFixtures.submit(http, JobFixtures.request("mlp_sgd", "jobs-list", dataset));
        JobFixtures.awaitFinal(http, first);
        JobFixtures.awaitFinal(http, second);
        Http.Reply r = http.get("/v1/jobs");
        assertThat(r.status()).isEqualTo(200);
        List<String> ids = new ArrayList<>();
        r.json().forEach(j -> ids.add(j.get("id").stringValue()));
        assertThat(ids).contains(first, second);
        assertThat(ids.indexOf(second)).isLessThan(ids.indexOf(first));

        // an extension: only some, a page at a time, the next page named in a Link header
        Http.Reply page = http.get("/v1/jobs?model=jobs-list&status=SUCCEEDED,FAILED&limit=1");
        assertThat(page.status()).as(page.text()).isEqualTo(200);
        assertThat(page.json().size()).isEqualTo(1);
        assertThat(page.json().get(0).get("id").stringValue()).isEqualTo(second);
        assertThat(page.header("Link")).isEqualTo("</v1/jobs?limit=1&before=" + second
                + "&status=SUCCEEDED&status=FAILED&model=jobs-list>; rel=\"next\"");
        Http.Reply next = http.get("/v1/jobs?limit=1&before=" + second + "&status=SUCCEEDED&status=FAILED"
                + "&model=jobs-list");
        assertThat(next.json().get(0).get("id").stringValue()).isEqualTo(first);
        Http.Reply last = http.get("/v1/jobs?limit=1&before=" + first + "&model=jobs-list");
        assertThat(last.json().size()).isZero();
        assertThat(last.header("Link")).isNull();
        assertThat(http.get("/v1/jobs?model=jobs-list&status=RUNNING").json().size()).isZero();
        for (String[] bad : new String[][] {{"status=DONE", "status: expected one of [QUEUED, RUNNING, SUCCEEDED, "
                + "FAILED, CANCELLED], got \"DONE\""}, {"limit=0", "limit: expected an integer in [1, 1000], got \"0\""},
                {"limit=x", "limit: expected an integer in [1, 1000], got \"x\""},
                {"before=nope", "before: expected the id of a job, got \"nope\", which does not exist"}}) {
            Http.Reply r400 = http.get("/v1/jobs?" + bad[0]);
            assertThat(r400.status()).as(bad[0]).isEqualTo(400);
            assertThat(r400.error()).isEqualTo(bad[1]);
        }
    }

    @Test
    void cancellingStopsARunningJobFreesItsMemoryAndRefusesFinishedOrUnknownOnes() {
        String dataset = JobFixtures.prepare(http, "mlp_sgd", "jobs-cancel");
        ObjectNode request = JobFixtures.request("mlp_sgd", "jobs-cancel", dataset);
        request.put("epochs", 50_000);
        String id = JobFixtures.submit(http, request);
        String queued = JobFixtures.submit(http, request);
        JobFixtures.awaitStep(http, id, 3);
        assertThat(http.get("/v1/devices").json().get(0).get("arenas").toString()).contains("job:" + id);

        Http.Reply cancelQueued = http.delete("/v1/jobs/" + queued);
        assertThat(cancelQueued.status()).as(cancelQueued.text()).isEqualTo(202);
        assertThat(cancelQueued.json().get("status").stringValue()).isEqualTo("CANCELLED");
        assertThat(cancelQueued.json().get("step").intValue()).isZero();
        assertThat(cancelQueued.json().get("started_at").isNull()).isTrue();

        Http.Reply cancel = http.delete("/v1/jobs/" + id);
        assertThat(cancel.status()).as(cancel.text()).isEqualTo(202);
        JsonNode job = JobFixtures.awaitFinal(http, id);
        assertThat(job.get("status").stringValue()).isEqualTo("CANCELLED");
        assertThat(job.get("error").stringValue()).contains("cancelled");
        assertThat(job.get("step").intValue()).isBetween(3, 299_999);
        assertThat(job.get("losses").size()).isEqualTo(job.get("step").intValue());
        assertThat(job.get("result_version").isNull()).isTrue();
        assertThat(http.get("/v2/repository/models/jobs-cancel/versions/2/spec").status()).isEqualTo(404);
        assertThat(http.get("/v1/devices").json().get(0).get("arenas").toString()).doesNotContain("job:" + id);

        Http.Reply again = http.delete("/v1/jobs/" + id);
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.error()).contains(id, "CANCELLED");
        Http.Reply unknown = http.delete("/v1/jobs/no-such-job");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.error()).contains("no-such-job");
        assertThat(http.get("/v1/jobs/no-such-job").status()).isEqualTo(404);
        Http.Reply events = http.get("/v1/jobs/no-such-job/events");
        assertThat(events.status()).isEqualTo(404);
        assertThat(events.error()).contains("no-such-job");
    }

    /**
     * A job's result never goes into another model created under the name of the one it trains: deleting the model
     * and uploading a new one (another architecture) while the job runs ends the job FAILED, at once, and requests
     * without a version keep getting the new model's outputs.
     */
    @Test
    void aJobWhoseModelIsDeletedAndCreatedAgainWhileItRunsFailsAndPublishesNothing() {
        String model = "jobs-recreated";
        String dataset = JobFixtures.prepare(http, "mlp_sgd", model);
        ObjectNode request = JobFixtures.request("mlp_sgd", model, dataset);
        request.put("epochs", 2_000);
        String id = JobFixtures.submit(http, request);
        JobFixtures.awaitStep(http, id, 3);
        assertThat(http.delete("/v2/repository/models/" + model).status()).isEqualTo(204);
        assertThat(create(model, """
                {"inputs": [{"name": "input", "datatype": "FP32", "shape": [-1, 20]}],
                 "outputs": [{"name": "logits", "datatype": "FP32", "shape": [-1, 5]}],
                 "layers": [{"type": "Linear", "in_features": 20, "out_features": 8}, {"type": "ReLU"},
                            {"type": "Linear", "in_features": 8, "out_features": 5}]}""", null)).isEqualTo("1");

        JsonNode job = JobFixtures.awaitFinal(http, id);
        assertThat(job.get("status").stringValue()).as(job.toString()).isEqualTo("FAILED");
        // the job may notice the delete before the new upload
        assertThat(job.get("error").stringValue()).matches("model \"jobs-recreated\" was deleted( and created "
                + "again)? while the job ran; its result has nowhere to go");
        assertThat(job.get("result_version").isNull()).isTrue();
        assertThat(job.get("step").intValue()).as("noticed before training on").isLessThan(6_000);
        assertThat(http.get("/v2/models/" + model).json().get("versions").toString()).isEqualTo("[\"1\"]");
        Http.Reply r = http.postJson("/v2/models/" + model + "/infer", "{\"inputs\":[{\"name\":\"input\","
                + "\"shape\":[1,20],\"datatype\":\"FP32\",\"data\":[" + "0.5,".repeat(19) + "0.5]}]}");
        assertThat(r.json().get("model_version").stringValue()).as(r.text()).isEqualTo("1");
        assertThat(r.json().get("outputs").get(0).get("shape").toString()).isEqualTo("[1,5]");
    }

    @Test
    void theDefaultJobDatabaseIsAnH2FileInTheStore() {
        assertThat(STORE.resolve("jobs/jobs.mv.db")).exists();
    }

    @Test
    void theServerAnnouncesTrainingJobs() {
        assertThat(http.get("/v2").json().get("extensions").toString()).contains("training_jobs");
    }

    /** The events of a stream as (name, data) until it ends. */
    private List<Map.Entry<String, JsonNode>> events(String id) throws Exception {
        HttpResponse<Stream<String>> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + port + "/v1/jobs/" + id + "/events"))
                .timeout(Duration.ofSeconds(60)).GET().build(), HttpResponse.BodyHandlers.ofLines());
        assertThat(r.statusCode()).isEqualTo(200);
        List<Map.Entry<String, JsonNode>> out = new ArrayList<>();
        String[] name = {null};
        r.body().forEach(l -> {
            if (l.startsWith("event:")) {
                name[0] = l.substring(6).trim();
            } else if (l.startsWith("data:")) {
                out.add(Map.entry(name[0], Http.JSON.readTree(l.substring(5))));
            }
        });
        return out;
    }

    private static boolean nonFinite(JsonNode loss) {
        return loss.isString() && List.of("NaN", "Infinity", "-Infinity").contains(loss.stringValue());
    }

    @Test
    void aDivergingJobReportsItsNonFiniteLossesAsStringsAndStaysReadable() throws Exception {
        String dataset = JobFixtures.prepare(http, "mlp_sgd", "jobs-diverge");
        ObjectNode blocker = JobFixtures.request("mlp_sgd", "jobs-diverge", dataset);
        blocker.put("epochs", 50_000);
        blocker.put("device", "cpu");
        String busy = JobFixtures.submit(http, blocker);
        JobFixtures.awaitStep(http, busy, 1);
        ObjectNode request = JobFixtures.request("mlp_sgd", "jobs-diverge", dataset);
        request.put("device", "cpu");
        ((ObjectNode) request.get("optimizer")).put("lr", 1e30);
        String id = JobFixtures.submit(http, request);
        java.util.concurrent.CompletableFuture<List<Map.Entry<String, JsonNode>>> stream =
                java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                    try {
                        return events(id);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
        JobFixtures.sleep(200); // the stream subscribes while the job waits behind the busy CPU
        assertThat(http.delete("/v1/jobs/" + busy).status()).isEqualTo(202);

        JsonNode job = JobFixtures.awaitFinal(http, id);
        assertThat(job.get("status").stringValue()).as(job.toString()).isEqualTo("SUCCEEDED");
        JsonNode losses = job.get("losses");
        assertThat(losses.size()).isEqualTo(job.get("total_steps").intValue());
        assertThat(losses.valueStream().filter(JobsIT::nonFinite).count()).as(losses.toString()).isPositive();
        losses.forEach(l -> assertThat(l.isNumber() || nonFinite(l)).as(l.toString()).isTrue());

        List<Map.Entry<String, JsonNode>> events = stream.get(60, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(events.get(events.size() - 1).getValue().get("status").stringValue()).isEqualTo("SUCCEEDED");
        int step = -1;
        for (Map.Entry<String, JsonNode> e : events) {
            int s = e.getValue().get("step").intValue();
            assertThat(s).as("steps never go back: %s", events).isGreaterThanOrEqualTo(step);
            step = s;
            if (e.getKey().equals("progress")) {
                assertThat(e.getValue().get("loss")).as("loss of step %d", s).isEqualTo(losses.get(s - 1));
            }
        }
        assertThat(events).filteredOn(e -> e.getKey().equals("progress")).hasSize(losses.size());

        Http.Reply listed = http.get("/v1/jobs");
        assertThat(listed.status()).as(listed.text()).isEqualTo(200);
        assertThat(listed.json().valueStream().filter(j -> j.get("id").stringValue().equals(id)).findFirst()
                .orElseThrow().get("losses")).isEqualTo(losses);
        List<Map.Entry<String, JsonNode>> after = events(id);
        assertThat(after).singleElement().extracting(e -> e.getValue().get("status").stringValue())
                .isEqualTo("SUCCEEDED");
        Http.Reply cancel = http.delete("/v1/jobs/" + id);
        assertThat(cancel.status()).as(cancel.text()).isEqualTo(409);
        assertThat(cancel.error()).contains(id, "SUCCEEDED");
    }

    @Test
    @org.junit.jupiter.api.extension.ExtendWith(org.springframework.boot.test.system.OutputCaptureExtension.class)
    void aClientLeavingTheEventStreamIsNotAnError(org.springframework.boot.test.system.CapturedOutput output)
            throws Exception {
        String dataset = JobFixtures.prepare(http, "mlp_sgd", "jobs-leave");
        ObjectNode request = JobFixtures.request("mlp_sgd", "jobs-leave", dataset);
        request.put("epochs", 50_000);
        String id = JobFixtures.submit(http, request);
        JobFixtures.awaitStep(http, id, 1);
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
            s.getOutputStream().write(("GET /v1/jobs/" + id + "/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(),
                    java.nio.charset.StandardCharsets.UTF_8));
            int data = 0;
            for (String l = in.readLine(); l != null && data < 3; l = in.readLine()) {
                data += l.startsWith("data:") ? 1 : 0;
            }
            assertThat(data).isEqualTo(3);
            s.setSoLinger(true, 0); // a reset: the server's next writes fail at once
        }
        int before = JobFixtures.awaitStep(http, id, 1).get("step").intValue();
        JobFixtures.awaitStep(http, id, before + 200); // events the server tried to send to the closed stream
        JobFixtures.sleep(300);
        assertThat(http.delete("/v1/jobs/" + id).status()).isEqualTo(202);
        JobFixtures.awaitFinal(http, id);
        assertThat(output.getAll()).doesNotContain("unexpected error", "Failure in @ExceptionHandler",
                "AsyncRequestNotUsableException");
    }
}
