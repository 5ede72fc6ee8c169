package io.nabla.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nabla.config.NablaProperties;
import io.nabla.gpu.FakeGpus;
import io.nabla.inference.InferenceMetrics;
import io.nabla.inference.ModelRegistry;
import io.nabla.inference.ModelStore;
import io.nabla.inference.SequentialModelLoader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
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
 * Diverging runs and damaged records at a start: a run whose losses become NaN or infinite stops for shutdown and
 * resumes with those losses intact (checkpoint and database), and a job record that cannot be read is failed with
 * the reason instead of keeping the runner, and so the server, from starting, while the other jobs still run.
 */
class JobRunnerStartTest {

    @TempDir
    Path root;

    private ModelRegistry registry;
    private DatasetStore datasets;
    private String dataset;
    private JdbcClient jdbc;
    private JobStore store;
    private CheckpointFiles checkpoints;
    private JobRunner runner;
    private FakeGpus gpus;

    @BeforeEach
    void open() throws IOException {
        registry = new ModelRegistry(new ModelStore(root.resolve("store")), new SequentialModelLoader(),
                new NablaProperties.Batching(1, Duration.ZERO, 4), new InferenceMetrics(new SimpleMeterRegistry()));
        registry.create("m", resource("spec.json"), new ByteArrayInputStream(resource("initial.safetensors")));
        datasets = new DatasetStore(root.resolve("store"));
        dataset = datasets.create(new ByteArrayInputStream(resource("data.safetensors"))).id();
        jdbc = JdbcClient.create(Databases.h2());
        store = new JobStore(jdbc);
        checkpoints = new CheckpointFiles(root.resolve("checkpoints"), Duration.ZERO);
    }

    @AfterEach
    void close() {
        if (runner != null) {
            runner.stop();
        }
        if (gpus != null) {
            gpus.close();
        }
        registry.close();
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = JobRunnerStartTest.class.getResourceAsStream("/golden/models/mlp_sgd/" + name)) {
            return in.readAllBytes();
        }
    }

    /** One epoch of mlp_sgd: 6 steps of 16 rows. */
    private String request(double lr) {
        return JobRequest.parse("""
                {"model": "m", "version": "1", "dataset": "%s", "loss": "cross_entropy",
                 "optimizer": {"type": "sgd", "lr": %s}, "epochs": 1, "batch_size": 16, "device": "cpu",
                 "checkpoint_every_steps": 2}""".formatted(dataset, lr)).toJson();
    }

    private static FineTuneJob queued(String id, String request) {
        return new FineTuneJob(id, JobStatus.QUEUED, request, "m", 1, null, null, 0, 6, 0, List.of(), null,
                Instant.now(), null, null, null, false);
    }

    private FineTuneJob awaitFinal(String id) throws InterruptedException {
        for (int i = 0; i < 600; i++) {
            FineTuneJob j = store.find(id).orElseThrow();
            if (j.status().isFinal()) {
                return j;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("job " + id + " did not finish: " + store.find(id));
    }

    @Test
    void aDivergingRunKeepsItsNonFiniteLossesAcrossAStopAndResume() {
        JobEvents events = new JobEvents();
        FineTuneJob job = queued("nan", request(1e30));
        store.insert(job);
        store.claim("nan", "cpu", Instant.now());
        JobRun first = new JobRun(store.find("nan").orElseThrow(), registry, datasets, checkpoints, store, events,
                Duration.ZERO);
        events.subscribe("nan", e -> {
            if (e.step() == 4) {
                first.stop();
            }
        });
        assertThat(first.run()).isEqualTo(JobRun.Outcome.STOPPED);
        List<Double> stopped = first.losses();
        assertThat(stopped).hasSize(4).anyMatch(l -> !Double.isFinite(l));
        assertThat(store.find("nan").orElseThrow().losses()).as("stored at the checkpoint")
                .containsExactlyElementsOf(stopped);

        JobRun resumed = new JobRun(store.find("nan").orElseThrow(), registry, datasets, checkpoints, store, events,
                Duration.ZERO);
        assertThat(resumed.run()).isEqualTo(JobRun.Outcome.SUCCEEDED);
        assertThat(resumed.losses()).hasSize(6).startsWith(stopped.toArray(Double[]::new));
    }

    @Test
    void aJobWhoseRecordCannotBeReadFailsWithTheReasonAndTheOthersStillRun() throws Exception {
        store.insert(queued("damaged", request(0.1)));
        store.insert(queued("fine", request(0.1)));
        store.claim("damaged", "cpu", Instant.now());
        jdbc.sql("UPDATE training_jobs SET losses = '[2.3, oops' WHERE id = 'damaged'").update();

        gpus = FakeGpus.of();
        runner = new JobRunner(store, registry, datasets, checkpoints, new JobEvents(), new JobDevices(gpus.pool()),
                4, Duration.ofSeconds(5), Duration.ZERO);
        runner.start();

        FineTuneJob damaged = store.find("damaged").orElseThrow();
        assertThat(damaged.status()).isEqualTo(JobStatus.FAILED);
        assertThat(damaged.error()).contains("could not be read", "losses");
        assertThat(damaged.finishedAt()).isNotNull();
        FineTuneJob fine = awaitFinal("fine");
        assertThat(fine.status()).as(fine.error()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(fine.losses()).hasSize(6);
        assertThat(store.list()).extracting(FineTuneJob::id).containsExactly("fine", "damaged");
    }
}
