package io.nabla.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.nabla.model.SafetensorsFile;
import io.nabla.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** The golden training runs (golden/models) as job fixtures, and the HTTP steps a job test takes. */
final class JobFixtures {

    static final Duration JOB_TIMEOUT = Duration.ofSeconds(90);

    private JobFixtures() {
    }

    static byte[] bytes(String resource) {
        try (InputStream in = JobFixtures.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + resource);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String text(String resource) {
        return new String(bytes(resource), StandardCharsets.UTF_8);
    }

    static JsonNode json(String resource) {
        return Http.JSON.readTree(text(resource));
    }

    static String dir(String run) {
        return "/golden/models/" + run + "/";
    }

    /** Uploads a safetensors file as a dataset; returns its id. */
    static String uploadDataset(Http http, byte[] file) {
        Http.Multipart m = new Http.Multipart().part("file", "data.safetensors", "application/octet-stream", file);
        Http.Reply r = http.post("/v1/datasets", m.contentType(), m.build(), Map.of());
        assertThat(r.status()).as("dataset upload: %s", r.text()).isEqualTo(201);
        return r.json().get("id").stringValue();
    }

    /** Creates model {@code name} from the run's spec and initial weights and uploads its data; returns the dataset. */
    static String prepare(Http http, String run, String name) {
        Http.Reply created = http.createModel(name, text(dir(run) + "spec.json"), bytes(dir(run) + "initial.safetensors"));
        assertThat(created.status()).as("create %s: %s", name, created.text()).isEqualTo(201);
        return uploadDataset(http, bytes(dir(run) + "data.safetensors"));
    }

    /** A job request with the run's config.json settings. */
    static ObjectNode request(String run, String model, String dataset) {
        JsonNode config = json(dir(run) + "config.json");
        ObjectNode r = Http.JSON.createObjectNode();
        r.put("model", model);
        r.put("version", "1");
        r.put("dataset", dataset);
        r.put("input", "input");
        r.put("target", "target");
        r.put("loss", config.get("loss").stringValue());
        r.set("optimizer", config.get("optimizer"));
        r.put("epochs", config.get("epochs").intValue());
        r.put("batch_size", config.get("batch_size").intValue());
        r.put("shuffle", config.get("shuffle").booleanValue());
        r.put("seed", 0);
        r.put("device", "auto");
        r.put("precision", "fp32");
        r.put("checkpoint_every_steps", 5);
        return r;
    }

    /** Submits a job and checks the 202 answer; returns the job id. */
    static String submit(Http http, JsonNode request) {
        Http.Reply r = http.postJson("/v1/jobs", request.toString());
        assertThat(r.status()).as("submit: %s", r.text()).isEqualTo(202);
        String id = r.json().get("id").stringValue();
        assertThat(r.json().get("status").stringValue()).isEqualTo("QUEUED");
        assertThat(r.header("Location")).isEqualTo("/v1/jobs/" + id);
        return id;
    }

    /** Polls the job until it is final; returns it. */
    static JsonNode awaitFinal(Http http, String id) {
        long deadline = System.nanoTime() + JOB_TIMEOUT.toNanos();
        JsonNode job = null;
        while (System.nanoTime() < deadline) {
            Http.Reply r = http.get("/v1/jobs/" + id);
            assertThat(r.status()).as(r.text()).isEqualTo(200);
            job = r.json();
            String status = job.get("status").stringValue();
            if (status.equals("SUCCEEDED") || status.equals("FAILED") || status.equals("CANCELLED")) {
                return job;
            }
            sleep(50);
        }
        throw new AssertionError("job " + id + " not final within " + JOB_TIMEOUT + ": " + job);
    }

    /** Polls the job until it has done at least {@code steps} steps (fails if it ends first); returns it. */
    static JsonNode awaitStep(Http http, String id, int steps) {
        long deadline = System.nanoTime() + JOB_TIMEOUT.toNanos();
        JsonNode job = null;
        while (System.nanoTime() < deadline) {
            job = http.get("/v1/jobs/" + id).json();
            if (job.get("step").intValue() >= steps) {
                return job;
            }
            assertThat(job.get("status").stringValue()).as(job.toString()).isIn("QUEUED", "RUNNING");
            sleep(20);
        }
        throw new AssertionError("job " + id + " did not reach step " + steps + " within " + JOB_TIMEOUT + ": " + job);
    }

    /** The tensors of a safetensors file, in the current scope. */
    static Map<String, Tensor> tensors(byte[] file) {
        try (SafetensorsFile f = SafetensorsFile.read(file)) {
            return f.tensors();
        }
    }

    static void assertClose(String what, Tensor actual, Tensor expected, double rtol, double atol) {
        assertThat(actual.shape()).as(what + " shape").isEqualTo(expected.shape());
        double[] a = actual.toDoubleArray();
        double[] e = expected.toDoubleArray();
        for (int i = 0; i < a.length; i++) {
            assertThat(Math.abs(a[i] - e[i])).as("%s[%d]: %s vs %s", what, i, a[i], e[i])
                    .isLessThanOrEqualTo(atol + rtol * Math.abs(e[i]));
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
