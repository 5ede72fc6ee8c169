package io.nabla.jobs;

import java.time.Instant;
import java.util.Map;

/** Placeholder of the datasets branch's record, for compiling until it is merged (replaced by the merge). */
public record DatasetInfo(String id, long size, Map<String, TensorInfo> tensors, Instant createdAt) {
}
