package io.nabla.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nabla.config.NablaProperties;
import io.nabla.inference.InferenceMetrics;
import io.nabla.inference.ModelRegistry;
import io.nabla.inference.ModelStore;
import io.nabla.inference.SequentialModelLoader;
import io.nabla.model.ModelBuilder;
import io.nabla.model.ModelSpec;
import io.nabla.model.SafetensorsWriter;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * A run stopped (as at shutdown) after any step, epoch boundaries included, and resumed from its checkpoint takes
 * exactly the steps of an uninterrupted run: same losses, same published weights, with shuffling (the batch order
 * drawn per epoch from the generator) on.
 */
class JobRunResumeTest {

    @TempDir
    Path root;

    private ModelRegistry registry;

    @AfterEach
    void close() {
        if (registry != null) {
            registry.close();
        }
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = JobRunResumeTest.class.getResourceAsStream("/golden/models/mlp_sgd/" + name)) {
            return in.readAllBytes();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {6, 9, 12, 1})
    void aRunStoppedAfterAnyStepResumesToTheSameResult(int stopAfter) throws IOException {
        registry = new ModelRegistry(new ModelStore(root.resolve("store")), new SequentialModelLoader(),
                new NablaProperties.Batching(1, Duration.ZERO, 4), new InferenceMetrics(new SimpleMeterRegistry()));
        registry.create("m", resource("spec.json"), new ByteArrayInputStream(resource("initial.safetensors")));
        DatasetStore datasets = new DatasetStore(root.resolve("store"));
        String dataset = datasets.create(new ByteArrayInputStream(resource("data.safetensors"))).id();
        JobStore store = new JobStore(JdbcClient.create(Databases.h2()));
        CheckpointFiles checkpoints = new CheckpointFiles(root.resolve("checkpoints"), Duration.ZERO);
        JobEvents events = new JobEvents();
        String request = JobRequest.parse("""
                {"model": "m", "version": "1", "dataset": "%s", "loss": "cross_entropy",
                 "optimizer": {"type": "sgd", "lr": 0.1, "momentum": 0.9}, "epochs": 3, "batch_size": 16,
                 "shuffle": true, "seed": 3, "checkpoint_every_steps": 4}""".formatted(dataset)).toJson();

        JobRun uninterrupted = new JobRun(job("a", request), registry, datasets, checkpoints, store, events,
                Duration.ZERO);
        assertThat(uninterrupted.run()).isEqualTo(JobRun.Outcome.SUCCEEDED);

        JobRun first = new JobRun(claimed(store, "b", request, 18), registry, datasets, checkpoints, store, events,
                Duration.ZERO);
        List<Integer> steps = new java.util.concurrent.CopyOnWriteArrayList<>();
        events.subscribe("b", e -> {
            steps.add(e.step());
            if (e.step() == stopAfter) {
                first.stop();
            }
        });
        assertThat(first.run()).isEqualTo(JobRun.Outcome.STOPPED);
        assertThat(first.step()).isEqualTo(stopAfter);
        assertThat(store.find("b").orElseThrow().losses()).as("recorded at the stop")
                .containsExactlyElementsOf(first.losses());
        steps.clear();
        JobRun resumed = new JobRun(store.find("b").orElseThrow(), registry, datasets, checkpoints, store, events,
                Duration.ZERO);
        assertThat(resumed.run()).isEqualTo(JobRun.Outcome.SUCCEEDED);
        assertThat(steps.get(0)).as("the first step after resuming").isEqualTo(stopAfter + 1);

        assertThat(resumed.losses()).hasSize(18).containsExactlyElementsOf(uninterrupted.losses());
        assertThat(Files.readAllBytes(registry.store().version("m", resumed.resultVersion()).weights()))
                .as("weights after a stop at step %d", stopAfter)
                .isEqualTo(Files.readAllBytes(registry.store().version("m", uninterrupted.resultVersion()).weights()));
    }

    /**
     * In FP16 against targets near 1000 the scaled gradients overflow: the first steps are skipped while the loss
     * scale backs off from 2^16. A run stopped in that phase must resume with its scale, not a fresh 2^16 (which would
     * skip steps again and end elsewhere).
     */
    @ParameterizedTest
    @ValueSource(ints = {3, 7, 10})
    void aMixedPrecisionRunResumesWithItsLossScale(int stopAfter) throws IOException {
        String dataset = overflowingModelAndData();
        JobStore store = new JobStore(JdbcClient.create(Databases.h2()));
        CheckpointFiles checkpoints = new CheckpointFiles(root.resolve("checkpoints"), Duration.ZERO);
        JobEvents events = new JobEvents();
        String request = JobRequest.parse("""
                {"model": "m", "version": "1", "dataset": "%s", "loss": "mse",
                 "optimizer": {"type": "adam", "lr": 0.05}, "epochs": 4, "batch_size": 12,
                 "shuffle": true, "seed": 5, "precision": "fp16", "checkpoint_every_steps": 5}""".formatted(dataset))
                .toJson();
        aMixedPrecisionRunResumesWithItsLossScale(stopAfter, dataset, store, checkpoints, events, request);
    }

    /**
     * The request's {@code loss_scaler} reaches the run: scaling disabled trains from the first step (the default
     * skips the first 11, whose scaled gradients overflow FP16) and checkpoints no scaler; a first scale of 1
     * growing after every good step is 2^3 after 3 steps; the settings are stored with the request.
     */
    @org.junit.jupiter.api.Test
    void theRequestsLossScalerSettingsReachTheRun() throws IOException {
        String dataset = overflowingModelAndData();
        JobStore store = new JobStore(JdbcClient.create(Databases.h2()));
        CheckpointFiles checkpoints = new CheckpointFiles(root.resolve("checkpoints"), Duration.ZERO);
        JobEvents events = new JobEvents();
        String base = """
                {"model": "m", "version": "1", "dataset": "%s", "loss": "mse",
                 "optimizer": {"type": "adam", "lr": 0.05}, "epochs": 4, "batch_size": 12,
                 "shuffle": true, "seed": 5, "precision": "fp16", "checkpoint_every_steps": 5%s}""";
        Map<String, Tensor> initial;
        Map<String, Map<String, Double>> scales = new LinkedHashMap<>();
        Map<String, Boolean> moved = new LinkedHashMap<>();
        try (TensorScope scope = TensorScope.open()) {
            initial = io.nabla.model.SafetensorsFile.open(registry.store().version("m", 1).weights()).tensors();
            for (String[] c : new String[][] {{"default", ""}, {"disabled", ", \"loss_scaler\": {\"enabled\": false}"},
                    {"from1", ", \"loss_scaler\": {\"init_scale\": 1, \"growth_interval\": 1}"}}) {
                String request = JobRequest.parse(base.formatted(dataset, c[1])).toJson();
                if (c[0].equals("disabled")) {
                    assertThat(request).contains("\"loss_scaler\":{\"enabled\":false,\"init_scale\":65536.0");
                }
                JobRun run = new JobRun(claimed(store, c[0], request, 16), registry, datasets(), checkpoints, store,
                        events, Duration.ZERO);
                events.subscribe(c[0], e -> {
                    if (e.step() == 3) {
                        run.stop();
                    }
                });
                assertThat(run.run()).isEqualTo(JobRun.Outcome.STOPPED);
                io.nabla.jobs.Checkpoint cp = checkpoints.read(c[0]).orElseThrow();
                Map<String, Double> s = new LinkedHashMap<>();
                cp.scaler().forEach((k, v) -> s.put(k, v.item()));
                scales.put(c[0], s);
                moved.put(c[0], !java.util.Arrays.equals(cp.model().get("0.weight").toFloatArray(),
                        initial.get("0.weight").toFloatArray()));
            }
        }
        assertThat(scales.get("default")).containsEntry("scale", 65536.0 / 8);
        assertThat(moved.get("default")).as("3 steps skipped").isFalse();
        assertThat(scales.get("disabled")).as("no scaler").isEmpty();
        assertThat(moved.get("disabled")).isTrue();
        assertThat(scales.get("from1")).containsEntry("scale", 8.0).containsEntry("growth_tracker", 0.0);
        assertThat(moved.get("from1")).isTrue();
    }

    /**
     * A record whose chunk from step 4 was removed and not yet replaced when the process died (step 8, the losses of
     * 4 steps): a run starting from it reports the 4 steps it can vouch for, so a run that fails before training
     * does not store step 8 with 4 losses.
     */
    @org.junit.jupiter.api.Test
    void aRunReportsNoMoreStepsThanItsRecordHoldsLossesFor() throws IOException {
        registry = new ModelRegistry(new ModelStore(root.resolve("store")), new SequentialModelLoader(),
                new NablaProperties.Batching(1, Duration.ZERO, 4), new InferenceMetrics(new SimpleMeterRegistry()));
        JdbcClient jdbc = JdbcClient.create(Databases.h2());
        JobStore store = new JobStore(jdbc);
        String request = JobRequest.parse("""
                {"model": "m", "dataset": "ds-0000000000000000", "loss": "mse", "optimizer": {"type": "sgd"},
                 "epochs": 1, "batch_size": 1}""").withVersion(1).toJson();
        claimed(store, "h", request, 18);
        store.progress("h", 4, 0, 0, List.of(1.0, 2.0, 3.0, 4.0));
        store.progress("h", 8, 0, 4, List.of(5.0, 6.0, 7.0, 8.0));
        jdbc.sql("DELETE FROM training_job_losses WHERE job_id = 'h' AND first_step = 4").update();
        FineTuneJob record = store.find("h").orElseThrow();
        assertThat(record.step()).isEqualTo(8);
        assertThat(record.losses()).hasSize(4);
        JobRun run = new JobRun(record, registry, datasets(), new CheckpointFiles(root.resolve("checkpoints"),
                Duration.ZERO), store, new JobEvents(), Duration.ZERO);
        assertThat(run.step()).isEqualTo(4);
        assertThat(run.stored()).isEqualTo(4);
        assertThat(run.unstored()).isEmpty();
    }

    private DatasetStore datasets() {
        return new DatasetStore(root.resolve("store"));
    }

    /** Model m (8 -> 16 -> 2, Tanh) and a dataset whose targets near 1000 overflow FP16 gradients at scale 2^16. */
    private String overflowingModelAndData() throws IOException {
        registry = new ModelRegistry(new ModelStore(root.resolve("store")), new SequentialModelLoader(),
                new NablaProperties.Batching(1, Duration.ZERO, 4), new InferenceMetrics(new SimpleMeterRegistry()));
        String spec = """
                {"inputs": [{"name": "input", "datatype": "FP32", "shape": [-1, 8]}],
                 "outputs": [{"name": "out", "datatype": "FP32", "shape": [-1, 2]}],
                 "layers": [{"type": "Linear", "in_features": 8, "out_features": 16}, {"type": "Tanh"},
                            {"type": "Linear", "in_features": 16, "out_features": 2}], "seed": 3}""";
        byte[] weights;
        byte[] data;
        try (TensorScope scope = TensorScope.open()) {
            weights = SafetensorsWriter.toBytes(ModelBuilder.build(ModelSpec.parse(spec)).stateDict(), null);
            float[] x = new float[48 * 8];
            float[] y = new float[48 * 2];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) Math.sin(i * 0.37);
            }
            for (int i = 0; i < y.length; i++) {
                y[i] = 1000 + (i % 7) * 100;
            }
            Map<String, Tensor> d = new LinkedHashMap<>();
            d.put("input", Tensor.of(x, 48, 8));
            d.put("target", Tensor.of(y, 48, 2));
            data = SafetensorsWriter.toBytes(d, null);
        }
        registry.create("m", spec.getBytes(StandardCharsets.UTF_8), new ByteArrayInputStream(weights));
        return datasets().create(new ByteArrayInputStream(data)).id();
    }

    private void aMixedPrecisionRunResumesWithItsLossScale(int stopAfter, String dataset, JobStore store,
            CheckpointFiles checkpoints, JobEvents events, String request) throws IOException {
        DatasetStore datasets = datasets();

        JobRun uninterrupted = new JobRun(job("a", request, 16), registry, datasets, checkpoints, store, events,
                Duration.ZERO);
        assertThat(uninterrupted.run()).isEqualTo(JobRun.Outcome.SUCCEEDED);
        String inFp32 = JobRequest.parse(request.replace("\"fp16\"", "\"fp32\"").replaceAll(",\"loss_scaler\":\\{[^}]*}",
                "")).toJson();
        JobRun fp32 = new JobRun(job("c", inFp32, 16), registry, datasets, checkpoints, store, events, Duration.ZERO);
        assertThat(fp32.run()).isEqualTo(JobRun.Outcome.SUCCEEDED);
        assertThat(uninterrupted.losses()).isNotEqualTo(fp32.losses());

        JobRun first = new JobRun(claimed(store, "b", request, 16), registry, datasets, checkpoints, store, events,
                Duration.ZERO);
        events.subscribe("b", e -> {
            if (e.step() == stopAfter) {
                first.stop();
            }
        });
        assertThat(first.run()).isEqualTo(JobRun.Outcome.STOPPED);
        try (TensorScope scope = TensorScope.open()) {
            assertThat(checkpoints.read("b").orElseThrow().scaler().get("scale").item())
                    .as("the scale after %d steps, all skipped (the first 11 are)", stopAfter)
                    .isEqualTo(65536.0 / (1 << stopAfter));
        }
        JobRun resumed = new JobRun(store.find("b").orElseThrow(), registry, datasets, checkpoints, store, events,
                Duration.ZERO);
        assertThat(resumed.run()).isEqualTo(JobRun.Outcome.SUCCEEDED);

        assertThat(resumed.losses()).hasSize(16).containsExactlyElementsOf(uninterrupted.losses());
        assertThat(Files.readAllBytes(registry.store().version("m", resumed.resultVersion()).weights()))
                .as("weights after a stop at step %d", stopAfter)
                .isEqualTo(Files.readAllBytes(registry.store().version("m", uninterrupted.resultVersion()).weights()));
    }

    /**
     * The job's record is written before its checkpoint file. A crash between the two leaves the record a checkpoint
     * ahead (here: at step 8, the file at step 6): the run resumes from the file and its losses from there replace
     * the record's. A checkpoint of an earlier version (format 1, the losses in its metadata, written before the
     * record, so the record may be behind it) resumes too. Either way, the same losses and weights as an
     * uninterrupted run, in the record as well.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aRecordAheadOfTheCheckpointOrAnEarlierVersionsCheckpointResumesToTheSameResult(boolean earlierVersion)
            throws IOException {
        registry = new ModelRegistry(new ModelStore(root.resolve("store")), new SequentialModelLoader(),
                new NablaProperties.Batching(1, Duration.ZERO, 4), new InferenceMetrics(new SimpleMeterRegistry()));
        registry.create("m", resource("spec.json"), new ByteArrayInputStream(resource("initial.safetensors")));
        DatasetStore datasets = new DatasetStore(root.resolve("store"));
        String dataset = datasets.create(new ByteArrayInputStream(resource("data.safetensors"))).id();
        JdbcClient jdbc = JdbcClient.create(Databases.h2());
        JobStore store = new JobStore(jdbc);
        CheckpointFiles checkpoints = new CheckpointFiles(root.resolve("checkpoints"), Duration.ZERO);
        JobEvents events = new JobEvents();
        String request = JobRequest.parse("""
                {"model": "m", "version": "1", "dataset": "%s", "loss": "cross_entropy",
                 "optimizer": {"type": "sgd", "lr": 0.1, "momentum": 0.9}, "epochs": 3, "batch_size": 16,
                 "shuffle": true, "seed": 3, "checkpoint_every_steps": 4}""".formatted(dataset)).toJson();
        JobRun uninterrupted = new JobRun(claimed(store, "a", request, 18), registry, datasets, checkpoints, store,
                events, Duration.ZERO);
        assertThat(uninterrupted.run()).isEqualTo(JobRun.Outcome.SUCCEEDED);

        int[] stopAt = {6};
        List<Integer> steps = new java.util.concurrent.CopyOnWriteArrayList<>();
        JobRun[] current = new JobRun[1];
        events.subscribe("b", e -> {
            steps.add(e.step());
            if (e.step() == stopAt[0]) {
                current[0].stop();
            }
        });
        current[0] = new JobRun(claimed(store, "b", request, 18), registry, datasets, checkpoints, store, events,
                Duration.ZERO);
        assertThat(current[0].run()).isEqualTo(JobRun.Outcome.STOPPED);
        Path file = checkpoints.dir("b").resolve(CheckpointFiles.FILE);
        byte[] atSix = Files.readAllBytes(file);
        try (io.nabla.model.SafetensorsFile f = io.nabla.model.SafetensorsFile.open(file)) {
            assertThat(f.metadata()).as("the losses are in the record only").containsOnlyKeys("format", "step");
        }
        List<Double> firstSix = current[0].losses();
        if (earlierVersion) {
            // an earlier version: the checkpoint at 6 holds the losses, the record is still at 4
            try (TensorScope scope = TensorScope.open();
                 io.nabla.model.SafetensorsFile f = io.nabla.model.SafetensorsFile.open(file)) {
                Map<String, Tensor> tensors = new LinkedHashMap<>();
                for (String name : f.names()) {
                    tensors.put(name, f.tensor(name));
                }
                atSix = SafetensorsWriter.toBytes(tensors, Map.of("format", "nabla-job-checkpoint-1", "step", "6",
                        "losses", JobStore.losses(firstSix)));
            }
            Files.write(file, atSix);
            jdbc.sql("DELETE FROM training_job_losses WHERE job_id = 'b'").update();
            jdbc.sql("UPDATE training_jobs SET step = 4, losses = ? WHERE id = 'b'")
                    .param(JobStore.losses(firstSix.subList(0, 4))).update();
        } else {
            // the process died after recording step 8 and before replacing the checkpoint at 6
            stopAt[0] = 8;
            current[0] = new JobRun(store.find("b").orElseThrow(), registry, datasets, checkpoints, store, events,
                    Duration.ZERO);
            assertThat(current[0].run()).isEqualTo(JobRun.Outcome.STOPPED);
            assertThat(store.find("b").orElseThrow().step()).isEqualTo(8);
            Files.write(file, atSix);
        }
        steps.clear();
        stopAt[0] = -1;
        current[0] = new JobRun(store.find("b").orElseThrow(), registry, datasets, checkpoints, store, events,
                Duration.ZERO);
        assertThat(current[0].run()).isEqualTo(JobRun.Outcome.SUCCEEDED);
        assertThat(steps.get(0)).as("the first step after resuming").isEqualTo(7);
        assertThat(current[0].losses()).containsExactlyElementsOf(uninterrupted.losses());
        assertThat(Files.readAllBytes(registry.store().version("m", current[0].resultVersion()).weights()))
                .isEqualTo(Files.readAllBytes(registry.store().version("m", uninterrupted.resultVersion()).weights()));
        store.finish("b", JobStatus.SUCCEEDED, current[0].resultVersion(), current[0].step(), current[0].epoch(),
                current[0].stored(), current[0].unstored(), null, Instant.now());
        assertThat(store.find("b").orElseThrow().losses()).as("the record")
                .containsExactlyElementsOf(uninterrupted.losses());
    }

    private static FineTuneJob job(String id, String request) {
        return job(id, request, 18);
    }

    /** The job as a worker gets it: stored, claimed, read back. */
    static FineTuneJob claimed(JobStore store, String id, String request, int steps) {
        FineTuneJob queued = new FineTuneJob(id, JobStatus.QUEUED, request, "m", 1, null, null, 0, steps, 0, List.of(),
                null, Instant.now(), null, null, null, false);
        store.insert(queued);
        store.claim(id, "cpu", Instant.now());
        return store.find(id).orElseThrow();
    }

    private static FineTuneJob job(String id, String request, int steps) {
        return new FineTuneJob(id, JobStatus.RUNNING, request, "m", 1, null, null, 0, steps, 0, List.of(), "cpu",
                Instant.now(), Instant.now(), null, null, false);
    }
}
