package io.nabla.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nabla.config.NablaProperties;
import io.nabla.inference.InferenceMetrics;
import io.nabla.inference.ModelRegistry;
import io.nabla.inference.ModelStore;
import io.nabla.inference.SequentialModelLoader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
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

        JobRun first = new JobRun(job("b", request), registry, datasets, checkpoints, store, events, Duration.ZERO);
        events.subscribe("b", e -> {
            if (e.step() == stopAfter) {
                first.stop();
            }
        });
        assertThat(first.run()).isEqualTo(JobRun.Outcome.STOPPED);
        assertThat(first.step()).isEqualTo(stopAfter);
        JobRun resumed = new JobRun(job("b", request), registry, datasets, checkpoints, store, events,
                Duration.ZERO);
        assertThat(resumed.run()).isEqualTo(JobRun.Outcome.SUCCEEDED);

        assertThat(resumed.losses()).hasSize(18).containsExactlyElementsOf(uninterrupted.losses());
        assertThat(Files.readAllBytes(registry.store().version("m", resumed.resultVersion()).weights()))
                .as("weights after a stop at step %d", stopAfter)
                .isEqualTo(Files.readAllBytes(registry.store().version("m", uninterrupted.resultVersion()).weights()));
    }

    private static FineTuneJob job(String id, String request) {
        return new FineTuneJob(id, JobStatus.RUNNING, request, "m", 1, null, null, 0, 18, 0, List.of(), "cpu",
                Instant.now(), Instant.now(), null, null, false);
    }
}
