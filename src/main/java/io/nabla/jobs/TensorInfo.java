package io.nabla.jobs;

import java.util.List;

/** Placeholder of the datasets branch's record, for compiling until it is merged (replaced by the merge). */
public record TensorInfo(String dtype, List<Long> shape) {
}
