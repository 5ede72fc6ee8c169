package io.nabla.jobs;

import io.nabla.backend.Backends;
import io.nabla.backend.Device;
import io.nabla.config.ShutdownPhases;
import io.nabla.gpu.AdmissionRefusedException;
import io.nabla.gpu.DeviceRequest;
import io.nabla.gpu.GpuDevice;
import io.nabla.inference.InferenceException;
import io.nabla.inference.ModelRegistry;
import io.nabla.inference.StoredVersion;
import io.nabla.model.ModelSpec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * The job queue and its workers, one per device: one for the CPU and one for each GPU, so a job on the CPU and one on
 * each GPU run at the same time, and each device runs one job at a time.
 *
 * <p>Guarantees: at most {@code queueCapacity} submitted jobs wait (more is a 429); a worker takes the oldest waiting
 * job it may run: {@code cpu} jobs go to the CPU's worker, {@code cuda:N} to GPU N's, {@code cuda} to a healthy GPU's
 * that has room for it (to any healthy GPU's when none has, which then refuses it with the figures), {@code auto} to an idle healthy GPU that can hold it, else to the CPU's worker (a GPU that refuses it at the
 * start sends it to the CPU's), and a job whose device cannot be served here goes to the CPU's worker, which fails it
 * with the reason; on start, every job the database holds as RUNNING (its worker died with the previous process) or
 * QUEUED waits again, oldest first, and a job whose cancel was requested is cancelled; a job runs only after the
 * conditional QUEUED -> RUNNING update succeeded, so it never runs twice at once; every run ends in SUCCEEDED, FAILED
 * (with the reason) or CANCELLED, except at shutdown: {@link #stop()} asks the running jobs to checkpoint at their next
 * step boundary and waits up to {@code shutdownWait}; they stay RUNNING in the database and resume from that checkpoint
 * at the next start.
 */
public final class JobRunner implements SmartLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(JobRunner.class);

    /** A waiting job, with what decides which worker may take it. */
    private record Waiting(String id, String device, long bytes, boolean refusedByGpu) {
    }

    /** The worker of one device; {@code gpu} is null for the CPU's. Guarded by the runner's queue lock. */
    private static final class Worker {
        final Device device;
        final GpuDevice gpu;
        boolean busy;
        Thread thread;

        Worker(Device device, GpuDevice gpu) {
            this.device = device;
            this.gpu = gpu;
        }
    }

    private final JobStore store;
    private final ModelRegistry registry;
    private final DatasetStore datasets;
    private final CheckpointFiles checkpoints;
    private final JobEvents events;
    private final JobDevices devices;
    private final int capacity;
    private final Duration shutdownWait;
    private final Duration stepDelay;
    private final Object lock = new Object();
    private final List<Waiting> queue = new ArrayList<>(); // guarded by lock, oldest first
    private final List<Worker> workers = new ArrayList<>(); // guarded by lock
    private final Map<String, JobRun> runs = new ConcurrentHashMap<>();
    private volatile boolean running;
    private volatile boolean stopping;

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
        Waiting waiting = waiting(job);
        synchronized (lock) {
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
            queue.add(waiting);
            lock.notifyAll();
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
        synchronized (lock) {
            queue.removeIf(w -> w.id().equals(id));
        }
    }

    @Override
    public void start() {
        int requeued = store.requeueRunning();
        List<Waiting> unfinished = new ArrayList<>();
        for (String id : store.unfinishedIds()) {
            FineTuneJob j = readable(id);
            if (j == null) {
                continue;
            }
            if (j.cancelRequested()) {
                if (store.cancelQueued(j.id(), "cancelled by request", Instant.now())) {
                    checkpoints.delete(j.id());
                }
            } else {
                unfinished.add(waiting(j));
            }
        }
        if (!unfinished.isEmpty()) {
            LOG.info("{} unfinished jobs wait for the workers ({} were running when the server stopped)",
                    unfinished.size(), requeued);
        }
        synchronized (lock) {
            queue.addAll(unfinished);
            workers.clear();
            workers.add(new Worker(Device.CPU, null));
            devices.pool().gpus().forEach(g -> workers.add(new Worker(g.device(), g)));
            stopping = false;
            running = true;
            for (Worker w : workers) {
                w.thread = new Thread(() -> work(w), "job-worker-" + w.device);
                w.thread.setDaemon(true);
                w.thread.start();
            }
        }
    }

    /**
     * The stored job, or null when it is gone or its record cannot be read; such a job is failed with the reason, so
     * that one damaged record neither keeps the server from starting nor holds up the other jobs.
     */
    private FineTuneJob readable(String id) {
        try {
            return store.find(id).orElse(null);
        } catch (RuntimeException e) {
            String reason = "the stored job could not be read, so it cannot resume: " + message(e)
                    + "; its losses were discarded";
            LOG.error("job {}: {}; it is marked FAILED", id, reason, e);
            if (store.failUnreadable(id, reason, Instant.now())) {
                checkpoints.delete(id);
            }
            return null;
        }
    }

    @Override
    public void stop() {
        List<Thread> threads = new ArrayList<>();
        synchronized (lock) {
            stopping = true;
            runs.values().forEach(JobRun::stop);
            workers.forEach(w -> threads.add(w.thread));
            lock.notifyAll();
        }
        long deadline = System.nanoTime() + shutdownWait.toNanos();
        boolean late = false;
        for (Thread t : threads) {
            try {
                t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            late |= t.isAlive();
        }
        if (late) {
            LOG.warn("a job did not reach a step boundary within {}; it resumes from its previous checkpoint",
                    shutdownWait);
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

    private void work(Worker me) {
        while (!stopping) {
            Waiting next;
            try {
                next = take(me);
            } catch (InterruptedException e) {
                return;
            }
            if (next == null) {
                continue;
            }
            try {
                execute(next, me);
            } catch (RuntimeException e) {
                LOG.error("job {}: could not record its state: {}", next.id(), e.toString(), e);
            } finally {
                Backends.releaseThread(); // the job's device stream (and its cached segments) back to the pool
                idle(me); // (again, for a job that ended without publishing: an idle GPU changes where auto jobs go)
            }
        }
    }

    /**
     * Marks {@code me} idle before its job's end is published: a client that submits an {@code auto} job as soon as
     * it sees the previous one end must find the GPU idle, not see the job go to the CPU because this worker had not
     * yet returned to its loop. Only this worker takes jobs for itself, so it takes the next one when it returns.
     */
    private void idle(Worker me) {
        synchronized (lock) {
            me.busy = false;
            lock.notifyAll();
        }
    }

    /** The oldest waiting job {@code me} may run (marking it busy), or null after waiting a while for one. */
    private Waiting take(Worker me) throws InterruptedException {
        synchronized (lock) {
            for (int attempt = 0; attempt < 2 && !stopping; attempt++) {
                for (Iterator<Waiting> it = queue.iterator(); it.hasNext();) {
                    Waiting w = it.next();
                    if (mayRun(me, w)) {
                        it.remove();
                        me.busy = true;
                        return w;
                    }
                }
                if (attempt == 0) {
                    lock.wait(100);
                }
            }
            return null;
        }
    }

    /** Whether {@code me} is the worker for {@code w} now (see the guarantees); called under the lock. */
    private boolean mayRun(Worker me, Waiting w) {
        DeviceRequest r;
        try {
            r = DeviceRequest.parse(w.device());
        } catch (IllegalArgumentException e) {
            return me.gpu == null; // fails on the CPU's worker, naming the field
        }
        List<GpuDevice> gpus = devices.pool().gpus();
        return switch (r.kind()) {
            case CPU -> me.gpu == null;
            case CUDA_INDEX -> devices.pool().find(r.index()).isEmpty() ? me.gpu == null
                    : me.gpu != null && me.gpu.index() == r.index();
            case CUDA -> gpus.stream().noneMatch(GpuDevice::healthy) ? me.gpu == null
                    : me.gpu != null && me.gpu.healthy() && (fits(me.gpu, w.bytes())
                            || gpus.stream().noneMatch(g -> g.healthy() && fits(g, w.bytes())));
            case AUTO -> me.gpu != null ? !w.refusedByGpu() && holds(me.gpu, w.bytes())
                    : w.refusedByGpu() || workers.stream().noneMatch(o -> o.gpu != null && !o.busy
                            && holds(o.gpu, w.bytes()));
        };
    }

    private boolean holds(GpuDevice gpu, long bytes) {
        return gpu.healthy() && bytes <= devices.pool().defaultArenaLimit() && fits(gpu, bytes);
    }

    private static boolean fits(GpuDevice gpu, long bytes) {
        return gpu.availableBytes() >= bytes;
    }

    /** How a stored job waits: its requested device and estimated memory (0 when they cannot be read any more). */
    private Waiting waiting(FineTuneJob job) {
        try {
            JobRequest request = JobRequest.parse(job.request());
            return new Waiting(job.id(), request.device(), estimate(job, request), false);
        } catch (RuntimeException e) {
            return new Waiting(job.id(), "cpu", 0, false); // the run fails with the reason
        }
    }

    private long estimate(FineTuneJob job, JobRequest request) {
        try {
            StoredVersion base = registry.resolve(job.model(), job.version());
            return JobMemory.estimate(ModelSpec.parse(new String(base.readSpec(), StandardCharsets.UTF_8)), request);
        } catch (RuntimeException e) {
            return 0; // the model is gone: the run fails with the reason
        }
    }

    private void execute(Waiting waiting, Worker me) {
        Device on = me.device;
        String id = waiting.id();
        FineTuneJob queued = store.find(id).orElse(null);
        if (queued == null || queued.status() != JobStatus.QUEUED) {
            return;
        }
        JobDevices.Placement placement;
        try {
            placement = place(queued, on);
        } catch (AdmissionRefusedException e) {
            if (!on.isCpu() && waiting.device().equals("auto")) {
                LOG.info("job {}: {} refused it ({}); it waits for the CPU", id, on, e.getMessage());
                synchronized (lock) {
                    queue.add(0, new Waiting(id, waiting.device(), waiting.bytes(), true));
                    lock.notifyAll();
                }
                return;
            }
            idle(me);
            fail(queued, e);
            return;
        } catch (RuntimeException e) {
            idle(me);
            fail(queued, e);
            return;
        }
        try {
            execute(id, placement, me);
        } finally {
            release(placement); // already closed before the final status, unless the run ended some other way
        }
    }

    private void fail(FineTuneJob queued, RuntimeException e) {
        if (store.claim(queued.id(), null, Instant.now())) {
            LOG.warn("job {} cannot start: {}", queued.id(), e.toString());
            finish(queued, JobStatus.FAILED, null, queued.recordedSteps(), queued.epoch(),
                    queued.losses().size(), List.of(), message(e));
        }
    }

    /** The job's arena on {@code on}, the device of the worker that took it, from its request and estimated memory. */
    private JobDevices.Placement place(FineTuneJob job, Device on) {
        JobRequest request = JobRequest.parse(job.request());
        StoredVersion base = registry.resolve(job.model(), job.version());
        ModelSpec spec = ModelSpec.parse(new String(base.readSpec(), StandardCharsets.UTF_8));
        return devices.placeOn("job:" + job.id(), request.device(), JobMemory.estimate(spec, request), on);
    }

    private void execute(String id, JobDevices.Placement placement, Worker me) {
        if (!store.claim(id, placement.device().toString(), Instant.now())) {
            return;
        }
        FineTuneJob job = store.find(id).orElseThrow();
        JobRun run;
        try {
            run = new JobRun(job, registry, datasets, checkpoints, store, events, stepDelay, placement.device(),
                    placement.arena());
        } catch (RuntimeException e) {
            release(placement);
            idle(me);
            finish(job, JobStatus.FAILED, null, job.recordedSteps(), job.epoch(),
                    job.losses().size(), List.of(), message(e));
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
            release(placement);
            idle(me);
            finish(job, JobStatus.FAILED, null, run.step(), run.epoch(), run.stored(), run.unstored(), message(e));
            return;
        }
        runs.remove(id); // its memory is freed already: the run's scope closed when run() returned
        release(placement);
        idle(me);
        switch (outcome) {
            case SUCCEEDED -> finish(job, JobStatus.SUCCEEDED, run.resultVersion(), run.step(), run.epoch(),
                    run.stored(), run.unstored(), null);
            case CANCELLED -> finish(job, JobStatus.CANCELLED, null, run.step(), run.epoch(), run.stored(),
                    run.unstored(), "cancelled by request after step " + run.step());
            case STOPPED -> LOG.info("job {} stopped for shutdown at step {}; it resumes at the next start", id,
                    run.step());
        }
    }

    /**
     * Closes the job's GPU arena, if it has one, before its final status is stored: whoever sees the job end (a
     * client polling it, its event stream) sees its device memory returned, not an arena that closes a moment later.
     */
    private static void release(JobDevices.Placement placement) {
        if (placement.arena() != null) {
            placement.arena().close();
        }
    }

    /** Stores the job's final state, with the losses of steps {@code from} on that its record lacks. */
    private void finish(FineTuneJob job, JobStatus status, Integer version, int step, int epoch, int from,
            List<Double> unstored, String error) {
        if (store.finish(job.id(), status, version, step, epoch, from, unstored, error, Instant.now())) {
            checkpoints.delete(job.id());
        }
        events.publish(job.id(), new JobEvent(step, epoch, null, status));
    }

    private static String message(Throwable e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
