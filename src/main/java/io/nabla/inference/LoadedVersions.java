package io.nabla.inference;

import io.nabla.config.NablaProperties;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The model versions held in memory, for the {@link ModelRegistry}: which are loading, loaded or failed, and which
 * version serves requests without a version.
 *
 * <p>Guarantees: a version is loaded at most once at a time (callers share the load's future); a version becomes the
 * serving one only once it is ready, and the one it replaces is retired (unloaded after finishing what it accepted);
 * a failed load records why and changes nothing else; a version removed while it was loading is unloaded as soon as
 * it is ready. State changes happen under the lock of the model's {@link ModelState}; nothing waits while holding it.
 */
final class LoadedVersions {

    private final ModelLoader loader;
    private final NablaProperties.Batching batching;
    private final InferenceMetrics metrics;
    private final Function<StoredVersion, ModelSignature> signatures;
    private final Function<Throwable, String> failures;
    private final Map<String, ModelState> models = new ConcurrentHashMap<>();
    private final ModelPlacement placement;

    LoadedVersions(ModelLoader loader, NablaProperties.Batching batching, InferenceMetrics metrics,
            Function<StoredVersion, ModelSignature> signatures, Function<Throwable, String> failures,
            ModelPlacement placement) {
        this.placement = placement;
        this.loader = loader;
        this.batching = batching;
        this.metrics = metrics;
        this.signatures = signatures;
        this.failures = failures;
    }

    /** Names of the models with anything in memory. */
    List<String> names() {
        return new ArrayList<>(models.keySet());
    }

    /** Forgets a deleted model. */
    void remove(String name) {
        models.remove(name);
    }

    /**
     * The model that answers requests without a version: the serving one (a newer stored version starts loading in
     * the background and replaces it once ready), or the newest version, loaded now.
     */
    CompletableFuture<LoadedModel> serving(StoredVersion newest) {
        ModelState state = state(newest.name());
        boolean loadNewest;
        synchronized (state) {
            VersionSlot serving = state.servingSlot();
            VersionSlot candidate = state.slots.get(newest.version());
            loadNewest = serving == null || !serving.ready() || (newest.version() > serving.version
                    && (candidate == null || candidate.loading == null && candidate.failure == null));
        }
        CompletableFuture<LoadedModel> newestLoad = loadNewest ? startLoad(newest, true) : null;
        synchronized (state) {
            VersionSlot serving = state.servingSlot();
            if (serving != null && serving.ready()) {
                return CompletableFuture.completedFuture(serving.model);
            }
        }
        return newestLoad != null ? newestLoad : startLoad(newest, true);
    }

    private ModelState state(String name) {
        return models.computeIfAbsent(name, ModelState::new);
    }

    /** Starts loading {@code v} unless it is loaded or loading; {@code promote} makes it serve once ready. */
    CompletableFuture<LoadedModel> startLoad(StoredVersion v, boolean promote) {
        ModelState state = state(v.name());
        List<LoadedModel> retire = new ArrayList<>();
        CompletableFuture<LoadedModel> future;
        synchronized (state) {
            VersionSlot slot = state.slot(v.version());
            if (slot.ready()) {
                if (promote) {
                    promote(state, slot, retire);
                }
                future = CompletableFuture.completedFuture(slot.model);
            } else if (slot.loading != null) {
                slot.promote |= promote;
                future = slot.loading;
            } else {
                slot.model = null;
                slot.failure = null;
                slot.promote = promote;
                ModelSignature signature = signatures.apply(v);
                future = LoadedModel.load(v, v.readSpec(), signature, loader, batching, metrics, placement);
                slot.loading = future;
                future.whenComplete((m, e) -> finished(state, slot, m, e));
            }
        }
        retire.forEach(LoadedModel::unload);
        return future;
    }

    private void finished(ModelState state, VersionSlot slot, LoadedModel model, Throwable error) {
        List<LoadedModel> retire = new ArrayList<>();
        synchronized (state) {
            if (state.slots.get(slot.version) != slot || models.get(state.name) != state) {
                if (model != null) {
                    retire.add(model);
                }
            } else {
                slot.loading = null;
                if (error != null) {
                    slot.failure = failures.apply(error);
                } else {
                    slot.model = model;
                    metrics.track(model);
                    if (slot.promote) {
                        promote(state, slot, retire);
                    }
                }
            }
        }
        retire.forEach(LoadedModel::unload);
    }

    /** Makes {@code slot} the serving version unless a newer one serves; the one it replaces is retired. */
    private static void promote(ModelState state, VersionSlot slot, List<LoadedModel> retire) {
        VersionSlot old = state.servingSlot();
        if (old != null && old.version > slot.version && old.ready()) {
            return;
        }
        state.serving = slot.version;
        if (old != null && old != slot) {
            if (old.model != null) {
                retire.add(old.model);
            }
            state.slots.remove(old.version);
        }
    }

    /** Removes the versions (all when null) from memory; the futures complete once their memory is freed. */
    List<CompletableFuture<Void>> detach(String name, Integer version) {
        List<CompletableFuture<Void>> closing = new ArrayList<>();
        ModelState state = models.get(name);
        if (state == null) {
            return closing;
        }
        List<LoadedModel> retire = new ArrayList<>();
        synchronized (state) {
            for (VersionSlot slot : new ArrayList<>(state.slots.values())) {
                if (version != null && slot.version != version) {
                    continue;
                }
                if (slot.model != null) {
                    retire.add(slot.model);
                }
                if (slot.loading != null) {
                    closing.add(slot.loading.handle((m, e) -> m)
                            .thenCompose(m -> m == null ? CompletableFuture.completedFuture(null) : m.closed()));
                }
                state.slots.remove(slot.version);
                if (state.serving != null && state.serving == slot.version) {
                    state.serving = null;
                }
            }
        }
        for (LoadedModel m : retire) {
            closing.add(m.unload());
        }
        return closing;
    }

    RepositoryEntry entry(String name, int v) {
        ModelState state = models.get(name);
        if (state != null) {
            synchronized (state) {
                VersionSlot slot = state.slots.get(v);
                if (slot != null && slot.ready()) {
                    return new RepositoryEntry(name, Integer.toString(v), "READY", "");
                }
                if (slot != null && slot.loading != null) {
                    return new RepositoryEntry(name, Integer.toString(v), "LOADING", "");
                }
                if (slot != null && slot.failure != null) {
                    return new RepositoryEntry(name, Integer.toString(v), "UNAVAILABLE", slot.failure);
                }
            }
        }
        return new RepositoryEntry(name, Integer.toString(v), "UNAVAILABLE", "unloaded");
    }

    /** Version {@code v} (the serving one when {@code serving}) if it is loaded and ready, else null. */
    Integer readyVersion(StoredVersion v, boolean serving) {
        ModelState state = models.get(v.name());
        if (state == null) {
            return null;
        }
        synchronized (state) {
            VersionSlot slot = serving ? state.servingSlot() : state.slots.get(v.version());
            return slot != null && slot.ready() ? slot.version : null;
        }
    }

    /** The memory held by each model loaded on the CPU (a GPU's models are its arenas). */
    List<ModelArena> arenas() {
        List<ModelArena> out = new ArrayList<>();
        for (ModelState state : models.values()) {
            synchronized (state) {
                for (VersionSlot slot : state.slots.values()) {
                    if (slot.model != null && slot.model.device().isCpu()) {
                        out.add(new ModelArena(slot.model.version().owner(), slot.model.bytes()));
                    }
                }
            }
        }
        return out;
    }

    /** True when every loaded version's worker is running. */
    boolean healthy() {
        for (ModelState state : models.values()) {
            synchronized (state) {
                for (VersionSlot slot : state.slots.values()) {
                    if (slot.model != null && !slot.ready()) {
                        return false;
                    }
                }
            }
        }
        return true;
    }
}
