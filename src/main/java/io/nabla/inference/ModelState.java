package io.nabla.inference;

import java.util.TreeMap;

/** What the {@link ModelRegistry} knows about one model in memory; guarded by synchronizing on it. */
final class ModelState {

    final String name;
    final TreeMap<Integer, VersionSlot> slots = new TreeMap<>();
    /**
     * The version most recently made to serve requests without a version (it is retired when a newer one is), or
     * null; which version answers such a request is decided by {@link LoadedVersions#serving}.
     */
    Integer serving;

    ModelState(String name) {
        this.name = name;
    }

    VersionSlot slot(int version) {
        return slots.computeIfAbsent(version, VersionSlot::new);
    }

    VersionSlot servingSlot() {
        return serving == null ? null : slots.get(serving);
    }
}
