package io.nabla.backend;

/**
 * Reductions over a set of dimensions. {@code VAR} and {@code STD} take the correction (0 = biased, 1 = unbiased)
 * as their parameter; {@code ARGMAX}/{@code ARGMIN} write INT64 indices: the row-major position of the first
 * extreme value within the reduced dimensions (with one reduced dimension, the index along it; with all, the index
 * into the flattened input). NaN counts as larger and as smaller than every number, as in PyTorch.
 */
public enum ReduceOp {
    SUM, MEAN, PROD, AMAX, AMIN, VAR, STD, LOGSUMEXP, ARGMAX, ARGMIN
}
