package io.nabla.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.nabla.model.SafetensorsFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The model repository endpoints on a running server. */
class RepositoryIT extends ServerTestBase {

    private static final String ONE_ROW = "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"FP32\","
            + "\"data\":[1,1,1,1]}]}";

    private Http.Reply post(String path) {
        return http.post(path, null, new byte[0], Map.of());
    }

    private JsonNode indexEntry(String name, String version) {
        for (JsonNode e : http.postJson("/v2/repository/index", "{}").json()) {
            if (e.get("name").stringValue().equals(name) && e.get("version").stringValue().equals(version)) {
                return e;
            }
        }
        throw new AssertionError("no index entry for " + name + " " + version);
    }

    @Test
    void createListLoadUnloadDownloadAndDelete() {
        Http.Reply created = http.createModel("repo", SCALE_SPEC, null);
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.json().get("name").stringValue()).isEqualTo("repo");
        assertThat(created.json().get("version").stringValue()).isEqualTo("1");
        assertThat(created.header("Location")).isEqualTo("/v2/models/repo/versions/1");
        byte[] weights = Weights.diagonal("0.weight", 4, 4);
        assertThat(http.createModel("repo", SCALE_SPEC, weights).json().get("version").stringValue())
                .isEqualTo("2");

        JsonNode v1 = indexEntry("repo", "1");
        assertThat(v1.get("state").stringValue()).isEqualTo("UNAVAILABLE");
        assertThat(v1.has("reason")).isTrue();

        Http.Reply load = post("/v2/repository/models/repo/load");
        assertThat(load.status()).as(load.text()).isEqualTo(200);
        assertThat(load.json().get("version").stringValue()).isEqualTo("2");
        assertThat(indexEntry("repo", "2").get("state").stringValue()).isEqualTo("READY");
        assertThat(http.postJson("/v2/repository/index", "{\"ready\":true}").text()).contains("\"repo\"")
                .doesNotContain("\"version\":\"1\",\"state\":\"UNAVAILABLE\"");
        assertThat(http.get("/v2/models/repo/ready").status()).isEqualTo(200);

        Http.Reply spec = http.get("/v2/repository/models/repo/versions/2/spec");
        assertThat(spec.header("Content-Type")).startsWith("application/json");
        assertThat(spec.text()).isEqualTo(SCALE_SPEC);
        Http.Reply w = http.get("/v2/repository/models/repo/versions/2/weights");
        assertThat(w.header("Content-Type")).isEqualTo("application/octet-stream");
        assertThat(w.header("Content-Disposition")).contains("repo-2.safetensors");
        assertThat(w.body()).isEqualTo(weights);
        try (SafetensorsFile initial = SafetensorsFile.read(
                http.get("/v2/repository/models/repo/versions/1/weights").body())) {
            assertThat(initial.names()).as("weights initialised from the seed").containsExactly("0.weight");
            assertThat(initial.shape("0.weight")).containsExactly(4, 4);
        }

        assertThat(post("/v2/repository/models/repo/unload").status()).isEqualTo(200);
        assertThat(indexEntry("repo", "2").get("state").stringValue()).isEqualTo("UNAVAILABLE");
        assertThat(http.get("/v2/models/repo/ready").status()).isEqualTo(503);

        assertThat(http.delete("/v2/repository/models/repo/versions/1").status()).isEqualTo(204);
        assertThat(http.get("/v2/models/repo/versions/1").status()).isEqualTo(404);
        assertThat(http.get("/v2/models/repo").json().get("versions").toString()).isEqualTo("[\"2\"]");
        assertThat(http.delete("/v2/repository/models/repo").status()).isEqualTo(204);
        assertThat(http.get("/v2/models/repo").status()).isEqualTo(404);
        assertThat(http.delete("/v2/repository/models/repo").status()).isEqualTo(404);
    }

    /** API section 2: a version is immutable once created, so its number never names other weights later. */
    @Test
    void aModelWhoseVersionsWereAllDeletedContinuesItsNumberingUntilTheModelIsDeleted() {
        scaleModel("renumber", 2);
        assertThat(http.postJson("/v2/models/renumber/infer", ONE_ROW).status()).isEqualTo(200);
        assertThat(http.delete("/v2/repository/models/renumber/versions/1").status()).isEqualTo(204);
        assertThat(http.get("/v2/models/renumber").status()).as("no version left").isEqualTo(404);
        assertThat(http.get("/v2/models/renumber/versions/1").status()).isEqualTo(404);
        assertThat(http.postJson("/v2/models/renumber/infer", ONE_ROW).status()).isEqualTo(404);
        assertThat(http.get("/v2/models/renumber/ready").status()).isEqualTo(404);
        assertThat(http.postJson("/v2/repository/index", "{}").text()).doesNotContain("\"renumber\"");

        assertThat(scaleModel("renumber", 3)).as("number 1 named other weights").isEqualTo("2");
        assertThat(http.get("/v2/models/renumber/versions/1").status()).isEqualTo(404);
        Http.Reply newest = http.postJson("/v2/models/renumber/infer", ONE_ROW);
        assertThat(newest.json().get("model_version").stringValue()).isEqualTo("2");
        assertThat(newest.json().get("outputs").get(0).get("data").get(0).doubleValue()).isEqualTo(3.0);

        assertThat(http.delete("/v2/repository/models/renumber/versions/2").status()).isEqualTo(204);
        assertThat(http.delete("/v2/repository/models/renumber").status()).as("ends the model and its numbering")
                .isEqualTo(204);
        assertThat(http.delete("/v2/repository/models/renumber").status()).isEqualTo(404);
        assertThat(scaleModel("renumber", 4)).as("a new model").isEqualTo("1");
        assertThat(http.postJson("/v2/models/renumber/infer", ONE_ROW).json().get("outputs").get(0).get("data")
                .get(0).doubleValue()).isEqualTo(4.0);
    }

    @Test
    void aModelIsLoadedOnFirstInferenceAndVersionsCanBeAddressed() {
        scaleModel("lazy", 2);
        scaleModel("lazy", 5);
        Http.Reply v1 = http.postJson("/v2/models/lazy/versions/1/infer", ONE_ROW);
        assertThat(v1.json().get("model_version").stringValue()).isEqualTo("1");
        assertThat(v1.json().get("outputs").get(0).get("data").toString()).isEqualTo("[2.0,2.0,2.0,2.0]");
        Http.Reply newest = http.postJson("/v2/models/lazy/infer", ONE_ROW);
        assertThat(newest.json().get("model_version").stringValue()).isEqualTo("2");
        assertThat(newest.json().get("outputs").get(0).get("data").toString()).isEqualTo("[5.0,5.0,5.0,5.0]");
    }

    @Test
    void aRequestWithoutAVersionRightAfterAnUploadIsAnsweredByTheNewVersion() {
        scaleModel("fresh", 1);
        assertThat(http.postJson("/v2/models/fresh/infer", ONE_ROW).json().get("model_version").stringValue())
                .isEqualTo("1");
        for (int v = 2; v <= 4; v++) {
            assertThat(scaleModel("fresh", v)).isEqualTo(Integer.toString(v));
            Http.Reply r = http.postJson("/v2/models/fresh/infer", ONE_ROW);
            assertThat(r.json().get("model_version").stringValue()).as("right after version %d's 201", v)
                    .isEqualTo(Integer.toString(v));
            assertThat(r.json().get("outputs").get(0).get("data").get(0).doubleValue()).isEqualTo(v);
        }
    }

    @Test
    void anUploadAskingForADeviceThisServerDoesNotHaveIsRefusedBeforeAnythingIsStored() {
        scaleModel("placed", 1);
        Http.Reply refused = http.createModel("placed", SCALE_SPEC.replace("\"layers\"", "\"device\": \"cuda:7\", "
                + "\"layers\""), null);
        assertThat(refused.status()).as(refused.text()).isEqualTo(400);
        assertThat(refused.error()).startsWith("device: ").contains("cuda:7");
        assertThat(http.get("/v2/models/placed").json().get("versions").toString()).isEqualTo("[\"1\"]");
        assertThat(http.postJson("/v2/models/placed/infer", ONE_ROW).json().get("model_version").stringValue())
                .isEqualTo("1");
    }

    @Test
    void nullForTheSpecsOptionalFieldsMeansTheirDefaultAsInAJobRequest() {
        Http.Reply created = http.createModel("nulls", SCALE_SPEC.replace("\"layers\"", "\"device\": null,"
                + " \"seed\": null, \"layers\""), null);
        assertThat(created.status()).as(created.text()).isEqualTo(201);
    }

    /** Waits (the machine may be loaded) until some client got an answer from {@code version}. */
    private static void awaitServed(Set<String> served, String version) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!served.contains(version) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(served).as("versions answered so far").contains(version);
    }

    @Test
    void swappingVersionsUnderLoadFailsNoRequestAndAFailedLoadKeepsThePreviousServing() throws Exception {
        scaleModel("swap", 1);
        assertThat(post("/v2/repository/models/swap/load").status()).isEqualTo(200);
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<List<String>>> clients = new ArrayList<>();
        Set<String> served = ConcurrentHashMap.newKeySet();
        AtomicBoolean paused = new AtomicBoolean();
        AtomicInteger inFlight = new AtomicInteger();
        for (int t = 0; t < 4; t++) {
            clients.add(pool.submit(() -> {
                List<String> versions = new ArrayList<>();
                while (!stop.get()) {
                    inFlight.incrementAndGet();
                    if (paused.get()) {
                        inFlight.decrementAndGet();
                        Thread.sleep(1);
                        continue;
                    }
                    Http.Reply r = http.postJson("/v2/models/swap/infer", ONE_ROW);
                    inFlight.decrementAndGet();
                    assertThat(r.status()).as(r.text()).isEqualTo(200);
                    versions.add(r.json().get("model_version").stringValue());
                    served.add(versions.get(versions.size() - 1));
                }
                return versions;
            }));
        }
        try {
            awaitServed(served, "1");
            Http.Reply v2 = http.createModel("swap", SCALE_SPEC, Weights.diagonal("0.weight", 4, 2));
            assertThat(v2.status()).isEqualTo(201);
            Http.Reply load = post("/v2/repository/models/swap/load");
            assertThat(load.status()).as(load.text()).isEqualTo(200);
            awaitServed(served, "2");

            // a request without a version loads the newest stored version (and waits for it): pause the clients
            // until version 3 is damaged, so none of them loads it intact first; when its load fails, they fall back
            // to version 2, the newest ready one
            paused.set(true);
            while (inFlight.get() > 0) {
                Thread.sleep(1);
            }
            Http.Reply v3 = http.createModel("swap", SCALE_SPEC, Weights.diagonal("0.weight", 4, 3));
            assertThat(v3.status()).isEqualTo(201);
            Files.write(STORE.resolve("models/swap/3/weights.safetensors"), "damaged on disk".getBytes());
            paused.set(false);
            Http.Reply failed = post("/v2/repository/models/swap/load");
            assertThat(failed.status()).isEqualTo(500);
            assertThat(failed.error()).contains("model 'swap' version 3 failed to load");
            Thread.sleep(200);
        } finally {
            stop.set(true);
        }
        List<String> seen = new ArrayList<>();
        for (Future<List<String>> c : clients) {
            seen.addAll(c.get());
        }
        pool.shutdown();
        assertThat(seen).contains("1", "2").doesNotContain("3");
        JsonNode v3 = indexEntry("swap", "3");
        assertThat(v3.get("state").stringValue()).isEqualTo("UNAVAILABLE");
        assertThat(v3.get("reason").stringValue()).contains("failed to load");
        Http.Reply after = http.postJson("/v2/models/swap/infer", ONE_ROW);
        assertThat(after.json().get("model_version").stringValue()).as("v2 still serves").isEqualTo("2");
        assertThat(indexEntry("swap", "1").get("state").stringValue()).as("v1 retired").isEqualTo("UNAVAILABLE");
    }

    @Test
    void versionsArePlainFilesInTheStore() throws Exception {
        scaleModel("ondisk", 7);
        Path dir = STORE.resolve("models/ondisk/1");
        assertThat(Files.readString(dir.resolve("spec.json"))).isEqualTo(SCALE_SPEC);
        try (SafetensorsFile w = SafetensorsFile.open(dir.resolve("weights.safetensors"))) {
            assertThat(w.tensor("0.weight").getDouble(1, 1)).isEqualTo(7.0);
        }
    }
}
