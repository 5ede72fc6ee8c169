package io.nabla.inference;

import io.nabla.backend.OutOfDeviceMemoryException;
import io.nabla.config.NablaProperties;
import io.nabla.gpu.DeviceUnavailableException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
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
 * <p>Guarantees: a version is loaded at most once at a time (concurrent callers wait for the same load); a request
 * without a version is answered by the newest stored version (API: "the newest version is meant"), waiting for its
 * load when it is not loaded yet, so once {@link #create} has returned (an upload's 201, a job's SUCCEEDED) no such
 * request is answered by an older version; only when the newest version's load failed does the newest version that
 * is ready answer instead (Triton's rule, the newest READY version; the index shows the failed one as UNAVAILABLE
 * with its reason). A replaced or unloaded version finishes every request it accepted before its memory is freed,
 * and a request it refused is sent to the current version instead, so swapping versions fails no request;
 * {@link #unload} and {@link #delete} return once the memory is freed. Locks are never held while waiting.
 */
public final class ModelRegistry implements AutoCloseable {

    private static final int MAX_RESOLVE_ATTEMPTS = 5;
    private static final Duration UNLOAD_WAIT = Duration.ofMinutes(2);

    private final ModelStore store;
    private final ModelLoader loader;
    private final InferenceMetrics metrics;
    private final LoadedVersions loaded;
    private final ModelPlacement placement;
    private final Map<String, ModelSignature> signatures = new ConcurrentHashMap<>();
    private volatile boolean draining;

    /** The default of {@code nabla.models.max-loaded-versions}. */
    static final int MAX_LOADED_VERSIONS = 4;

    /** A registry whose models all load on the CPU. */
    public ModelRegistry(ModelStore store, ModelLoader loader, NablaProperties.Batching batching,
            InferenceMetrics metrics) {
        this(store, loader, batching, metrics, ModelPlacement.cpuOnly());
    }

    /** A registry that loads each model where {@code placement} says (a GPU's arena or the CPU). */
    public ModelRegistry(ModelStore store, ModelLoader loader, NablaProperties.Batching batching,
            InferenceMetrics metrics, ModelPlacement placement) {
        this(store, loader, batching, metrics, placement, MAX_LOADED_VERSIONS);
    }

    /** As above, holding at most {@code maxLoadedVersions} versions of one model in memory at once. */
    public ModelRegistry(ModelStore store, ModelLoader loader, NablaProperties.Batching batching,
            InferenceMetrics metrics, ModelPlacement placement, int maxLoadedVersions) {
        this.store = store;
        this.loader = loader;
        this.metrics = metrics;
        this.placement = placement;
        this.loaded = new LoadedVersions(loader, batching, metrics, this::signature, e -> loadFailure(e).getMessage(),
                placement, maxLoadedVersions);
    }

    // ---- repository --------------------------------------------------------------------------------------------

    /**
     * Stores the next version of {@code name} uploaded by a client: the spec, and {@code weights} (a safetensors
     * stream checked against the spec) or, when null, weights initialised from the spec's seed. A spec whose
     * {@code device} this server does not have is refused (400) before anything is stored: such a version could never
     * load, yet as the newest it would be the one requests without a version mean.
     */
    public StoredVersion create(String name, byte[] spec, InputStream weights) {
        ModelNames.check(name);
        String device = invalidOnIae(() -> loader.device(spec));
        placement.checkDevice(device);
        return create(name, spec, weights, null, null);
    }

    /**
     * As {@link #create(String, byte[], InputStream)}, recording {@code origin} (e.g. {@code job:<id>}, or null)
     * with the version, so {@link ModelStore#findByOrigin} finds it after a restart: a caller that may be retried
     * after a crash publishes at most one version per origin; and only into the model whose id is {@code modelId}
     * (null: whichever has the name), else {@link ModelReplacedException}, so a job's result never lands in another
     * model created under the name of the one it trained. The spec's device is not checked here: a job
     * publishes its base version's spec, checked when that was uploaded, and a GPU missing since then should not
     * throw away the job's result (the version then shows as UNAVAILABLE with the reason in the index).
     */
    public StoredVersion create(String name, byte[] spec, InputStream weights, String origin, String modelId) {
        ModelNames.check(name);
        ModelSignature signature = invalidOnIae(() -> loader.signature(spec));
        try (ModelStore.Staging staged = store.stage()) {
            DurableFiles.write(staged.spec(), spec);
            if (origin != null) {
                DurableFiles.write(staged.origin(), origin.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
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
            StoredVersion v = store.commit(name, staged, modelId);
            signatures.put(v.owner(), signature);
            // a request that raced the deletion of an earlier model of this name can have left this number a slot
            // (a failed load of files going away, or the old weights loaded): the new version starts with none
            loaded.detach(name, v.version());
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
            for (int v : versions) {
                out.add(loaded.entry(name, v));
            }
        }
        return out;
    }

    /** Loads the newest version and makes it serve requests without a version; returns it once ready. */
    public StoredVersion load(String name) {
        refuseWhileDraining();
        StoredVersion newest = store.newest(name);
        await(loaded.startLoad(newest, true), newest);
        return newest;
    }

    /** Unloads every version of {@code name} and returns once their memory is freed; 404 for unknown models. */
    public void unload(String name) {
        store.versions(name);
        awaitClosed(loaded.detach(name, null));
    }

    /**
     * Unloads and deletes every version of {@code name} and ends the model (its numbering too, see
     * {@link ModelStore#delete(String)}); 404 when there is no such model.
     */
    public void delete(String name) {
        if (!store.known(name)) {
            throw InferenceException.notFound("model '" + name + "' does not exist");
        }
        awaitClosed(loaded.detach(name, null));
        store.delete(name);
        signatures.keySet().removeIf(k -> k.startsWith("model:" + name + ":"));
        loaded.remove(name);
        metrics.statistics().forget(name, null);
    }

    /** Unloads and deletes one version. */
    public void delete(String name, int version) {
        StoredVersion v = store.version(name, version);
        awaitClosed(loaded.detach(name, version));
        store.delete(name, version);
        signatures.remove(v.owner());
        metrics.statistics().forget(name, version);
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
     * The named version if it is loaded and ready, else null; without a version, the one a request without a version
     * would be answered by now (the newest, or the newest ready one when the newest failed to load), else null. 404
     * when the model or version does not exist.
     */
    public Integer readyVersion(String name, Integer version) {
        return loaded.readyVersion(resolve(name, version), version == null);
    }

    /** The memory held by each loaded model. */
    /** Triton's statistics of {@code name}'s versions (every model's when null; {@code version} null: all). */
    public List<InferenceStatistics.VersionStat> statistics(String name, Integer version) {
        if (name != null && !store.known(name)) {
            throw InferenceException.notFound("model '" + name + "' does not exist");
        }
        if (name != null && version != null) {
            store.version(name, version); // 404 for a version that does not exist
        }
        return metrics.statistics().select(name, version);
    }

    public List<ModelArena> arenas() {
        return loaded.arenas();
    }

    /** True when every loaded version's worker is running. */
    public boolean healthy() {
        return loaded.healthy();
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
        try {
            return signatures.computeIfAbsent(v.owner(), k -> invalidOnIae(() -> loader.signature(v.readSpec())));
        } catch (RuntimeException e) {
            throw deletedOr(v, e);
        }
    }

    /**
     * The 404 of {@code v} when it has been deleted since it was resolved (its files went away under a read or a
     * load: a race with {@code DELETE}, not a server fault), else {@code e} itself.
     */
    private RuntimeException deletedOr(StoredVersion v, RuntimeException e) {
        if (e instanceof InferenceException ie && ie.kind() == InferenceException.Kind.NOT_FOUND) {
            return e;
        }
        try {
            store.version(v.name(), v.version());
        } catch (InferenceException gone) {
            if (gone.kind() == InferenceException.Kind.NOT_FOUND) {
                return gone;
            }
        }
        return e;
    }


    // ---- inference ---------------------------------------------------------------------------------------------

    /**
     * Runs a decoded request on the named version; without one, on the newest version (loading it and waiting when
     * it is not loaded), or the newest ready version when the newest failed to load.
     */
    public InferenceResult infer(String name, Integer version, InferenceCall call) {
        long start = System.nanoTime();
        metrics.request(name);
        Integer served = null;
        try {
            StoredVersion target = resolve(name, version);
            ModelSignature signature;
            try {
                signature = signature(target);
            } catch (InferenceException e) {
                if (version != null || e.kind() != InferenceException.Kind.NOT_FOUND) {
                    throw e;
                }
                target = resolve(name, null); // the newest version was deleted just now: the newest left answers
                signature = signature(target);
            }
            CallCheck.check(name, signature, call);
            for (int attempt = 1; ; attempt++) {
                refuseWhileDraining();
                StoredVersion wanted = version == null ? store.newest(name) : target;
                LoadedModel model;
                try {
                    model = await(version == null ? loaded.serving(wanted) : loaded.startLoad(target, false), wanted);
                } catch (RuntimeException e) {
                    RuntimeException why = deletedOr(wanted, e);
                    if (why != e && version == null && attempt < MAX_RESOLVE_ATTEMPTS) {
                        continue; // the newest version went away while loading: the newest now answers
                    }
                    throw why;
                }
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
                served = model.version().version();
                List<OutputTensor> outputs = awaitResult(result);
                metrics.statistics().success(name, served, System.nanoTime() - start);
                java.util.Map<String, List<String>> labels = new java.util.HashMap<>();
                for (TensorSignature o : model.signature().outputs()) {
                    if (!o.labels().isEmpty()) {
                        labels.put(o.name(), o.labels());
                    }
                }
                return new InferenceResult(name, model.version().version(), outputs, labels);
            }
        } catch (RuntimeException e) {
            metrics.error(name, e instanceof InferenceException ie ? ie.kind().name() : "INTERNAL");
            if (served != null) { // a request a loaded version took and did not answer
                metrics.statistics().fail(name, served, System.nanoTime() - start);
            }
            throw e;
        } finally {
            metrics.latency(name, Duration.ofNanos(System.nanoTime() - start));
        }
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
            throw loadFailure(e.getCause());
        }
    }

    private static InferenceException loadFailure(Throwable e) {
        if (e instanceof InferenceException ie) {
            return ie;
        }
        String what = e instanceof LoadedModel.LoadFailure f ? f.what() : "the model";
        Throwable cause = e instanceof LoadedModel.LoadFailure ? e.getCause() : e;
        if (cause instanceof InferenceException ie) {
            return ie;
        }
        if (cause instanceof DeviceUnavailableException) {
            return new InferenceException(InferenceException.Kind.UNAVAILABLE, "cannot load " + what + ": "
                    + cause.getMessage(), null, cause);
        }
        if (cause instanceof OutOfDeviceMemoryException || cause instanceof OutOfMemoryError) {
            return new InferenceException(InferenceException.Kind.OUT_OF_MEMORY, "not enough memory to load " + what
                    + ": " + cause.getMessage(), null, cause);
        }
        return new InferenceException(InferenceException.Kind.INTERNAL, what + " failed to load: "
                + cause.getMessage(), null, cause);
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

    /** Refuses new requests, lets the accepted ones finish and frees every loaded model. */
    @Override
    public void close() {
        draining = true;
        List<CompletableFuture<Void>> closing = new ArrayList<>();
        for (String name : loaded.names()) {
            closing.addAll(loaded.detach(name, null));
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
