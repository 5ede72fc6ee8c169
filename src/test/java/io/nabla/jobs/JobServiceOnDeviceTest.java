package io.nabla.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nabla.config.NablaProperties;
import io.nabla.gpu.AdmissionRefusedException;
import io.nabla.gpu.FakeGpus;
import io.nabla.gpu.MemoryArena;
import io.nabla.inference.InferenceMetrics;
import io.nabla.inference.ModelRegistry;
import io.nabla.inference.ModelStore;
import io.nabla.inference.SequentialModelLoader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The job service and runner, built by hand over fake GPUs: a job asking for {@code cuda:0} or {@code auto} runs
 * there, reports the device, and gives back every byte of its arena when it succeeds or is cancelled; a device that
 * does not exist is a 400 naming the field, a GPU too small a 507 with the figures; the CPU and the GPU each have a
 * worker, so a CPU job and a GPU job run at once, and an {@code auto} job goes to the CPU while the GPU is busy.
 */
class JobServiceOnDeviceTest {

    private static final long MIB = 1 << 20;

    @TempDir
    Path root;

    private FakeGpus gpus;
    private ModelRegistry registry;
    private JobRunner runner;
    private JobEvents events;

    @AfterEach
    void close() {
        if (runner != null) {
            runner.stop();
        }
        if (registry != null) {
            registry.close();
        }
        if (gpus != null) {
            gpus.close();
        }
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = JobServiceOnDeviceTest.class.getResourceAsStream("/golden/models/mlp_sgd/" + name)) {
            return in.readAllBytes();
        }
    }

    private JobService service(long capacity, Duration stepDelay) throws IOException {
        return service(stepDelay, capacity);
    }

    private JobService service(Duration stepDelay, long... capacities) throws IOException {
        gpus = FakeGpus.of(capacities);
        registry = new ModelRegistry(new ModelStore(root.resolve("store")), new SequentialModelLoader(),
                new NablaProperties.Batching(1, Duration.ZERO, 4), new InferenceMetrics(new SimpleMeterRegistry()));
        registry.create("m", resource("spec.json"), new ByteArrayInputStream(resource("initial.safetensors")));
        DatasetStore datasets = new DatasetStore(root.resolve("store"));
        dataset = datasets.create(new ByteArrayInputStream(resource("data.safetensors"))).id();
        JobStore store = new JobStore(JdbcClient.create(Databases.h2()));
        CheckpointFiles checkpoints = new CheckpointFiles(root.resolve("checkpoints"), Duration.ZERO);
        events = new JobEvents();
        JobDevices devices = new JobDevices(gpus.pool());
        runner = new JobRunner(store, registry, datasets, checkpoints, events, devices, 4, Duration.ofSeconds(5),
                stepDelay);
        runner.start();
        return new JobService(store, new JobAdmission(registry, datasets, devices, 1_000_000), runner, events, checkpoints,
                32);
    }

    private String dataset;

    private String body(String device) {
        return """
                {"model": "m", "dataset": "%s", "loss": "cross_entropy",
                 "optimizer": {"type": "sgd", "lr": 0.1, "momentum": 0.9}, "epochs": 2, "batch_size": 16,
                 "device": "%s", "checkpoint_every_steps": 3}""".formatted(dataset, device);
    }

    private FineTuneJob awaitFinal(JobService jobs, String id) throws InterruptedException {
        for (int i = 0; i < 600; i++) {
            FineTuneJob j = jobs.get(id);
            if (j.status().isFinal()) {
                return j;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("job " + id + " did not finish: " + jobs.get(id));
    }

    @Test
    void jobsRunOnTheirGpuAndGiveBackEveryByteWhenTheyEndOrAreCancelled() throws Exception {
        JobService jobs = service(256 * MIB, Duration.ZERO);
        long start = gpus.allocated(0);
        for (String device : new String[] {"cuda:0", "auto", "cuda"}) {
            FineTuneJob done = awaitFinal(jobs, jobs.submit(body(device)).id());
            assertThat(done.status()).as(done.error()).isEqualTo(JobStatus.SUCCEEDED);
            assertThat(done.device()).isEqualTo("cuda:0");
            assertThat(gpus.pool().gpu(0).arenas()).isEmpty();
            assertThat(gpus.allocated(0)).isEqualTo(start);
        }
        FineTuneJob cpu = awaitFinal(jobs, jobs.submit(body("cpu")).id());
        assertThat(cpu.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(cpu.device()).isEqualTo("cpu");
    }

    @Test
    void aGpuJobsArenaIsClosedBeforeItsEndIsPublished() throws Exception {
        JobService jobs = service(256 * MIB, Duration.ofMillis(10));
        for (boolean cancel : new boolean[] {false, true}) {
            String id = jobs.submit(body("cuda:0")).id();
            AtomicReference<List<String>> arenasAtEnd = new AtomicReference<>();
            // listeners run on the job's worker, at the moment it publishes the final status
            events.subscribe(id, e -> {
                if (e.status().isFinal()) {
                    arenasAtEnd.set(gpus.pool().gpu(0).arenas().stream().map(MemoryArena::owner).toList());
                }
            });
            if (cancel) {
                for (int i = 0; i < 200 && jobs.get(id).step() < 1; i++) {
                    Thread.sleep(20);
                }
                jobs.cancel(id);
            }
            FineTuneJob end = awaitFinal(jobs, id);
            assertThat(end.status()).isEqualTo(cancel ? JobStatus.CANCELLED : JobStatus.SUCCEEDED);
            for (int i = 0; i < 100 && arenasAtEnd.get() == null; i++) {
                Thread.sleep(20);
            }
            assertThat(arenasAtEnd.get()).as("GPU arenas when job %s (%s) published its end", id, end.status())
                    .isNotNull().isEmpty();
        }
    }

    /**
     * An {@code auto} job submitted the moment the previous GPU job ends (from a listener to its final status, which
     * runs on the GPU's worker while it publishes) goes to the idle GPU: the worker is idle before the end is
     * published, so the CPU's worker does not take the job in the meantime (it did, in CI, before).
     */
    @Test
    void anAutoJobSubmittedAsTheLastGpuJobEndsRunsOnTheGpu() throws Exception {
        JobService jobs = service(256 * MIB, Duration.ZERO);
        String first = jobs.submit(body("cuda:0")).id();
        AtomicReference<String> next = new AtomicReference<>();
        events.subscribe(first, e -> {
            if (e.status().isFinal() && next.get() == null) {
                next.set(jobs.submit(body("auto")).id());
                try {
                    Thread.sleep(300); // the GPU's worker stays here; the CPU's worker would take the job now
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        assertThat(awaitFinal(jobs, first).status()).isEqualTo(JobStatus.SUCCEEDED);
        for (int i = 0; i < 100 && next.get() == null; i++) {
            Thread.sleep(20);
        }
        assertThat(next.get()).as("the auto job was submitted").isNotNull();
        FineTuneJob auto = awaitFinal(jobs, next.get());
        assertThat(auto.status()).as(auto.error()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(auto.device()).isEqualTo("cuda:0");
    }

    @Test
    void aCancelledGpuJobGivesBackEveryByte() throws Exception {
        JobService jobs = service(256 * MIB, Duration.ofMillis(100));
        long start = gpus.allocated(0);
        String id = jobs.submit(body("cuda:0")).id();
        for (int i = 0; i < 200 && jobs.get(id).step() < 1; i++) {
            Thread.sleep(20);
        }
        assertThat(gpus.pool().gpu(0).arenas()).extracting(a -> a.owner()).containsExactly("job:" + id);
        jobs.cancel(id);
        FineTuneJob j = awaitFinal(jobs, id);
        assertThat(j.status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(j.device()).isEqualTo("cuda:0");
        assertThat(gpus.pool().gpu(0).arenas()).isEmpty();
        assertThat(gpus.allocated(0)).isEqualTo(start);
    }

    private FineTuneJob awaitRunning(JobService jobs, String id) throws InterruptedException {
        for (int i = 0; i < 600; i++) {
            FineTuneJob j = jobs.get(id);
            if (j.status() == JobStatus.RUNNING && j.step() >= 1) {
                return j;
            }
            assertThat(j.status().isFinal()).as("job " + id + " ended before it was seen running: " + j).isFalse();
            Thread.sleep(20);
        }
        throw new AssertionError("job " + id + " did not start: " + jobs.get(id));
    }

    @Test
    void theCpuAndTheGpuEachRunAJobAtOnceAndAutoTakesTheCpuWhileTheGpuIsBusy() throws Exception {
        JobService jobs = service(256 * MIB, Duration.ofMillis(100)); // 12 steps of at least 100 ms each
        String gpu = jobs.submit(body("cuda:0")).id();
        awaitRunning(jobs, gpu);
        String secondGpu = jobs.submit(body("cuda:0")).id();
        String auto = jobs.submit(body("auto")).id();
        FineTuneJob onCpu = awaitRunning(jobs, auto);
        assertThat(onCpu.device()).isEqualTo("cpu");
        assertThat(jobs.get(gpu).status()).as("the GPU job still runs beside the CPU job")
                .isEqualTo(JobStatus.RUNNING);
        assertThat(jobs.get(secondGpu).status()).as("one job at a time on a device").isEqualTo(JobStatus.QUEUED);
        String cpu = jobs.submit(body("cpu")).id();
        jobs.cancel(gpu);
        assertThat(awaitFinal(jobs, gpu).status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(awaitRunning(jobs, secondGpu).device()).as("the next GPU job, not the CPU one, takes the GPU")
                .isEqualTo("cuda:0");
        assertThat(jobs.get(cpu).status()).as("the CPU is still busy with the auto job").isEqualTo(JobStatus.QUEUED);
        for (String id : new String[] {secondGpu, auto, cpu}) {
            FineTuneJob done = awaitFinal(jobs, id);
            assertThat(done.status()).as(done.error()).isEqualTo(JobStatus.SUCCEEDED);
        }
        assertThat(jobs.get(cpu).device()).isEqualTo("cpu");
        assertThat(gpus.pool().gpu(0).arenas()).isEmpty();
    }

    @Test
    void cudaGoesToAGpuWithRoomForTheJob() throws Exception {
        JobService jobs = service(Duration.ZERO, 16 * 1024, 256 * MIB); // the job is estimated at about 20 KB
        for (int i = 0; i < 3; i++) {
            FineTuneJob done = awaitFinal(jobs, jobs.submit(body("cuda")).id());
            assertThat(done.status()).as(done.error()).isEqualTo(JobStatus.SUCCEEDED);
            assertThat(done.device()).isEqualTo("cuda:1");
        }
    }

    @Test
    void aMissingDeviceIsA400AndAGpuTooSmallA507WithTheFigures() throws Exception {
        JobService jobs = service(16 * 1024, Duration.ZERO); // the job is estimated at about 20 KB
        assertThatThrownBy(() -> jobs.submit(body("cuda:1"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("device: there is no cuda:1 on this server; expected one of \"auto\", \"cpu\", \"cuda\", "
                        + "\"cuda:0\", got \"cuda:1\"");
        assertThatThrownBy(() -> jobs.submit(body("cuda:0"))).isInstanceOf(AdmissionRefusedException.class)
                .hasMessageContaining("on cuda:0: it needs").hasMessageContaining("free");
        FineTuneJob fallback = awaitFinal(jobs, jobs.submit(body("auto")).id());
        assertThat(fallback.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(fallback.device()).isEqualTo("cpu");
    }
}
