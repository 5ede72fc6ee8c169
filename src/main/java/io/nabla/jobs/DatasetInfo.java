package io.nabla.jobs;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A stored dataset: its server-made id, its number of samples (the first dimension every tensor shares), its tensors
 * by name in the order of their data in the file, and when it was uploaded.
 *
 * @param id the dataset id ({@code ds-} and 16 hex digits)
 * @param size the number of samples N (>= 1)
 * @param tensors every tensor by name, in file order (an unmodifiable, ordered map)
 * @param createdAt when the upload was stored
 */
public record DatasetInfo(String id, long size, Map<String, TensorInfo> tensors, Instant createdAt) {

    public DatasetInfo {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(createdAt, "createdAt");
        tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
    }
}
