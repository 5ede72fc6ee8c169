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
 * @param lr the learning rate step {@code step - 1} was taken with, in a progress event; null in the others (with
 *     {@code optimizer.param_groups}, group 0's: the parameters no group names)
 * @param lrs with {@code optimizer.param_groups}, every group's rate in a progress event, group 0 first; else null
 */
public record JobEvent(int step, int epoch, Double loss, JobStatus status, ValidationResult validation, Double lr,
        java.util.List<Double> lrs) {

    public JobEvent {
        lrs = lrs == null ? null : java.util.List.copyOf(lrs);
    }

    /** An event with one learning rate (or none). */
    public JobEvent(int step, int epoch, Double loss, JobStatus status, ValidationResult validation, Double lr) {
        this(step, epoch, loss, status, validation, lr, null);
    }

    /** A status event, or a progress event without its rate. */
    public JobEvent(int step, int epoch, Double loss, JobStatus status) {
        this(step, epoch, loss, status, null, null);
    }

    /** An evaluation. */
    public JobEvent(int step, int epoch, JobStatus status, ValidationResult validation) {
        this(step, epoch, null, status, validation, null);
    }
}
