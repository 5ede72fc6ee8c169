package io.nabla.jobs;

/**
 * The evaluation of a job's model on its {@code validation} dataset after an epoch.
 *
 * @param epoch the epoch just finished (from 0)
 * @param step the optimizer steps done when it was evaluated
 * @param loss the job's loss over all samples of the dataset (the mean over samples for every loss, as the loss of
 *     one batch holding them all), a number that may be NaN or infinite for a diverging run
 * @param accuracy for {@code cross_entropy} and {@code nll}: the fraction of targets that are the output's largest
 *     class; null for the other losses
 */
public record ValidationResult(int epoch, int step, double loss, Double accuracy) {
}
