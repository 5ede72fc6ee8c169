package io.nabla.inference;

import io.nabla.autograd.GradMode;
import io.nabla.backend.Backends;
import io.nabla.backend.Device;
import io.nabla.backend.OutOfDeviceMemoryException;
import io.nabla.config.NablaProperties;
import io.nabla.gpu.ArenaScope;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One model version in memory, with the worker thread that runs it.
 *
 * <p>Guarantees: everything the model allocates lives in one {@link TensorScope}, the root scope of its worker
 * thread, and each batch's activations in a scope nested in it that closes after the batch; {@link #unload()} refuses
 * new requests, lets every queued one finish, then closes the model's scope, returning every byte it held (the
 * future from {@link #closed()} completes after that). A request refused because the model is unloading gets
 * {@link Retired}, so the caller can send it to the version that replaced it. Forward passes run with gradient
 * recording disabled. A model placed on a GPU ({@link ModelPlacement}) runs there with its arena current on the worker
 * thread, so its parameters and each batch's activations are charged to it; the arena closes after the model's scope,
 * before {@link #closed()} completes.
 */
public final class LoadedModel {

    /** Thrown by {@link #submit} when the model no longer accepts requests. */
    public static final class Retired extends RuntimeException {
        Retired(String owner) {
            super(owner + " is unloading");
        }
    }

    /** Why a version could not be loaded; the cause is the loader's error. */
    public static final class LoadFailure extends RuntimeException {
        private final String what;

        LoadFailure(StoredVersion v, Throwable cause) {
            super("model '" + v.name() + "' version " + v.version() + " failed to load: " + cause.getMessage(), cause);
            this.what = "model '" + v.name() + "' version " + v.version();
        }

        /** The version, as {@code model 'm' version 3}. */
        public String what() {
            return what;
        }
    }

    private final StoredVersion version;
    private final ModelSignature signature;
    private final BatchQueue queue;
    private final InferenceMetrics metrics;
    private final CompletableFuture<LoadedModel> loaded = new CompletableFuture<>();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private volatile TensorScope scope;
    private volatile Device device = Device.CPU;

    /** Whether requests may share a forward pass ({@link ModelProgram#rowsIndependent()}); false until built. */
    private volatile boolean stackable;

    private LoadedModel(StoredVersion version, ModelSignature signature, NablaProperties.Batching batching,
            InferenceMetrics metrics) {
        this.version = version;
        this.signature = signature;
        this.metrics = metrics;
        this.queue = new BatchQueue(batching.queueCapacity(), batching.maxBatchSize(), batching.queueDelay());
    }

    /**
     * Starts loading {@code version} on a new worker thread; the future completes with the model once it is ready,
     * or exceptionally with the loader's error (then nothing stays allocated).
     */
    public static CompletableFuture<LoadedModel> load(StoredVersion version, byte[] spec, ModelSignature signature,
            ModelLoader loader, NablaProperties.Batching batching, InferenceMetrics metrics) {
        return load(version, spec, signature, loader, batching, metrics, ModelPlacement.cpuOnly());
    }

    /** As above, on the device {@code placement} chooses for the version. */
    public static CompletableFuture<LoadedModel> load(StoredVersion version, byte[] spec, ModelSignature signature,
            ModelLoader loader, NablaProperties.Batching batching, InferenceMetrics metrics,
            ModelPlacement placement) {
        LoadedModel m = new LoadedModel(version, signature, batching, metrics);
        Thread worker = new Thread(() -> m.run(loader, spec, placement, batching.maxBatchSize()),
                "nabla-" + version.owner());
        worker.setDaemon(true);
        worker.start();
        return m.loaded;
    }

    public StoredVersion version() {
        return version;
    }

    public ModelSignature signature() {
        return signature;
    }

    /** Where the model lives (the CPU until it is placed). */
    public Device device() {
        return device;
    }

    /** Bytes the model holds now (its parameters and buffers, plus a running batch's activations). */
    public long bytes() {
        TensorScope s = scope;
        return s == null || s.isClosed() ? 0 : s.bytes();
    }

    /** True until {@link #unload()} was called. */
    public boolean accepting() {
        return !closed.isDone() && scope != null && !scope.isClosed();
    }

    /**
     * Queues a validated request; the future completes with its outputs.
     *
     * @throws Retired when the model is unloading
     * @throws InferenceException (429) when the queue is full
     */
    public CompletableFuture<List<OutputTensor>> submit(InferenceCall call) {
        int rows = call.inputs().isEmpty() ? 1 : call.inputs().get(0).rows();
        // a model whose rows depend on each other (attention across dimension 0, batch statistics) runs each
        // request alone: stacked, one request's data would change another's answer
        String key = stackable ? Batches.stackKey(signature, call) : null;
        PendingCall p = new PendingCall(call, rows, key, new CompletableFuture<>(), System.nanoTime());
        switch (queue.offer(p)) {
            case ACCEPTED:
                return p.result();
            case FULL:
                throw new InferenceException(InferenceException.Kind.OVERLOADED, "model '" + version.name()
                        + "' version " + version.version() + " has " + queue.size()
                        + " requests queued, the limit (nabla.batching.queue-capacity); retry later",
                        Duration.ofSeconds(1), null);
            default:
                throw new Retired(version.owner());
        }
    }

    /** Refuses new requests, finishes queued ones, then frees the model; returns {@link #closed()}. */
    public CompletableFuture<Void> unload() {
        queue.close();
        return closed;
    }

    /** Completes once the model's memory is freed. */
    public CompletableFuture<Void> closed() {
        return closed;
    }

    private void run(ModelLoader loader, byte[] spec, ModelPlacement placement, int batchRows) {
        ModelPlacement.Placement placed;
        try {
            placed = placement.place(version, loader.device(spec), loader.deviceBytes(spec, batchRows));
        } catch (Throwable e) {
            closed.complete(null);
            loaded.completeExceptionally(new LoadFailure(version, e));
            return;
        }
        device = placed.device();
        try (ArenaScope onDevice = placed.enter()) {
            serve(loader, spec, placed.device());
        } finally {
            placed.release(); // after the model's scope closed: frees only what escaped it
            Backends.releaseThread(); // this worker ends: its device stream goes back for the next model's worker
            closed.complete(null);
        }
    }

    private void serve(ModelLoader loader, byte[] spec, Device on) {
        TensorScope root = TensorScope.openDetached();
        ModelProgram program;
        try (GradMode.Region noGrad = GradMode.disable()) {
            program = loader.build(spec, version.weights(), on);
        } catch (Throwable e) {
            root.close();
            loaded.completeExceptionally(new LoadFailure(version, e));
            return;
        }
        scope = root;
        stackable = program.rowsIndependent();
        metrics.statistics().of(version.name(), version.version()); // listed from its load on, with zero counts
        loaded.complete(this);
        try {
            for (List<PendingCall> batch = queue.nextBatch(); !batch.isEmpty(); batch = queue.nextBatch()) {
                execute(program, batch);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            for (PendingCall p : queue.drain()) {
                p.result().completeExceptionally(new InferenceException(InferenceException.Kind.UNAVAILABLE,
                        version.owner() + " stopped before running this request", Duration.ofSeconds(1), null));
            }
            root.close();
            metrics.untrack(this);
        }
    }

    private void execute(ModelProgram program, List<PendingCall> batch) {
        int rows = 0;
        for (PendingCall p : batch) {
            rows += p.rows();
        }
        metrics.batch(version.name(), rows, batch.size());
        List<List<OutputTensor>> results;
        long start = System.nanoTime();
        long stacked;
        long computed;
        try (TensorScope step = TensorScope.open(); GradMode.Region noGrad = GradMode.disable()) {
            Map<String, Tensor> inputs = Batches.stack(signature, batch);
            stacked = System.nanoTime();
            Map<String, Tensor> outputs = program.forward(inputs);
            computed = System.nanoTime();
            results = Batches.split(signature, outputs, batch);
        } catch (Throwable e) {
            if ((e instanceof IllegalArgumentException || e instanceof OutOfDeviceMemoryException)
                    && batch.size() > 1) {
                // one request's values were refused (an embedding index out of range, ...), or the stacked batch
                // did not fit in memory: run each request of the batch alone, so that only the one that sent them
                // (or whose own activations do not fit) fails and the others get their answers
                for (PendingCall p : batch) {
                    execute(program, List.of(p));
                }
                return;
            }
            RuntimeException failure = failure(e);
            for (PendingCall p : batch) {
                p.result().completeExceptionally(failure);
            }
            if (e instanceof Error err && !(e instanceof OutOfMemoryError)) {
                throw err;
            }
            return;
        }
        long end = System.nanoTime();
        long[] enqueued = new long[batch.size()];
        for (int i = 0; i < enqueued.length; i++) {
            enqueued[i] = batch.get(i).enqueuedNanos();
        }
        metrics.statistics().execution(version.name(), version.version(), enqueued, rows, start, stacked - start,
                computed - stacked, end - computed);
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).result().complete(results.get(i));
        }
    }

    private RuntimeException failure(Throwable e) {
        if (e instanceof OutOfDeviceMemoryException || e instanceof OutOfMemoryError) {
            return new InferenceException(InferenceException.Kind.OUT_OF_MEMORY, version.owner()
                    + " ran out of memory: " + e.getMessage(), null, e);
        }
        if (e instanceof IllegalArgumentException) {
            return new InferenceException(InferenceException.Kind.INVALID, version.owner() + " rejected the input: "
                    + e.getMessage(), null, e);
        }
        return new InferenceException(InferenceException.Kind.INTERNAL, version.owner() + " failed: " + e, null, e);
    }
}
