package io.nabla.nn;

import io.nabla.tensor.Tensor;

/** A training loss: the mean loss of a model's output against its target, a 0-dim tensor differentiable in input. */
@FunctionalInterface
public interface Criterion {

    Tensor apply(Tensor input, Tensor target);
}
