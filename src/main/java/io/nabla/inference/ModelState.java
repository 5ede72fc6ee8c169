package io.nabla.inference;

import java.util.TreeMap;

/** What the {@link ModelRegistry} knows about one model in memory; guarded by synchronizing on it. */
final class ModelState {

    final String name;
    final TreeMap<Integer, VersionSlot> slots = new TreeMap<>();
    /** The version that answers requests without a version, or null. */
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
