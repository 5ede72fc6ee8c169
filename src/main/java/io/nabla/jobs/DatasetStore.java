package io.nabla.jobs;

import io.nabla.config.NablaProperties;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Component;

/** Placeholder of the datasets branch's store, for compiling until it is merged (replaced by the merge). */
@Component
public class DatasetStore {

    private final Path root;

    public DatasetStore(NablaProperties properties) {
        this.root = properties.store().path().toAbsolutePath().resolve("datasets");
    }

    public Optional<DatasetInfo> find(String id) {
        return id.matches("[A-Za-z0-9_-]{1,64}") && Files.isRegularFile(file(id))
                ? Optional.of(new DatasetInfo(id, 0, Map.of(), Instant.now())) : Optional.empty();
    }

    public Path file(String id) {
        return root.resolve(id + ".safetensors");
    }
}
