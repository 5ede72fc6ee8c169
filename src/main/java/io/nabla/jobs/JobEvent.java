package io.nabla.jobs;

/**
 * One event of a job's event stream: after an optimizer step ({@code loss} set), on a change of status, or after an
 * epoch's evaluation on the validation dataset ({@code validation} set).
 *
 * @param step optimizer steps done
 * @param epoch the epoch (from 0) the next step belongs to
 * @param loss the loss of step {@code step - 1}, or null for a status change or an evaluation
 * @param status the job's status
 * @param validation the evaluation after an epoch, or null for the other events
 * @param lr the learning rate step {@code step - 1} was taken with, in a progress event; null in the others
 */
public record JobEvent(int step, int epoch, Double loss, JobStatus status, ValidationResult validation, Double lr) {

    /** A status event, or a progress event without its rate. */
    public JobEvent(int step, int epoch, Double loss, JobStatus status) {
        this(step, epoch, loss, status, null, null);
    }

    /** An evaluation. */
    public JobEvent(int step, int epoch, JobStatus status, ValidationResult validation) {
        this(step, epoch, null, status, validation, null);
    }
}
