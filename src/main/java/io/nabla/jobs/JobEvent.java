package io.nabla.jobs;

/**
 * One progress event of a job's event stream: after an optimizer step ({@code loss} set) or on a change of status.
 *
 * @param step optimizer steps done
 * @param epoch the epoch (from 0) the next step belongs to
 * @param loss the loss of step {@code step - 1}, or null for a status change
 * @param status the job's status
 */
public record JobEvent(int step, int epoch, Double loss, JobStatus status) {
}
