package io.nabla.backend;

/**
 * Reductions over a set of dimensions. {@code VAR} takes the correction (0 or 1) as its parameter;
 * {@code ARGMAX}/{@code ARGMIN} write INT64 indices along the single reduced dimension.
 */
public enum ReduceOp {
    SUM, MEAN, PROD, AMAX, AMIN, VAR, LOGSUMEXP, ARGMAX, ARGMIN
}
