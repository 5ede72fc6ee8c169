package io.nabla.inference;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A version can record its origin (a job), and the store finds it again after a restart: publishing is idempotent. */
class ModelStoreOriginTest {

    @TempDir
    Path root;

    private static StoredVersion commit(ModelStore store, String name, String origin) throws IOException {
        try (ModelStore.Staging s = store.stage()) {
            Files.writeString(s.spec(), "{}");
            if (origin != null) {
                Files.writeString(s.origin(), origin, StandardCharsets.UTF_8);
            }
            return store.commit(name, s);
        }
    }

    @Test
    void versionsAreFoundByTheirOrigin() throws IOException {
        ModelStore store = new ModelStore(root);
        commit(store, "m", null);
        StoredVersion fromJob = commit(store, "m", "job:abc");
        commit(store, "m", "job:abcd");
        assertThat(new ModelStore(root).findByOrigin("m", "job:abc")).contains(fromJob);
        assertThat(store.findByOrigin("m", "job:ab")).isEmpty();
        assertThat(store.findByOrigin("other", "job:abc")).isEmpty();
        store.delete("m", fromJob.version());
        assertThat(store.findByOrigin("m", "job:abc")).isEmpty();
    }
}
