package io.nabla.inference;

import io.nabla.backend.OutOfDeviceMemoryException;
import io.nabla.config.NablaProperties;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The models of the store and the versions of them held in memory.
 *
 * <p>Guarantees: a version is loaded at most once at a time (concurrent callers wait for the same load); requests
 * without a version go to the serving version, which is replaced only once its successor is ready, and a failed
 * load leaves it serving; a replaced or unloaded version finishes every request it accepted before its memory is
 * freed, and a request it refused is sent to the current version instead, so swapping versions fails no request;
 * {@link #unload} and {@link #delete} return once the memory is freed. Locks are never held while waiting.
 */
public final class ModelRegistry implements AutoCloseable {

    private static final int MAX_RESOLVE_ATTEMPTS = 5;
    private static final Duration UNLOAD_WAIT = Duration.ofMinutes(2);

    private final ModelStore store;
    private final ModelLoader loader;
    private final NablaProperties.Batching batching;
    private final InferenceMetrics metrics;
    private final Map<String, ModelState> models = new ConcurrentHashMap<>();
    private final Map<String, ModelSignature> signatures = new ConcurrentHashMap<>();
    private volatile boolean draining;

    public ModelRegistry(ModelStore store, ModelLoader loader, NablaProperties.Batching batching,
            InferenceMetrics metrics) {
        this.store = store;
        this.loader = loader;
        this.batching = batching;
        this.metrics = metrics;
    }

    // ---- repository --------------------------------------------------------------------------------------------

    /**
     * Stores the next version of {@code name}: the spec, and {@code weights} (a safetensors stream checked against
     * the spec) or, when null, weights initialised from the spec's seed.
     */
    public StoredVersion create(String name, byte[] spec, InputStream weights) {
        ModelNames.check(name);
        ModelSignature signature = invalidOnIae(() -> loader.signature(spec));
        try (ModelStore.Staging staged = store.stage()) {
            DurableFiles.write(staged.spec(), spec);
            if (weights != null) {
                DurableFiles.copy(weights, staged.weights());
                invalidOnIae(() -> {
                    loader.checkWeights(spec, staged.weights());
                    return null;
                });
            } else {
                invalidOnIae(() -> {
                    loader.writeInitialWeights(spec, staged.weights());
                    return null;
                });
            }
            StoredVersion v = store.commit(name, staged);
            signatures.put(v.owner(), signature);
            return v;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store model '" + name + "': " + e.getMessage(), e);
        }
    }

    public ModelStore store() {
        return store;
    }

    /** Every stored version with its state. */
    public List<RepositoryEntry> index() {
        List<RepositoryEntry> out = new ArrayList<>();
        for (String name : store.models()) {
            List<Integer> versions;
            try {
                versions = store.versions(name);
            } catch (InferenceException e) {
                continue;
            }
            ModelState state = models.get(name);
            for (int v : versions) {
                out.add(entry(name, v, state));
            }
        }
        return out;
    }

    private static RepositoryEntry entry(String name, int v, ModelState state) {
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

    /** Loads the newest version and makes it serve requests without a version; returns it once ready. */
    public StoredVersion load(String name) {
        refuseWhileDraining();
        StoredVersion newest = store.newest(name);
        await(startLoad(newest, true), newest);
        return newest;
    }

    /** Unloads every version of {@code name} and returns once their memory is freed; 404 for unknown models. */
    public void unload(String name) {
        store.versions(name);
        awaitClosed(detach(name, null));
    }

    /** Unloads and deletes every version of {@code name}. */
    public void delete(String name) {
        store.versions(name);
        awaitClosed(detach(name, null));
        store.delete(name);
        signatures.keySet().removeIf(k -> k.startsWith("model:" + name + ":"));
        models.remove(name);
    }

    /** Unloads and deletes one version. */
    public void delete(String name, int version) {
        StoredVersion v = store.version(name, version);
        awaitClosed(detach(name, version));
        store.delete(name, version);
        signatures.remove(v.owner());
    }

    // ---- metadata ----------------------------------------------------------------------------------------------

    /** The stored version a request names (newest when {@code version} is null); 404 when absent. */
    public StoredVersion resolve(String name, Integer version) {
        ModelNames.check(name);
        return version == null ? store.newest(name) : store.version(name, version);
    }

    public ModelDescription describe(String name, Integer version) {
        StoredVersion v = resolve(name, version);
        return new ModelDescription(name, store.versions(name), v.version(), signature(v));
    }

    /**
     * The named version (the serving one when null) if it is loaded and ready, else null; 404 when the model or
     * version does not exist.
     */
    public Integer readyVersion(String name, Integer version) {
        StoredVersion v = resolve(name, version);
        ModelState state = models.get(name);
        if (state == null) {
            return null;
        }
        synchronized (state) {
            VersionSlot slot = version == null ? state.servingSlot() : state.slots.get(v.version());
            return slot != null && slot.ready() ? slot.version : null;
        }
    }

    /** The memory held by each loaded model. */
    public List<ModelArena> arenas() {
        List<ModelArena> out = new ArrayList<>();
        for (ModelState state : models.values()) {
            synchronized (state) {
                for (VersionSlot slot : state.slots.values()) {
                    if (slot.model != null) {
                        out.add(new ModelArena(slot.model.version().owner(), slot.model.bytes()));
                    }
                }
            }
        }
        return out;
    }

    /** False while draining (shutting down). */
    public boolean accepting() {
        return !draining;
    }

    /** Refuses new inference from now on (shutdown began); accepted requests still finish. */
    public void drain() {
        draining = true;
    }

    ModelSignature signature(StoredVersion v) {
        return signatures.computeIfAbsent(v.owner(), k -> invalidOnIae(() -> loader.signature(readSpec(v))));
    }

    private static byte[] readSpec(StoredVersion v) {
        try {
            return Files.readAllBytes(v.spec());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the spec of " + v.owner() + ": " + e.getMessage(), e);
        }
    }

    // ---- inference ---------------------------------------------------------------------------------------------

    /** Runs a decoded request on the named version (the serving one, loading the newest if none, when null). */
    public InferenceResult infer(String name, Integer version, InferenceCall call) {
        long start = System.nanoTime();
        metrics.request(name);
        try {
            StoredVersion target = resolve(name, version);
            CallCheck.check(name, signature(target), call);
            for (int attempt = 1; ; attempt++) {
                refuseWhileDraining();
                LoadedModel model = version == null ? servingModel(name) : await(startLoad(target, false), target);
                CallCheck.check(name, model.signature(), call);
                CompletableFuture<List<OutputTensor>> result;
                try {
                    result = model.submit(call);
                } catch (LoadedModel.Retired retired) {
                    if (attempt >= MAX_RESOLVE_ATTEMPTS) {
                        throw new InferenceException(InferenceException.Kind.UNAVAILABLE, "model '" + name
                                + "' is being replaced; retry", Duration.ofSeconds(1), retired);
                    }
                    continue;
                }
                List<OutputTensor> outputs = awaitResult(result);
                return new InferenceResult(name, model.version().version(), outputs);
            }
        } catch (RuntimeException e) {
            metrics.error(name, e instanceof InferenceException ie ? ie.kind().name() : "INTERNAL");
            throw e;
        } finally {
            metrics.latency(name, Duration.ofNanos(System.nanoTime() - start));
        }
    }

    /**
     * The model that answers requests without a version: the serving one (a newer stored version starts loading in
     * the background and replaces it once ready), or the newest version, loaded now.
     */
    private LoadedModel servingModel(String name) {
        StoredVersion newest = store.newest(name);
        ModelState state = state(name);
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
                return serving.model;
            }
        }
        return await(newestLoad != null ? newestLoad : startLoad(newest, true), newest);
    }

    // ---- loading and unloading ---------------------------------------------------------------------------------

    private ModelState state(String name) {
        return models.computeIfAbsent(name, ModelState::new);
    }

    /** Starts loading {@code v} unless it is loaded or loading; {@code promote} makes it serve once ready. */
    private CompletableFuture<LoadedModel> startLoad(StoredVersion v, boolean promote) {
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
                ModelSignature signature = signature(v);
                future = LoadedModel.load(v, readSpec(v), signature, loader, batching, metrics);
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
                    slot.failure = loadFailure(state.name, slot.version, error).getMessage();
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
    private List<CompletableFuture<Void>> detach(String name, Integer version) {
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

    private static void awaitClosed(List<CompletableFuture<Void>> closing) {
        try {
            CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new))
                    .get(UNLOAD_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InferenceException(InferenceException.Kind.UNAVAILABLE, "interrupted while unloading");
        } catch (ExecutionException | TimeoutException e) {
            throw new InferenceException(InferenceException.Kind.INTERNAL, "unloading did not finish within "
                    + UNLOAD_WAIT.toSeconds() + " s: " + e, null, e);
        }
    }

    private LoadedModel await(CompletableFuture<LoadedModel> future, StoredVersion v) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InferenceException(InferenceException.Kind.UNAVAILABLE, "interrupted while loading "
                    + v.owner());
        } catch (ExecutionException e) {
            throw loadFailure(v.name(), v.version(), e.getCause());
        }
    }

    private static InferenceException loadFailure(String name, int version, Throwable e) {
        if (e instanceof InferenceException ie) {
            return ie;
        }
        String what = "model '" + name + "' version " + version;
        if (e instanceof OutOfDeviceMemoryException || e instanceof OutOfMemoryError) {
            return new InferenceException(InferenceException.Kind.OUT_OF_MEMORY, "not enough memory to load " + what
                    + ": " + e.getMessage(), null, e);
        }
        return new InferenceException(InferenceException.Kind.INTERNAL, what + " failed to load: " + e.getMessage(),
                null, e);
    }

    private static List<OutputTensor> awaitResult(CompletableFuture<List<OutputTensor>> result) {
        try {
            return result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InferenceException(InferenceException.Kind.UNAVAILABLE, "interrupted while waiting for the"
                    + " model", Duration.ofSeconds(1), e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof InferenceException ie) {
                throw ie;
            }
            throw new InferenceException(InferenceException.Kind.INTERNAL, "inference failed: " + e.getCause(), null,
                    e.getCause());
        }
    }

    private void refuseWhileDraining() {
        if (draining) {
            throw new InferenceException(InferenceException.Kind.UNAVAILABLE, "the server is shutting down",
                    Duration.ofSeconds(5), null);
        }
    }

    /** True when every loaded version's worker is running. */
    public boolean healthy() {
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

    /** Refuses new requests, lets the accepted ones finish and frees every loaded model. */
    @Override
    public void close() {
        draining = true;
        List<CompletableFuture<Void>> closing = new ArrayList<>();
        for (String name : new ArrayList<>(models.keySet())) {
            closing.addAll(detach(name, null));
        }
        awaitClosed(closing);
    }

    private static <T> T invalidOnIae(java.util.function.Supplier<T> body) {
        try {
            return body.get();
        } catch (IllegalArgumentException e) {
            throw InferenceException.invalid(e.getMessage());
        }
    }
}
