package io.nabla.jobs;

import java.time.Instant;
import java.util.List;

/**
 * A fine-tuning job as stored: its request, state and progress (API section 4).
 *
 * @param id the job id
 * @param status where it is in its life
 * @param request the validated request, as JSON (normalised: every field present)
 * @param model the model trained
 * @param version the version trained from
 * @param modelId the id of the model that version belongs to ({@code ModelStore#modelId}), recorded when the job is
 *     accepted, so the result is published only into that model and never into another one created under its name
 *     since; null in records written before ids existed (such a job records it when it starts)
 * @param resultVersion the version the job published, or null
 * @param step optimizer steps done
 * @param totalSteps optimizer steps of the whole job
 * @param epoch the epoch (from 0) the next step belongs to; equals the number of epochs when all steps are done
 * @param losses every step's loss, in order
 * @param device the device the job runs on ({@code cpu} or {@code cuda:N}), or null before it starts (and for a
 *     job that could not be placed)
 * @param createdAt when it was accepted
 * @param startedAt when it first started running, or null
 * @param finishedAt when it reached a final state, or null
 * @param error why it failed or was cancelled, or null
 * @param cancelRequested true once DELETE asked to cancel it
 * @param validation the evaluations on the request's {@code validation} dataset, one per finished epoch, in order
 */
public record FineTuneJob(String id, JobStatus status, String request, String model, int version,
        String modelId, Integer resultVersion, int step, int totalSteps, int epoch, List<Double> losses,
        String device, Instant createdAt, Instant startedAt, Instant finishedAt, String error,
        boolean cancelRequested, List<ValidationResult> validation) {

    public FineTuneJob {
        losses = List.copyOf(losses);
        validation = List.copyOf(validation);
    }

    /** A job without evaluations yet. */
    public FineTuneJob(String id, JobStatus status, String request, String model, int version, String modelId,
            Integer resultVersion, int step, int totalSteps, int epoch, List<Double> losses, String device,
            Instant createdAt, Instant startedAt, Instant finishedAt, String error, boolean cancelRequested) {
        this(id, status, request, model, version, modelId, resultVersion, step, totalSteps, epoch, losses, device,
                createdAt, startedAt, finishedAt, error, cancelRequested, List.of());
    }

    /**
     * The steps whose losses the record holds: {@code step}, or fewer after a crash between the removal of a chunk
     * of losses and its replacement; the progress the record can vouch for.
     */
    int recordedSteps() {
        return Math.min(step, losses.size());
    }

    /** This job with {@code losses} instead of its own. */
    FineTuneJob withLosses(List<Double> losses) {
        return new FineTuneJob(id, status, request, model, version, modelId, resultVersion, step, totalSteps, epoch,
                losses, device, createdAt, startedAt, finishedAt, error, cancelRequested, validation);
    }

    /** This job with live progress (from the worker that runs it) instead of the stored one. */
    public FineTuneJob withProgress(int step, int epoch, List<Double> losses) {
        return new FineTuneJob(id, status, request, model, version, modelId, resultVersion, step, totalSteps, epoch,
                losses, device, createdAt, startedAt, finishedAt, error, cancelRequested, validation);
    }

    /**
     * Where early stopping stands after this job's evaluations, or null for a job without {@code early_stopping}
     * (the state follows from the evaluations: {@link EarlyStopping#replay}).
     */
    public EarlyStopping.State earlyStopping() {
        EarlyStopping rule = earlyStoppingRule();
        return rule == null ? null : rule.replay(validation);
    }

    /** This job's {@code early_stopping}, read from its stored request, or null without one. */
    public EarlyStopping earlyStoppingRule() {
        tools.jackson.databind.JsonNode r = JobRequest.STORED.readTree(request);
        return EarlyStopping.parse(r.get(EarlyStopping.FIELD), true, true);
    }

    /** This job with {@code validation} instead of its own evaluations. */
    FineTuneJob withValidation(List<ValidationResult> validation) {
        return new FineTuneJob(id, status, request, model, version, modelId, resultVersion, step, totalSteps, epoch,
                losses, device, createdAt, startedAt, finishedAt, error, cancelRequested, validation);
    }

    /**
     * This job less the evaluations made after its {@code step}: those of a run that went further before a crash
     * than its last checkpoint (the resumed run makes them again, with the same results).
     */
    FineTuneJob withoutValidationAhead() {
        return withValidation(validation.stream().filter(v -> v.step() <= step).toList());
    }
}
