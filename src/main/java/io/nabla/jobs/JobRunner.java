package io.nabla.jobs;

import io.nabla.backend.Backends;
import io.nabla.config.ShutdownPhases;
import io.nabla.inference.InferenceException;
import io.nabla.inference.ModelRegistry;
import io.nabla.inference.StoredVersion;
import io.nabla.model.ModelSpec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * The job queue and its worker (one per device; the CPU has one).
 *
 * <p>Guarantees: at most {@code queueCapacity} submitted jobs wait (more is a 429); on start, every job the
 * database holds as RUNNING (its worker died with the previous process) or QUEUED waits again, oldest first, and a
 * job whose cancel was requested is cancelled; a job runs only after the conditional QUEUED -> RUNNING update
 * succeeded, so it never runs twice at once; every run ends in SUCCEEDED, FAILED (with the reason) or CANCELLED,
 * except at shutdown: {@link #stop()} asks the running job to checkpoint at its next step boundary and waits up to
 * {@code shutdownWait}; the job stays RUNNING in the database and resumes from that checkpoint at the next start.
 */
public final class JobRunner implements SmartLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(JobRunner.class);

    private final JobStore store;
    private final ModelRegistry registry;
    private final DatasetStore datasets;
    private final CheckpointFiles checkpoints;
    private final JobEvents events;
    private final JobDevices devices;
    private final int capacity;
    private final Duration shutdownWait;
    private final Duration stepDelay;
    private final BlockingDeque<String> queue = new LinkedBlockingDeque<>();
    private final Map<String, JobRun> runs = new ConcurrentHashMap<>();
    private final Object submitLock = new Object();
    private volatile boolean running;
    private volatile boolean stopping;
    private Thread worker;

    JobRunner(JobStore store, ModelRegistry registry, DatasetStore datasets, CheckpointFiles checkpoints,
            JobEvents events, JobDevices devices, int capacity, Duration shutdownWait, Duration stepDelay) {
        this.store = store;
        this.registry = registry;
        this.datasets = datasets;
        this.checkpoints = checkpoints;
        this.events = events;
        this.devices = devices;
        this.capacity = capacity;
        this.shutdownWait = shutdownWait;
        this.stepDelay = stepDelay;
    }

    /** Stores a new job and queues it; 429 when the queue is full, 503 while shutting down. */
    void submit(FineTuneJob job) {
        synchronized (submitLock) {
            if (!running || stopping) {
                throw new InferenceException(InferenceException.Kind.UNAVAILABLE, "the server is not accepting jobs"
                        + " now (starting or shutting down)", Duration.ofSeconds(5), null);
            }
            if (queue.size() >= capacity) {
                throw new InferenceException(InferenceException.Kind.OVERLOADED, "the job queue is full: "
                        + queue.size() + " jobs wait, nabla.jobs.queue-capacity is " + capacity,
                        Duration.ofSeconds(5), null);
            }
            store.insert(job);
            queue.add(job.id());
        }
    }

    /** The live run of a job running here, if any. */
    Optional<JobRun> run(String id) {
        return Optional.ofNullable(runs.get(id));
    }

    /** The memory each job running on the CPU holds, by owner {@code job:<id>} (GPU jobs show in their arenas). */
    Map<String, Long> arenas() {
        Map<String, Long> out = new java.util.TreeMap<>();
        runs.forEach((id, run) -> {
            if (run.device().isCpu()) {
                out.put("job:" + id, run.bytes());
            }
        });
        return out;
    }

    /** Removes a cancelled job from the queue. */
    void dequeue(String id) {
        queue.remove(id);
    }

    @Override
    public synchronized void start() {
        int requeued = store.requeueRunning();
        for (FineTuneJob j : store.unfinished()) {
            if (j.cancelRequested()) {
                if (store.cancelQueued(j.id(), "cancelled by request", Instant.now())) {
                    checkpoints.delete(j.id());
                }
            } else {
                queue.add(j.id());
            }
        }
        if (!queue.isEmpty()) {
            LOG.info("{} unfinished jobs wait for the worker ({} were running when the server stopped)", queue.size(),
                    requeued);
        }
        stopping = false;
        running = true;
        worker = new Thread(this::work, "job-worker");
        worker.setDaemon(true);
        worker.start();
    }

    @Override
    public void stop() {
        Thread w;
        synchronized (this) {
            stopping = true;
            runs.values().forEach(JobRun::stop);
            w = worker;
        }
        if (w != null) {
            try {
                w.join(shutdownWait.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (w.isAlive()) {
                LOG.warn("a job did not reach a step boundary within {}; it resumes from its previous checkpoint",
                        shutdownWait);
            }
        }
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Stops after the web server (no request can start or change a job then), before the data source closes. */
    @Override
    public int getPhase() {
        return ShutdownPhases.JOBS;
    }

    private void work() {
        while (!stopping) {
            String id;
            try {
                id = queue.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (id != null && !stopping) {
                try {
                    execute(id);
                } catch (RuntimeException e) {
                    LOG.error("job {}: could not record its state: {}", id, e.toString(), e);
                } finally {
                    Backends.releaseThread(); // the job's device stream (and its cached segments) back to the pool
                }
            }
        }
    }

    private void execute(String id) {
        FineTuneJob queued = store.find(id).orElse(null);
        if (queued == null || queued.status() != JobStatus.QUEUED) {
            return;
        }
        JobDevices.Placement placement;
        try {
            placement = place(queued);
        } catch (RuntimeException e) {
            if (store.claim(id, null, Instant.now())) {
                LOG.warn("job {} cannot start: {}", id, e.toString());
                finish(queued, JobStatus.FAILED, null, queued.step(), queued.epoch(), queued.losses(), message(e));
            }
            return;
        }
        try {
            execute(id, placement);
        } finally {
            if (placement.arena() != null) {
                placement.arena().close(); // returns whatever the run still held on the GPU
            }
        }
    }

    /** The job's device and arena there, from its request's {@code device} and its estimated memory. */
    private JobDevices.Placement place(FineTuneJob job) {
        JobRequest request = JobRequest.parse(job.request());
        StoredVersion base = registry.resolve(job.model(), job.version());
        ModelSpec spec = ModelSpec.parse(new String(base.readSpec(), StandardCharsets.UTF_8));
        return devices.place("job:" + job.id(), request.device(), JobMemory.estimate(spec, request));
    }

    private void execute(String id, JobDevices.Placement placement) {
        if (!store.claim(id, placement.device().toString(), Instant.now())) {
            return;
        }
        FineTuneJob job = store.find(id).orElseThrow();
        JobRun run;
        try {
            run = new JobRun(job, registry, datasets, checkpoints, store, events, stepDelay, placement.device(),
                    placement.arena());
        } catch (RuntimeException e) {
            finish(job, JobStatus.FAILED, null, job.step(), job.epoch(), job.losses(), message(e));
            return;
        }
        runs.put(id, run);
        if (stopping) {
            run.stop();
        }
        if (store.find(id).map(FineTuneJob::cancelRequested).orElse(false)) {
            run.cancel();
        }
        events.publish(id, new JobEvent(job.step(), job.epoch(), null, JobStatus.RUNNING));
        JobRun.Outcome outcome;
        try {
            outcome = run.run();
        } catch (RuntimeException | OutOfMemoryError | StackOverflowError e) {
            LOG.warn("job {} failed: {}", id, e.toString(), e);
            runs.remove(id);
            finish(job, JobStatus.FAILED, null, run.step(), run.epoch(), run.losses(), message(e));
            return;
        }
        runs.remove(id); // its memory is freed already: the run's scope closed when run() returned
        switch (outcome) {
            case SUCCEEDED -> finish(job, JobStatus.SUCCEEDED, run.resultVersion(), run.step(), run.epoch(),
                    run.losses(), null);
            case CANCELLED -> finish(job, JobStatus.CANCELLED, null, run.step(), run.epoch(), run.losses(),
                    "cancelled by request after step " + run.step());
            case STOPPED -> LOG.info("job {} stopped for shutdown at step {}; it resumes at the next start", id,
                    run.step());
        }
    }

    private void finish(FineTuneJob job, JobStatus status, Integer version, int step, int epoch,
            java.util.List<Double> losses, String error) {
        if (store.finish(job.id(), status, version, step, epoch, losses, error, Instant.now())) {
            checkpoints.delete(job.id());
        }
        events.publish(job.id(), new JobEvent(step, epoch, null, status));
    }

    private static String message(Throwable e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
