package io.nabla.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nabla.backend.Device;
import io.nabla.config.NablaProperties;
import io.nabla.gpu.AdmissionRefusedException;
import io.nabla.gpu.FakeGpus;
import io.nabla.gpu.MemoryArena;
import io.nabla.inference.InferenceMetrics;
import io.nabla.inference.ModelRegistry;
import io.nabla.inference.ModelStore;
import io.nabla.inference.SequentialModelLoader;
import io.nabla.model.ModelSpec;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Jobs placed on GPUs, on fake GPUs (reference kernels on host memory, accounted by the device's arena heap): the
 * {@code device} field's checks and admission, a run inside its arena that returns every byte when it ends, is
 * cancelled or stops for shutdown, and resumes on the device from a checkpoint to the same result.
 */
class JobsOnDeviceTest {

    private static final long MIB = 1 << 20;

    @TempDir
    Path root;

    private ModelRegistry registry;
    private FakeGpus gpus;

    @AfterEach
    void close() {
        if (registry != null) {
            registry.close();
        }
        if (gpus != null) {
            gpus.close();
        }
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = JobsOnDeviceTest.class.getResourceAsStream("/golden/models/mlp_sgd/" + name)) {
            return in.readAllBytes();
        }
    }

    @Test
    void withoutGpusCudaIsRefusedNamingTheFieldAndAutoIsTheCpu() {
        JobDevices devices = JobDevices.cpuOnly();
        assertThat(devices.check("job:x", "auto", 1 << 30)).isEqualTo(Device.CPU);
        assertThat(devices.place("job:x", "auto", 1 << 30)).isEqualTo(new JobDevices.Placement(Device.CPU, null));
        assertThatThrownBy(() -> devices.check("job:x", "cuda:0", 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("device: no CUDA device is available on this server; expected \"auto\" or \"cpu\", got "
                        + "\"cuda:0\"");
        assertThatThrownBy(() -> devices.check("job:x", "gpu", 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("device: expected \"auto\", \"cpu\", \"cuda\" or \"cuda:N\", got \"gpu\"");
    }

    @Test
    void withGpusAutoTakesOneThatFitsAndANamedGpuThatCannotHoldTheJobIsRefusedWithTheFigures() {
        gpus = FakeGpus.of(64 * MIB, 128 * MIB);
        JobDevices devices = new JobDevices(gpus.pool());
        assertThat(devices.check("job:x", "auto", 100 * MIB)).isEqualTo(Device.cuda(1));
        assertThat(devices.check("job:x", "auto", 1 << 30)).isEqualTo(Device.CPU);
        assertThat(devices.check("job:x", "cuda:0", MIB)).isEqualTo(Device.cuda(0));
        assertThatThrownBy(() -> devices.check("job:x", "cuda:0", 100 * MIB))
                .isInstanceOf(AdmissionRefusedException.class)
                .hasMessageContaining("cannot admit job:x on cuda:0: it needs 100")
                .hasMessageContaining("free");
        assertThatThrownBy(() -> devices.check("job:x", "cuda:2", MIB)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("device: there is no cuda:2 on this server; expected one of \"auto\", \"cpu\", \"cuda\", "
                        + "\"cuda:0\", \"cuda:1\", got \"cuda:2\"");
        JobDevices.Placement p = devices.place("job:y", "auto", 100 * MIB);
        assertThat(p.device()).isEqualTo(Device.cuda(1));
        assertThat(p.arena().owner()).isEqualTo("job:y");
        p.arena().close();
        assertThat(devices.place("job:z", "auto", 1 << 30).device()).isEqualTo(Device.CPU);
        assertThatThrownBy(() -> devices.place("job:z", "cuda:0", 100 * MIB))
                .isInstanceOf(AdmissionRefusedException.class);
    }

    @Test
    void theEstimateCountsParametersOptimizerSlotsAndABatch() {
        ModelSpec spec = ModelSpec.parse("{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[-1,10]}],"
                + "\"outputs\":[{\"name\":\"y\",\"datatype\":\"FP32\",\"shape\":[-1,5]}],"
                + "\"layers\":[{\"type\":\"Linear\",\"in_features\":10,\"out_features\":5}]}");
        JobRequest sgd = JobRequest.parse("{\"model\":\"m\",\"dataset\":\"d\",\"loss\":\"mse\",\"optimizer\":"
                + "{\"type\":\"sgd\",\"lr\":0.1},\"batch_size\":8,\"epochs\":1}");
        JobRequest adam = JobRequest.parse("{\"model\":\"m\",\"dataset\":\"d\",\"loss\":\"mse\",\"optimizer\":"
                + "{\"type\":\"adam\",\"lr\":0.1},\"batch_size\":8,\"epochs\":1}");
        assertThat(JobMemory.estimate(spec, sgd)).isEqualTo(4 * (55 * 3 + 15 * 8 * 4));
        assertThat(JobMemory.estimate(spec, adam)).isEqualTo(4 * (55 * 5 + 15 * 8 * 4));
        JobRequest amp = JobRequest.parse("{\"model\":\"m\",\"dataset\":\"d\",\"loss\":\"mse\",\"optimizer\":"
                + "{\"type\":\"adam\",\"lr\":0.1},\"batch_size\":8,\"epochs\":1,\"precision\":\"bf16\"}");
        assertThat(JobMemory.estimate(spec, amp)).as("a low-precision copy of each weight and its gradient")
                .isEqualTo(4 * (55 * 6 + 15 * 8 * 4));
    }

    /** Also in fp16 mixed precision: the casts, the scaled gradients and the scaler's state on the device. */
    @ParameterizedTest
    @ValueSource(strings = {"fp32", "fp16"})
    void aRunOnTheGpuReturnsItsMemoryWhenItEndsIsCancelledOrStopsAndResumesToTheSameResult(String precision)
            throws IOException {
        gpus = FakeGpus.of(256 * MIB);
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
                 "optimizer": {"type": "adam", "lr": 0.01}, "epochs": 3, "batch_size": 16,
                 "shuffle": true, "seed": 3, "checkpoint_every_steps": 4, "device": "cuda:0",
                 "precision": "%s"}""".formatted(dataset, precision))
                .toJson();
        JobDevices devices = new JobDevices(gpus.pool());
        long start = gpus.allocated(0);

        JobRun cpu = new JobRun(job("c", request), registry, datasets, checkpoints, store, events, Duration.ZERO);
        assertThat(cpu.run()).isEqualTo(JobRun.Outcome.SUCCEEDED);

        JobDevices.Placement pa = devices.place("job:a", "cuda:0", MIB);
        JobRun uninterrupted = run("a", request, pa, registry, datasets, checkpoints, store, events);
        assertThat(uninterrupted.run()).isEqualTo(JobRun.Outcome.SUCCEEDED);
        assertReturned(pa.arena(), start);
        List<Double> expected = cpu.losses();
        assertThat(uninterrupted.losses()).hasSize(expected.size());
        for (int i = 0; i < expected.size(); i++) {
            assertThat(uninterrupted.losses().get(i)).as("loss %d on cuda:0 vs cpu", i)
                    .isCloseTo(expected.get(i), org.assertj.core.data.Offset.offset(1e-4));
        }

        JobDevices.Placement pb = devices.place("job:b", "cuda:0", MIB);
        JobRun first = run("b", request, pb, registry, datasets, checkpoints, store, events);
        events.subscribe("b", e -> {
            if (e.step() == 7) {
                first.stop();
            }
        });
        assertThat(first.run()).isEqualTo(JobRun.Outcome.STOPPED);
        assertReturned(pb.arena(), start);
        JobDevices.Placement pb2 = devices.place("job:b", "cuda:0", MIB);
        JobRun resumed = run("b", request, pb2, registry, datasets, checkpoints, store, events);
        List<Integer> steps = new java.util.concurrent.CopyOnWriteArrayList<>();
        events.subscribe("b", e -> steps.add(e.step()));
        assertThat(resumed.run()).isEqualTo(JobRun.Outcome.SUCCEEDED);
        assertThat(steps.get(0)).as("the first step after resuming").isEqualTo(8);
        assertReturned(pb2.arena(), start);
        assertThat(resumed.losses()).containsExactlyElementsOf(uninterrupted.losses());
        assertThat(Files.readAllBytes(registry.store().version("m", resumed.resultVersion()).weights()))
                .isEqualTo(Files.readAllBytes(registry.store().version("m", uninterrupted.resultVersion())
                        .weights()));

        JobDevices.Placement pd = devices.place("job:d", "cuda:0", MIB);
        JobRun cancelled = run("d", request, pd, registry, datasets, checkpoints, store, events);
        events.subscribe("d", e -> {
            if (e.step() == 3) {
                cancelled.cancel();
            }
        });
        assertThat(cancelled.run()).isEqualTo(JobRun.Outcome.CANCELLED);
        assertReturned(pd.arena(), start);
    }

    private static JobRun run(String id, String request, JobDevices.Placement p, ModelRegistry registry,
            DatasetStore datasets, CheckpointFiles checkpoints, JobStore store, JobEvents events) {
        assertThat(p.device()).isEqualTo(Device.cuda(0));
        // as a worker gets it: claimed and read back (a resumed run finds its losses in the record)
        FineTuneJob job = store.find(id).isPresent() ? store.find(id).orElseThrow()
                : JobRunResumeTest.claimed(store, id, request, 18);
        return new JobRun(job, registry, datasets, checkpoints, store, events, Duration.ZERO, p.device(), p.arena());
    }

    /** Everything the run allocated on the device was freed by its scope, charged to and credited from its arena. */
    private void assertReturned(MemoryArena arena, long start) {
        assertThat(arena.stats().peak()).as("the run allocated in its arena").isPositive();
        assertThat(arena.stats().allocated()).isZero();
        assertThat(arena.release()).as("bytes the arena still held at close").isZero();
        assertThat(gpus.allocated(0)).isEqualTo(start);
    }

    private static FineTuneJob job(String id, String request) {
        return new FineTuneJob(id, JobStatus.RUNNING, request, "m", 1, null, null, 0, 18, 0, List.of(), "cuda:0",
                Instant.now(), Instant.now(), null, null, false);
    }
}
