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
 * version answers requests without a version.
 *
 * <p>Guarantees: a version is loaded at most once at a time (callers share the load's future); a request without a
 * version is answered by the newest stored version, waiting for its load rather than being answered by an older
 * version meanwhile (a client that has seen a new version's 201, or a job's SUCCEEDED, must get that version), and by
 * the newest ready version only when the newest version's load failed (the failure is kept for the index, and
 * nothing waits on the failed version again until it is loaded explicitly); a version becomes the serving one only
 * once it is ready, and the one it replaces is retired (unloaded after finishing what it accepted); a failed load
 * records why and changes nothing else; a version removed while it was loading is unloaded as soon as it is ready.
 * At most {@code maxLoaded} versions of a model are loaded or loading at once: a load past that unloads the least
 * recently used ready version that does not serve requests without a version (it finishes what it accepted; a
 * later request for it loads it again), and when every other version is loading or serving, a load asked for by
 * version number is refused with a 503 and {@code Retry-After} (the serving version's load never is). State changes
 * happen under the lock of the model's {@link ModelState}; nothing waits while holding it.
 */
final class LoadedVersions {

    private final ModelLoader loader;
    private final NablaProperties.Batching batching;
    private final InferenceMetrics metrics;
    private final Function<StoredVersion, ModelSignature> signatures;
    private final Function<Throwable, String> failures;
    private final Map<String, ModelState> models = new ConcurrentHashMap<>();
    private final ModelPlacement placement;
    private final int maxLoaded;

    LoadedVersions(ModelLoader loader, NablaProperties.Batching batching, InferenceMetrics metrics,
            Function<StoredVersion, ModelSignature> signatures, Function<Throwable, String> failures,
            ModelPlacement placement, int maxLoaded) {
        this.placement = placement;
        this.maxLoaded = maxLoaded;
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
     * The model that answers requests without a version: {@code newest}, the newest stored version, made the serving
     * one (loaded now, or its load under way joined, when it is not ready: the caller waits for it). When its last
     * load failed, the newest ready version answers instead, without trying the failed one again; when that load
     * fails while callers wait, they fall back the same way. With no version ready, the newest is loaded again and
     * its failure reported.
     *
     * <p>(This used to answer with the serving version and load a newer one in the background, so requests sent
     * right after an upload's 201 or a job's SUCCEEDED were answered by the previous version.)
     */
    CompletableFuture<LoadedModel> serving(StoredVersion newest) {
        ModelState state = state(newest.name());
        synchronized (state) {
            VersionSlot candidate = state.slots.get(newest.version());
            if (failed(candidate)) {
                VersionSlot fallback = newestReady(state, newest.version());
                if (fallback != null) {
                    fallback.lastUsed = System.nanoTime();
                    return CompletableFuture.completedFuture(fallback.model);
                }
            }
        }
        return startLoad(newest, true).exceptionallyCompose(error -> {
            synchronized (state) {
                VersionSlot fallback = newestReady(state, newest.version());
                if (fallback != null) {
                    return CompletableFuture.completedFuture(fallback.model);
                }
            }
            return CompletableFuture.failedFuture(error);
        });
    }

    /** Whether the slot's last load failed (and none is under way). */
    private static boolean failed(VersionSlot slot) {
        return slot != null && slot.loading == null && slot.failure != null && slot.model == null;
    }

    /** The newest ready version older than {@code version}, or null; under the state's lock. */
    private static VersionSlot newestReady(ModelState state, int version) {
        for (VersionSlot slot : state.slots.headMap(version, false).descendingMap().values()) {
            if (slot.ready()) {
                return slot;
            }
        }
        return null;
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
            slot.lastUsed = System.nanoTime();
            if (slot.ready()) {
                if (promote) {
                    promote(state, slot, retire);
                }
                future = CompletableFuture.completedFuture(slot.model);
            } else if (slot.loading != null) {
                slot.promote |= promote;
                future = slot.loading;
            } else {
                makeRoom(state, slot, promote, retire);
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

    /**
     * Before {@code slot} starts loading, under the state's lock: unloads least recently used ready versions (never the
     * serving one) until fewer than {@code maxLoaded} others are loaded or loading; when that is impossible, refuses
     * a load by version number with a 503 (a load that will serve goes ahead).
     */
    private void makeRoom(ModelState state, VersionSlot slot, boolean promote, List<LoadedModel> retire) {
        List<VersionSlot> idle = new ArrayList<>();
        int resident = 0;
        for (VersionSlot other : state.slots.values()) {
            if (other == slot || (other.model == null && other.loading == null)) {
                continue;
            }
            resident++;
            boolean serving = state.serving != null && state.serving == other.version;
            if (other.ready() && other.loading == null && !serving) {
                idle.add(other);
            }
        }
        int excess = resident - maxLoaded + 1;
        if (excess <= 0) {
            return;
        }
        if (idle.size() < excess && !promote) {
            if (slot.failure == null) {
                state.slots.remove(slot.version, slot);
            }
            throw new InferenceException(InferenceException.Kind.UNAVAILABLE, "model '" + state.name + "' has "
                    + resident + (resident == 1 ? " version" : " versions") + " loaded or loading, the most it may hold (nabla.models.max-loaded-versions"
                    + " = " + maxLoaded + "), and too few of them can be unloaded yet; retry",
                    java.time.Duration.ofSeconds(1), null);
        }
        idle.sort(java.util.Comparator.comparingLong(v -> v.lastUsed));
        for (VersionSlot victim : idle.subList(0, Math.min(excess, idle.size()))) {
            retire.add(victim.model);
            state.slots.remove(victim.version);
        }
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

    /**
     * Version {@code v} if it is loaded and ready, else null; with {@code newest} ({@code v} is the newest stored
     * version), the version {@link #serving} would answer with now without loading anything: {@code v} when ready,
     * the newest ready one when {@code v} failed to load, else null.
     */
    Integer readyVersion(StoredVersion v, boolean newest) {
        ModelState state = models.get(v.name());
        if (state == null) {
            return null;
        }
        synchronized (state) {
            VersionSlot slot = state.slots.get(v.version());
            if (slot != null && slot.ready()) {
                return slot.version;
            }
            VersionSlot fallback = newest && failed(slot) ? newestReady(state, v.version()) : null;
            return fallback != null ? fallback.version : null;
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
