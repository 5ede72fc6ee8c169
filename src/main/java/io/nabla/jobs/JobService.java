package io.nabla.jobs;

import io.nabla.inference.InferenceException;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * What the HTTP layer does with jobs: submit (checked, stored, queued; 202 at once), read one or all with live
 * progress, cancel, and follow a job's events.
 */
public final class JobService {

    private final JobStore store;
    private final JobAdmission admission;
    private final JobRunner runner;
    private final JobEvents events;
    private final CheckpointFiles checkpoints;
    private final int maxJsonDepth;

    JobService(JobStore store, JobAdmission admission, JobRunner runner, JobEvents events,
            CheckpointFiles checkpoints, int maxJsonDepth) {
        this.store = store;
        this.admission = admission;
        this.runner = runner;
        this.events = events;
        this.checkpoints = checkpoints;
        this.maxJsonDepth = maxJsonDepth;
    }

    /**
     * Checks and queues the request (a JSON body); returns the QUEUED job. 400 naming the field when it is bad, when
     * it nests deeper than {@code nabla.limits.max-json-depth} or when it has a field twice.
     */
    public FineTuneJob submit(String body) {
        String id = UUID.randomUUID().toString();
        JobAdmission.Admitted a = admission.admit(id, JobRequest.parse(body, maxJsonDepth));
        JobRequest r = a.request();
        FineTuneJob job = new FineTuneJob(id, JobStatus.QUEUED, r.toJson(), r.model(), r.version(), a.modelId(),
                null, 0, a.totalSteps(), 0, List.of(), null, Instant.now(), null, null, null, false);
        runner.submit(job);
        return job;
    }

    /** The job with its live progress; 404 when unknown. */
    public FineTuneJob get(String id) {
        return live(store.find(id).orElseThrow(() -> InferenceException.notFound("job '" + id
                + "' does not exist")));
    }

    /** Every job, newest first by {@code created_at} (ties by id, descending). */
    public List<FineTuneJob> list() {
        return list(JobStore.Query.ALL);
    }

    /** The jobs {@code q} selects, newest first; 400 for a {@code before} id that names no job. */
    public List<FineTuneJob> list(JobStore.Query q) {
        return store.list(q).stream().map(this::live).toList();
    }

    /** Cancels a QUEUED or RUNNING job (a running one stops at its next step boundary); 404 unknown, 409 final. */
    public FineTuneJob cancel(String id) {
        FineTuneJob job = get(id);
        if (job.status().isFinal()) {
            throw finished(job);
        }
        if (store.cancelQueued(id, "cancelled by request before it started", Instant.now())) {
            runner.dequeue(id);
            checkpoints.delete(id);
            events.publish(id, new JobEvent(job.step(), job.epoch(), null, JobStatus.CANCELLED));
            return get(id);
        }
        if (!store.requestCancel(id)) {
            throw finished(get(id));
        }
        runner.run(id).ifPresent(JobRun::cancel);
        return get(id);
    }

    /**
     * Sends {@code listener} the job's events from now on, ending with its final status; returns the job as it is
     * now (when it is final already, no event follows) and a handle that unsubscribes.
     */
    public Subscription follow(String id, Consumer<JobEvent> listener) {
        // subscribe first, then read the snapshot, so no event falls between them; an unknown id ends the subscription
        Runnable cancel = events.subscribe(id, listener);
        try {
            return new Subscription(state(id), cancel);
        } catch (RuntimeException e) {
            cancel.run();
            throw e;
        }
    }

    /** The job's status, step and epoch as a status event, live for a running job; its losses are not read. */
    private JobEvent state(String id) {
        JobEvent stored = store.state(id).orElseThrow(() -> InferenceException.notFound("job '" + id
                + "' does not exist"));
        if (stored.status() != JobStatus.RUNNING) {
            return stored;
        }
        return runner.run(id).map(r -> {
            int step = r.recorded();
            return new JobEvent(step, r.epochOf(step), null, JobStatus.RUNNING);
        }).orElse(stored);
    }

    /** The host memory held by each running job, by owner {@code job:<id>} (for {@code /v1/devices}). */
    public java.util.Map<String, Long> arenas() {
        return runner.arenas();
    }

    /**
     * The job's status, step and epoch when the subscription began (as a status event: an event stream starts with
     * it), and the handle that ends it.
     */
    public record Subscription(JobEvent snapshot, Runnable unsubscribe) {
    }

    private FineTuneJob live(FineTuneJob job) {
        if (job.status() != JobStatus.RUNNING) {
            return job.withoutValidationAhead();
        }
        return runner.run(job.id()).map(r -> {
            List<Double> losses = r.losses();
            return job.withProgress(losses.size(), r.epochOf(losses.size()), losses);
        }).orElse(job).withoutValidationAhead();
    }

    private static InferenceException finished(FineTuneJob job) {
        return new InferenceException(InferenceException.Kind.CONFLICT, "job '" + job.id() + "' is "
                + job.status() + " already; only QUEUED or RUNNING jobs can be cancelled");
    }
}
