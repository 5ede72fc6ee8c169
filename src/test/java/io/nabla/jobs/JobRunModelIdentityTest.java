package io.nabla.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nabla.config.NablaProperties;
import io.nabla.inference.InferenceMetrics;
import io.nabla.inference.ModelRegistry;
import io.nabla.inference.ModelStore;
import io.nabla.inference.SequentialModelLoader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * A job publishes its result only into the model it was accepted for: a model deleted, or deleted and created again
 * under the same name (with another architecture), while the job waits or runs, ends the job FAILED with the reason
 * before its next step, also after a restart (the model's id is in the job's record); a model whose versions were all
 * deleted goes on, and the result becomes its next version.
 */
class JobRunModelIdentityTest {

    /** Another model under the same name: Linear(20, 8), ReLU, Linear(8, 5) instead of 20-32-16-3. */
    private static final String OTHER_SPEC = """
            {"inputs": [{"name": "input", "datatype": "FP32", "shape": [-1, 20]}],
             "outputs": [{"name": "logits", "datatype": "FP32", "shape": [-1, 5]}],
             "layers": [{"type": "Linear", "in_features": 20, "out_features": 8}, {"type": "ReLU"},
                        {"type": "Linear", "in_features": 8, "out_features": 5}]}""";

    @TempDir
    Path root;

    private ModelRegistry registry;
    private DatasetStore datasets;
    private JdbcClient jdbc;
    private JobStore store;
    private CheckpointFiles checkpoints;
    private final JobEvents events = new JobEvents();
    private String request;

    @BeforeEach
    void open() throws IOException {
        registry = new ModelRegistry(new ModelStore(root.resolve("store")), new SequentialModelLoader(),
                new NablaProperties.Batching(1, Duration.ZERO, 4), new InferenceMetrics(new SimpleMeterRegistry()));
        registry.create("m", resource("spec.json"), new ByteArrayInputStream(resource("initial.safetensors")));
        datasets = new DatasetStore(root.resolve("store"));
        String dataset = datasets.create(new ByteArrayInputStream(resource("data.safetensors"))).id();
        jdbc = JdbcClient.create(Databases.h2());
        store = new JobStore(jdbc);
        checkpoints = new CheckpointFiles(root.resolve("checkpoints"), Duration.ZERO);
        request = JobRequest.parse("""
                {"model": "m", "version": "1", "dataset": "%s", "loss": "cross_entropy",
                 "optimizer": {"type": "sgd", "lr": 0.1}, "epochs": 3, "batch_size": 16,
                 "checkpoint_every_steps": 4}""".formatted(dataset)).toJson();
    }

    @AfterEach
    void close() {
        registry.close();
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = JobRunModelIdentityTest.class.getResourceAsStream("/golden/models/mlp_sgd/" + name)) {
            return in.readAllBytes();
        }
    }

    /** A RUNNING job on m v1 as the database holds it, with the model id {@code modelId}. */
    private FineTuneJob running(String id, String modelId) {
        store.insert(new FineTuneJob(id, JobStatus.QUEUED, request, "m", 1, modelId, null, 0, 18, 0, List.of(), null,
                Instant.now(), null, null, null, false));
        store.claim(id, "cpu", Instant.now());
        return store.find(id).orElseThrow();
    }

    private JobRun run(FineTuneJob job) {
        return new JobRun(job, registry, datasets, checkpoints, store, events, Duration.ZERO);
    }

    private String modelId() {
        return registry.store().modelId("m").orElseThrow();
    }

    private void recreate() {
        registry.delete("m");
        registry.create("m", OTHER_SPEC.getBytes(StandardCharsets.UTF_8), null);
    }

    /** Runs {@code action} on the worker thread right after step {@code step}. */
    private void after(String job, int step, Runnable action) {
        events.subscribe(job, e -> {
            if (e.step() == step && e.loss() != null) {
                action.run();
            }
        });
    }

    @Test
    void aModelDeletedAndCreatedAgainWhileTheJobRunsGetsNothingAndTheJobStopsAtOnce() throws IOException {
        JobRun run = run(running("a", modelId()));
        after("a", 3, this::recreate);
        assertThatThrownBy(run::run).isInstanceOf(IllegalStateException.class).hasMessage("model \"m\" was deleted "
                + "and created again while the job ran; its result has nowhere to go");
        assertThat(run.step()).as("noticed before the next step").isEqualTo(3);
        assertThat(registry.store().versions("m")).containsExactly(1);
        assertThat(Files.readString(registry.store().newest("m").spec())).isEqualTo(OTHER_SPEC);
    }

    @Test
    void aModelDeletedWhileTheJobRunsEndsIt() {
        JobRun run = run(running("b", modelId()));
        after("b", 7, () -> registry.delete("m"));
        assertThatThrownBy(run::run).hasMessage("model \"m\" was deleted while the job ran; its result has nowhere "
                + "to go");
        assertThat(run.step()).isEqualTo(7);
        assertThat(registry.store().known("m")).as("nothing was created").isFalse();
    }

    @Test
    void aModelWhoseVersionsWereAllDeletedWhileTheJobRanGetsTheResultAsItsNextVersion() {
        JobRun run = run(running("c", modelId()));
        after("c", 5, () -> registry.delete("m", 1));
        assertThat(run.run()).isEqualTo(JobRun.Outcome.SUCCEEDED);
        assertThat(run.resultVersion()).isEqualTo(2);
        assertThat(registry.store().versions("m")).containsExactly(2);
    }

    @Test
    void aModelDeletedAndCreatedAgainBeforeTheJobStartsIsNotTrained() {
        FineTuneJob job = running("d", modelId());
        recreate();
        JobRun run = run(job);
        assertThatThrownBy(run::run).hasMessage("model \"m\" was deleted and created again since the job was "
                + "accepted; its result has nowhere to go");
        assertThat(run.step()).isZero();
        assertThat(registry.store().versions("m")).containsExactly(1);
    }

    @Test
    void theModelIdSurvivesARestartOfTheJob() {
        JobRun first = run(running("e", modelId()));
        after("e", 8, first::stop);
        assertThat(first.run()).isEqualTo(JobRun.Outcome.STOPPED);
        recreate();
        FineTuneJob reread = new JobStore(jdbc).find("e").orElseThrow(); // as the next start reads it
        assertThat(reread.step()).isEqualTo(8);
        JobRun resumed = run(reread);
        assertThatThrownBy(resumed::run).hasMessageContaining("model \"m\" was deleted and created again");
        assertThat(registry.store().versions("m")).containsExactly(1);
    }

    @Test
    void aJobAcceptedBeforeModelIdsExistedRecordsItsModelWhenItStarts() {
        JobRun first = run(running("f", null));
        after("f", 4, first::stop);
        assertThat(first.run()).isEqualTo(JobRun.Outcome.STOPPED);
        assertThat(store.find("f").orElseThrow().modelId()).isEqualTo(modelId());
        recreate();
        assertThatThrownBy(run(store.find("f").orElseThrow())::run)
                .hasMessageContaining("model \"m\" was deleted and created again since the job was accepted");
    }
}
