package io.nabla.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.nabla.process.ServerProcess;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Jobs survive the server dying: the server runs as its own process on one store and is killed with SIGKILL in the
 * middle of a job, then again while a checkpoint is being written (between the temporary file and the rename, held
 * open by nabla.jobs.checkpoint-write-delay), then stopped with SIGTERM in the middle of another job. After each
 * restart the jobs resume from their newest checkpoint; in the end every job succeeded exactly once, and the
 * interrupted jobs' weights equal those of an uninterrupted run of the same request.
 */
class JobsCrashIT {

    private static final String MODEL = "crash";
    private static final String SLOW = "--nabla.jobs.step-delay=40ms";

    private Path log;
    private int logStart;

    @Test
    void jobsResumeAfterSigkillACrashDuringACheckpointAndSigterm(@TempDir Path dir) throws IOException {
        Path store = dir.resolve("store");
        log = dir.resolve("server.log");
        ObjectNode request;
        String first;
        int checkpointed;
        try (ServerProcess server = start(store, SLOW)) {
            Http http = new Http(server.port());
            String dataset = JobFixtures.prepare(http, "mlp_sgd", MODEL);
            request = JobFixtures.request("mlp_sgd", MODEL, dataset);
            request.put("epochs", 8);
            request.put("shuffle", true);
            first = JobFixtures.submit(http, request);
            JobFixtures.awaitStep(http, first, 13);
            server.sigkill();
        }
        Path temp = store.resolve("jobs/checkpoints/" + first + "/.checkpoint.safetensors.tmp");
        try (ServerProcess server = start(store, SLOW, "--nabla.jobs.checkpoint-write-delay=4s")) {
            Http http = new Http(server.port());
            int resumedAt = resumedStep(first);
            assertThat(resumedAt).as("resumed from the newest checkpoint before the kill").isGreaterThanOrEqualTo(10)
                    .matches(s -> s % 5 == 0);
            awaitFile(temp);
            checkpointed = http.get("/v1/jobs/" + first).json().get("step").intValue();
            assertThat(checkpointed).isEqualTo(resumedAt + 5);
            server.sigkill();
        }
        String second;
        int stoppedAt;
        try (ServerProcess server = start(store, SLOW)) {
            Http http = new Http(server.port());
            assertThat(resumedStep(first)).as("the interrupted checkpoint write left the previous one")
                    .isEqualTo(checkpointed - 5);
            second = JobFixtures.submit(http, request);
            assertThat(JobFixtures.awaitFinal(http, first).get("status").stringValue()).isEqualTo("SUCCEEDED");
            stoppedAt = JobFixtures.awaitStep(http, second, 7).get("step").intValue();
            server.sigterm();
            assertThat(server.awaitExit(Duration.ofSeconds(60))).as(server.log()).isIn(0, 143);
        }
        Matcher stopped = Pattern.compile("job " + second + " stopped for shutdown at step (\\d+)").matcher(newLog());
        assertThat(stopped.find()).as(newLog()).isTrue();
        assertThat(Integer.parseInt(stopped.group(1))).isGreaterThanOrEqualTo(stoppedAt);
        assertThat(store.resolve("jobs/checkpoints/" + second + "/checkpoint.safetensors")).exists();
        try (ServerProcess server = start(store)) {
            Http http = new Http(server.port());
            assertThat(resumedStep(second)).isEqualTo(Integer.parseInt(stopped.group(1)));
            assertThat(JobFixtures.awaitFinal(http, second).get("status").stringValue()).isEqualTo("SUCCEEDED");
            String uninterrupted = JobFixtures.submit(http, request);
            assertThat(JobFixtures.awaitFinal(http, uninterrupted).get("status").stringValue()).isEqualTo("SUCCEEDED");
            assertOneVersionPerJob(http, List.of(first, second, uninterrupted));
        }
    }

    /**
     * A job with a validation set and early stopping, killed after its best epoch and before it stops: the restarted
     * server resumes it with its evaluations and best weights, it stops where PyTorch's loop stops, and publishes
     * PyTorch's best-epoch weights ({@code training/job_extensions.json}, {@code sgd_early_stopping_restores_best}).
     */
    @Test
    void anEarlyStoppingJobKilledAfterItsBestEpochPublishesThatEpoch(@TempDir Path dir) throws IOException {
        Path store = dir.resolve("store");
        log = dir.resolve("server.log");
        JsonNode fixture = JobFixtures.json("/training/job_extensions.json");
        JsonNode c = null;
        for (JsonNode k : fixture.get("cases")) {
            if (k.get("name").stringValue().equals("sgd_early_stopping_restores_best")) {
                c = k;
            }
        }
        String id;
        try (ServerProcess server = start(store, SLOW)) {
            Http http = new Http(server.port());
            assertThat(http.createModel("early", fixture.get("spec").toString(),
                    JobFixtures.bytes("/training/job_extensions_model.safetensors")).status()).isEqualTo(201);
            String data = JobFixtures.uploadDataset(http, JobFixtures.bytes("/training/job_extensions_data.safetensors"));
            String validation = JobFixtures.uploadDataset(http,
                    JobFixtures.bytes("/training/job_extensions_validation.safetensors"));
            ObjectNode request = Http.JSON.createObjectNode();
            request.put("model", "early").put("dataset", data).put("loss", "cross_entropy")
                    .put("checkpoint_every_steps", 4);
            for (String f : List.of("optimizer", "early_stopping", "epochs", "batch_size", "shuffle", "seed")) {
                request.set(f, c.get(f));
            }
            request.putObject("validation").put("dataset", validation);
            id = JobFixtures.submit(http, request);
            JobFixtures.awaitStep(http, id, 25); // best after epoch 3 (step 20), checkpointed with it at step 24
            server.sigkill();
        }
        try (ServerProcess server = start(store)) {
            Http http = new Http(server.port());
            int resumedAt = resumedStep(id);
            assertThat(resumedAt).isBetween(24, 28);
            JsonNode job = JobFixtures.awaitFinal(http, id);
            assertThat(job.get("status").stringValue()).as(job.toString()).isEqualTo("SUCCEEDED");
            assertThat(job.get("step").intValue()).isEqualTo(c.get("losses").size());
            assertThat(job.get("validation").size()).isEqualTo(c.get("validation_results").size());
            assertThat(job.get("early_stopping").get("best_epoch").intValue()).isEqualTo(3);
            assertThat(job.get("early_stopping").get("stopped_early").booleanValue()).isTrue();
            for (int i = 0; i < job.get("losses").size(); i++) {
                double e = c.get("losses").get(i).doubleValue();
                assertThat(Math.abs(job.get("losses").get(i).doubleValue() - e)).as("loss %d", i)
                        .isLessThanOrEqualTo(1e-6 + 1e-4 * Math.abs(e));
            }
            Http.Reply w = http.get("/v2/repository/models/early/versions/" + job.get("result_version").stringValue()
                    + "/weights");
            try (TensorScope scope = TensorScope.open()) {
                Map<String, Tensor> actual = JobFixtures.tensors(w.body());
                c.get("final").properties().forEach(e -> {
                    double[] a = actual.get(e.getKey()).toDoubleArray();
                    for (int i = 0; i < a.length; i++) {
                        double x = e.getValue().get("data").get(i).doubleValue();
                        assertThat(Math.abs(a[i] - x)).as("%s[%d]", e.getKey(), i)
                                .isLessThanOrEqualTo(1e-5 + 1e-4 * Math.abs(x));
                    }
                });
            }
        }
    }

    private void assertOneVersionPerJob(Http http, List<String> ids) {
        JsonNode jobs = http.get("/v1/jobs").json();
        assertThat(jobs.size()).as(jobs.toString()).isEqualTo(ids.size());
        List<String> versions = new ArrayList<>();
        List<JsonNode> losses = new ArrayList<>();
        for (String id : ids) {
            JsonNode job = http.get("/v1/jobs/" + id).json();
            assertThat(job.get("status").stringValue()).isEqualTo("SUCCEEDED");
            assertThat(job.get("losses").size()).isEqualTo(job.get("total_steps").intValue());
            versions.add(job.get("result_version").stringValue());
            losses.add(job.get("losses"));
        }
        assertThat(versions).containsExactlyInAnyOrder("2", "3", "4");
        JsonNode model = http.get("/v2/models/" + MODEL).json();
        assertThat(model.get("versions").toString()).isEqualTo("[\"1\",\"2\",\"3\",\"4\"]");
        try (TensorScope scope = TensorScope.open()) {
            Map<String, Tensor> reference = weights(http, versions.get(2));
            for (int j = 0; j < 2; j++) {
                Map<String, Tensor> w = weights(http, versions.get(j));
                String what = "job " + ids.get(j) + " (interrupted) vs uninterrupted ";
                reference.forEach((k, v) -> JobFixtures.assertClose(what + k, w.get(k), v, 0, 1e-6));
                for (int i = 0; i < losses.get(2).size(); i++) {
                    assertThat(losses.get(j).get(i).doubleValue()).as(what + "loss " + i)
                            .isCloseTo(losses.get(2).get(i).doubleValue(), org.assertj.core.data.Offset.offset(1e-6));
                }
            }
        }
    }

    private static Map<String, Tensor> weights(Http http, String version) {
        Http.Reply r = http.get("/v2/repository/models/" + MODEL + "/versions/" + version + "/weights");
        assertThat(r.status()).isEqualTo(200);
        return JobFixtures.tensors(r.body());
    }

    private ServerProcess start(Path store, String... args) throws IOException {
        logStart = Files.exists(log) ? (int) Files.size(log) : 0;
        return ServerProcess.start(store, log, args);
    }

    private String newLog() {
        try {
            String all = Files.readString(log);
            return all.substring(Math.min(logStart, all.length()));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** The step the job resumed from in the current server's log (waits for the line). */
    private int resumedStep(String id) {
        Pattern p = Pattern.compile("job " + id + " resumes from its checkpoint at step (\\d+)");
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            Matcher m = p.matcher(newLog());
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            JobFixtures.sleep(50);
        }
        throw new AssertionError("no resume line for job " + id + " in\n" + newLog());
    }

    private static void awaitFile(Path file) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!Files.exists(file)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(file + " never appeared");
            }
            JobFixtures.sleep(10);
        }
    }
}
