package io.nabla.inference;

import java.util.concurrent.CompletableFuture;

/** The load state of one model version in the {@link ModelRegistry}; guarded by the registry's lock on the model. */
final class VersionSlot {

    final int version;
    /** In flight while loading, else null. */
    CompletableFuture<LoadedModel> loading;
    /** The ready model, else null. */
    LoadedModel model;
    /** Why the last load failed, else null. */
    String failure;
    /** Whether the version becomes the serving one once loaded. */
    boolean promote;
    /** {@link System#nanoTime} of the last request sent to this version, for unloading the least recently used. */
    long lastUsed;

    VersionSlot(int version) {
        this.version = version;
    }

    boolean ready() {
        return model != null && model.accepting();
    }
}
