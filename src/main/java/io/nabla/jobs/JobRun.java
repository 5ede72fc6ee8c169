package io.nabla.jobs;

import io.nabla.backend.Device;
import io.nabla.gpu.ArenaScope;
import io.nabla.gpu.MemoryArena;
import io.nabla.inference.IdentifiedVersion;
import io.nabla.inference.ModelRegistry;
import io.nabla.inference.ModelReplacedException;
import io.nabla.inference.StoredVersion;
import io.nabla.model.DataLoader;
import io.nabla.model.ModelBuilder;
import io.nabla.model.ModelSpec;
import io.nabla.model.ParameterBudget;
import io.nabla.model.SafetensorsFile;
import io.nabla.model.SafetensorsWriter;
import io.nabla.model.Trainer;
import io.nabla.nn.Generator;
import io.nabla.nn.Sequential;
import io.nabla.optim.GradScaler;
import io.nabla.optim.LrScheduler;
import io.nabla.optim.Optimizer;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One execution of a job on its worker thread, with the plain training core ({@link Trainer#step}, {@link DataLoader},
 * the optimizer of the request): from its newest checkpoint or from the start, until it is done, cancelled or told
 * to stop for shutdown.
 *
 * <p>Guarantees: everything it allocates (model, optimizer state, dataset, batches) lives in the run's
 * {@link TensorScope} and is freed when {@link #run()} returns; cancel and stop take effect only between steps;
 * a checkpoint is written every {@code checkpoint_every_steps} steps, at the end and when stopping, and resuming
 * from it replays exactly the same steps an uninterrupted run takes (same batches, same random draws); the result
 * is published as a model version at most once, whatever crash happens when (the version records the job as its
 * origin, and a retry finds it), and only into the model the job was accepted for: the job records that model's id
 * ({@link io.nabla.inference.ModelStore#modelId}), and a run whose model was deleted, or deleted and created again
 * under its name, since then fails before its next step, or at the publish itself (the store checks the id and
 * commits under one lock), rather than give its weights to another model.
 */
final class JobRun {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(JobRun.class);

    /** How a run ended. */
    enum Outcome { SUCCEEDED, CANCELLED, STOPPED }

    private static final String SINCE_ACCEPTED = "since the job was accepted";
    private static final String WHILE_RUNNING = "while the job ran";

    private final FineTuneJob job;
    private final JobRequest request;
    private final ModelRegistry registry;
    private final DatasetStore datasets;
    private final CheckpointFiles checkpoints;
    private final JobStore store;
    private final JobEvents events;
    private final Duration stepDelay;
    private volatile boolean cancel;
    private volatile boolean stop;
    private volatile int step;
    /** Every step's loss so far; appended by the worker, copied by readers (so a step costs O(1), not O(steps)). */
    private final List<Double> done = new ArrayList<>();
    /** The losses in the job's record when the run started (those of the steps before its record's step). */
    private final List<Double> recordedAtStart;
    /** How many of {@link #done} the job's record holds: the next chunk of losses starts there. */
    private int stored;
    private final int perEpoch;
    private Integer resultVersion;
    /** The id of the model trained (the job's, or for a job accepted before ids existed, its model's at the start). */
    private String modelId;
    private volatile TensorScope scope;
    /** Where early stopping stands (START without {@code early_stopping}). */
    private EarlyStopping.State stopping = new EarlyStopping.State(-1, Double.NaN, 0, 0, false);
    /** The model's state after its best epoch, kept for {@code restore_best_weights}; null before the first. */
    private Map<String, Tensor> best;
    private final Device device;
    private final MemoryArena arena;

    /** A run on the CPU. */
    JobRun(FineTuneJob job, ModelRegistry registry, DatasetStore datasets, CheckpointFiles checkpoints,
            JobStore store, JobEvents events, Duration stepDelay) {
        this(job, registry, datasets, checkpoints, store, events, stepDelay, Device.CPU, null);
    }

    /**
     * A run on {@code device}; on a GPU every device allocation is charged to {@code arena} (the job's, which the
     * caller closes after {@link #run()}).
     */
    JobRun(FineTuneJob job, ModelRegistry registry, DatasetStore datasets, CheckpointFiles checkpoints,
            JobStore store, JobEvents events, Duration stepDelay, Device device, MemoryArena arena) {
        if (!device.isCpu() && arena == null) {
            throw new IllegalArgumentException("a run on " + device + " needs the job's arena there");
        }
        this.device = device;
        this.arena = arena;
        this.job = job;
        this.request = JobRequest.parse(job.request());
        this.registry = registry;
        this.datasets = datasets;
        this.checkpoints = checkpoints;
        this.store = store;
        this.events = events;
        this.stepDelay = stepDelay;
        this.recordedAtStart = job.losses();
        this.step = job.recordedSteps();
        this.done.addAll(recordedAtStart);
        this.stored = recordedAtStart.size();
        this.perEpoch = Math.max(1, job.totalSteps() / request.epochs());
    }

    FineTuneJob job() {
        return job;
    }

    /** Where the run trains. */
    Device device() {
        return device;
    }

    /** Asks the run to end as CANCELLED before its next step. */
    void cancel() {
        cancel = true;
    }

    /** Asks the run to checkpoint and end before its next step, staying resumable (shutdown). */
    void stop() {
        stop = true;
    }

    int step() {
        return step;
    }

    int epoch() {
        return epochOf(step);
    }

    /** The epoch (from 0) the step after {@code steps} steps belongs to. */
    int epochOf(int steps) {
        return steps / perEpoch;
    }

    /** Steps whose loss is recorded: the step {@link #losses()} would end at, without copying them. */
    int recorded() {
        synchronized (done) {
            return done.size();
        }
    }

    List<Double> losses() {
        synchronized (done) {
            return List.copyOf(done);
        }
    }

    /** How many losses the job's record holds: {@link #unstored()} are those of the steps from there on. */
    int stored() {
        return stored;
    }

    /** The losses the job's record does not hold yet (to store with its final state). */
    List<Double> unstored() {
        synchronized (done) {
            return List.copyOf(done.subList(stored, done.size()));
        }
    }

    /** Bytes the run holds now (model, optimizer state, dataset); 0 once it ended and freed them. */
    long bytes() {
        TensorScope s = scope;
        return s == null ? 0 : s.bytes();
    }

    Integer resultVersion() {
        return resultVersion;
    }

    /** Runs the job; failures throw (the caller records them as FAILED). */
    Outcome run() {
        String origin = "job:" + job.id();
        Optional<StoredVersion> published = registry.store().findByOrigin(job.model(), origin);
        if (published.isPresent()) {
            // a previous run published the result and died before recording it
            try (TensorScope scope = TensorScope.open()) {
                checkpoints.read(job.id()).ifPresent(c -> replaceLosses(c.losses() != null ? c.losses()
                        : recordedAtStart.subList(0, Math.min(c.step(), recordedAtStart.size()))));
            }
            step = recorded();
            resultVersion = published.get().version();
            return Outcome.SUCCEEDED;
        }
        // the tensor scope closes first, giving every device block back to the arena while it is still current
        try (ArenaScope onDevice = arena == null ? null : arena.enter(); TensorScope jobScope = TensorScope.open()) {
            scope = jobScope;
            return train(origin);
        } finally {
            scope = null;
        }
    }

    private Outcome train(String origin) {
        StoredVersion base = base();
        byte[] specBytes = base.readSpec();
        ModelSpec spec = ModelSpec.parse(new String(specBytes, StandardCharsets.UTF_8));
        Sequential model = ModelBuilder.build(spec, new Generator(spec.seed()), ParameterBudget.DEFAULT_MAX_ELEMENTS,
                device);
        try (TensorScope weights = TensorScope.open(); SafetensorsFile f = SafetensorsFile.open(base.weights())) {
            model.loadStateDict(f.tensors(), true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the weights of " + base.owner() + ": " + e.getMessage(), e);
        }
        Generator g = new Generator(request.seed());
        Map<String, Tensor> data = dataset();
        DataLoader validation = null;
        JobRequest.Validation held = request.validation();
        if (held != null && held.split() > 0) {
            Map<String, Tensor> rest = new LinkedHashMap<>();
            data = split(data, held.trainingRows(data.get(request.input()).size(0)), held.splitSeed(), rest);
            validation = new DataLoader(rest, held.batchSize());
        } else if (held != null) {
            validation = new DataLoader(validationSet(), held.batchSize()); // in order, drawing nothing
        }
        // the loader draws its iterator's base seed from g each epoch, also in order, as PyTorch's DataLoader does
        DataLoader loader = new DataLoader(data, request.batchSize(), request.shuffle(), false, g);
        if (request.stepsPerEpoch(loader.batchesPerEpoch()) != perEpoch) {
            throw new IllegalStateException("dataset \"" + request.dataset() + "\" changed: "
                    + request.stepsPerEpoch(loader.batchesPerEpoch()) + " optimizer steps per epoch, the job was "
                    + "admitted with " + perEpoch);
        }
        Optimizer optimizer = optimizer(model);
        Trainer trainer = new Trainer(model, request.lossOptions(), optimizer).useGenerator(g);
        if (request.clipGradNorm() != null) {
            trainer.clipGradNorm(request.clipGradNorm().maxNorm(), request.clipGradNorm().normType());
        }
        boolean onPlateau = request.lrScheduler() != null && request.lrScheduler().plateau();
        LrScheduler schedule = request.lrScheduler() == null || onPlateau ? null
                : request.lrScheduler().create(optimizer, request.lrScheduler().perStep() ? job.totalSteps()
                        : job.totalSteps() / perEpoch);
        io.nabla.optim.ReduceLROnPlateau plateau = onPlateau ? request.lrScheduler().createPlateau(optimizer) : null;
        boolean perStep = schedule != null && request.lrScheduler().perStep();
        if (perStep) {
            trainer.schedule(schedule, Trainer.ScheduleInterval.STEP);
        }
        GradScaler scaler = null;
        if (request.lowPrecision() != null) {
            scaler = request.lossScaler().create(); // null when the request disables scaling
            trainer.mixedPrecision(request.lowPrecision(), scaler);
        }
        if (request.earlyStopping() != null) {
            stopping = request.earlyStopping().replay(List.of());
        }
        int at = 0;
        long[] epochStart = g.getState();
        long[] resumeRng = null;
        try (TensorScope cp = TensorScope.open()) {
            Optional<Checkpoint> c = checkpoints.read(job.id());
            if (c.isPresent() && c.get().losses() == null && c.get().step() > recordedAtStart.size()) {
                // the record is written before the checkpoint, so this cannot follow from a crash; the steps
                // without a loss cannot be reported, so the job starts again rather than show a hole
                LOG.warn("job {}: its checkpoint is at step {} but its record holds the losses of {} steps; it starts "
                        + "again from step 0", job.id(), c.get().step(), recordedAtStart.size());
                c = Optional.empty();
            }
            if (c.isPresent()) {
                model.loadStateDict(c.get().model(), true);
                if (plateau != null) {
                    // its state follows from the evaluations up to the checkpoint, stored with the job
                    for (ValidationResult v : job.validation()) {
                        if (v.step() <= c.get().step()) {
                            plateau.step(metric(v));
                        }
                    }
                }
                if (schedule != null) {
                    // the schedule's state follows from the steps taken: replayed, it leaves the optimizer the rate
                    // the checkpoint holds (loaded next), computed by the same recursion as in an unbroken run
                    int advanced = perStep ? c.get().step() : c.get().step() / perEpoch;
                    for (int i = 0; i < advanced; i++) {
                        schedule.step();
                    }
                }
                optimizer.loadStateDict(c.get().optimizer());
                if (scaler != null) {
                    if (c.get().scaler().isEmpty()) {
                        throw new IllegalStateException("the checkpoint of job " + job.id() + " has no loss scaler "
                                + "state for its precision " + request.precision());
                    }
                    scaler.loadStateDict(c.get().scaler());
                }
                at = c.get().step();
                if (request.earlyStopping() != null) {
                    int upTo = at;
                    stopping = request.earlyStopping().replay(job.validation().stream()
                            .filter(v -> v.step() <= upTo).toList());
                    if (!c.get().best().isEmpty()) {
                        keepBest(c.get().best());
                    } else if (request.earlyStopping().restoreBestWeights() && stopping.bestEpoch() >= 0) {
                        throw new IllegalStateException("the checkpoint of job " + job.id() + " at step " + at
                                + " has no best weights, though epoch " + stopping.bestEpoch() + " was its best");
                    }
                }
                replaceLosses(c.get().losses() != null ? c.get().losses() : recordedAtStart.subList(0, at));
                epochStart = c.get().rngEpochStart();
                resumeRng = c.get().rngNow();
                LOG.info("job {} resumes from its checkpoint at step {} of {}", job.id(), at, job.totalSteps());
            } else {
                if (job.startedAt() != null && job.step() > 0) {
                    LOG.info("job {} has no checkpoint; it starts again from step 0", job.id());
                }
                replaceLosses(List.of());
            }
        }
        step = at;
        int total = job.totalSteps();
        while (at < total && !stopping.stop()) {
            Iterator<DataLoader.Batch> it;
            if (resumeRng != null && at % perEpoch != 0) {
                g.setState(epochStart);
                it = loader.epoch();
                skip(it, (at % perEpoch) * request.accumulateGradBatches());
                g.setState(resumeRng);
            } else {
                if (resumeRng != null) {
                    g.setState(resumeRng);
                }
                epochStart = g.getState();
                it = loader.epoch();
            }
            resumeRng = null;
            while (it.hasNext() && at < total && !stopping.stop()) {
                if (cancel) {
                    return Outcome.CANCELLED;
                }
                if (stop) {
                    // at an epoch's first batch the epoch has drawn its order already; the state after step `at`
                    // of an uninterrupted run is the one before that draw
                    checkpoint(model, optimizer, scaler, epochStart, at % perEpoch == 0 ? epochStart
                            : g.getState());
                    return Outcome.STOPPED;
                }
                requireModel(WHILE_RUNNING); // a map lookup: the store keeps model ids in memory
                double loss;
                double lr = optimizer.lr(); // the rate this step takes, before a per-step schedule moves on
                List<Double> lrs = optimizer.groupCount() == 1 ? null
                        : java.util.Arrays.stream(optimizer.lrs()).boxed().toList();
                try (TensorScope s = TensorScope.open()) {
                    // accumulate_grad_batches batches (fewer at the epoch's end) make one optimizer step
                    List<Tensor> inputs = new ArrayList<>();
                    List<Tensor> targets = new ArrayList<>();
                    do {
                        DataLoader.Batch b = it.next();
                        inputs.add(b.get(request.input()));
                        targets.add(b.get(request.target()));
                    } while (it.hasNext() && inputs.size() < request.accumulateGradBatches());
                    loss = trainer.step(inputs, targets, request.accumulateGradBatches());
                }
                synchronized (done) {
                    done.add(loss);
                }
                at++;
                step = at;
                if (schedule != null && !perStep && at % perEpoch == 0) {
                    schedule.step(); // after the epoch's last step, as scheduler.step() after PyTorch's inner loop
                }
                events.publish(job.id(), new JobEvent(at, at / perEpoch, loss, JobStatus.RUNNING, null, lr, lrs));
                if (validation != null && at % perEpoch == 0) {
                    // before the checkpoint of this step: a run resumed from it has every evaluation up to it stored
                    ValidationResult v = validate(model, validation, at / perEpoch - 1, at);
                    store.validation(job.id(), v);
                    if (plateau != null) {
                        plateau.step(metric(v)); // scheduler.step(val_metric) after each epoch's validation
                    }
                    events.publish(job.id(), new JobEvent(at, at / perEpoch, JobStatus.RUNNING, v));
                    if (request.earlyStopping() != null) {
                        stopping = request.earlyStopping().observe(stopping, v);
                        if (stopping.bestStep() == at && request.earlyStopping().restoreBestWeights()) {
                            keepBest(model.stateDict());
                        }
                        if (stopping.stop()) {
                            LOG.info("job {} stops early after epoch {}: no improvement of its validation {} for {} "
                                    + "epochs (best {} after epoch {})", job.id(), v.epoch(),
                                    request.earlyStopping().monitor(), stopping.sinceBest(), stopping.best(),
                                    stopping.bestEpoch());
                        }
                    }
                }
                if (at % request.checkpointEverySteps() == 0 || at == total || stopping.stop()) {
                    checkpoint(model, optimizer, scaler, epochStart, g.getState());
                }
                pause();
            }
        }
        if (cancel) {
            return Outcome.CANCELLED;
        }
        if (best != null) {
            model.loadStateDict(best, true); // restore_best_weights: the state after the best epoch is the result
        }
        resultVersion = publish(model, specBytes, origin);
        return Outcome.SUCCEEDED;
    }

    /**
     * Copies {@code state} into the run's best state (allocated once, in the job's scope, on the model's device, so
     * keeping a new best allocates nothing).
     */
    private void keepBest(Map<String, Tensor> state) {
        if (best == null) {
            best = new LinkedHashMap<>();
            // owned by the job's scope, also when called inside a narrower one (reading a checkpoint)
            state.forEach((k, v) -> best.put(k, TensorScope.moveTo(Tensor.zeros(v.dtype(), device, v.shape()),
                    scope)));
        }
        try (io.nabla.autograd.GradMode.Region ignored = io.nabla.autograd.GradMode.disable()) {
            state.forEach((k, v) -> best.get(k).copyFrom(v));
        }
    }

    /**
     * The request's optimizer over the parameters not frozen: in the request's {@code param_groups} (a frozen
     * parameter a group names is left out, as PyTorch skips a parameter without a gradient), those
     * {@code no_weight_decay} names without weight decay.
     */
    private Optimizer optimizer(Sequential model) {
        List<String> names = new ArrayList<>();
        Optimizer optimizer = request.optimizer().create(trainable(model, names));
        if (!request.optimizer().paramGroups().isEmpty()) {
            List<java.util.Set<String>> selected = ParameterSelection.groups(request.optimizer().paramGroups(),
                    model.namedParameters().keySet());
            List<Optimizer.ParamGroup> groups = new ArrayList<>();
            for (int g = 0; g < selected.size(); g++) {
                List<Integer> indices = indicesOf(names, selected.get(g));
                groups.add(request.optimizer().paramGroups().get(g).of(indices));
            }
            optimizer.withParamGroups(groups);
        }
        if (!request.optimizer().noWeightDecay().isEmpty()) {
            optimizer.withoutWeightDecay(indicesOf(names, ParameterSelection.select("optimizer.no_weight_decay",
                    request.optimizer().noWeightDecay(), model.namedParameters().keySet())));
        }
        return optimizer;
    }

    /** The positions in {@code names} of those in {@code selected}. */
    private static List<Integer> indicesOf(List<String> names, java.util.Set<String> selected) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            if (selected.contains(names.get(i))) {
                out.add(i);
            }
        }
        return out;
    }

    /**
     * The parameters the optimizer updates: all but those the request's {@code freeze} names, which stop requiring
     * gradients (so backward computes none for them), as {@code requires_grad_(False)} in PyTorch; {@code names}
     * receives their names, in the same order.
     */
    private List<Tensor> trainable(Sequential model, List<String> names) {
        Map<String, io.nabla.nn.Parameter> named = model.namedParameters();
        java.util.Set<String> frozen = request.freeze().isEmpty() ? java.util.Set.of()
                : ParameterSelection.frozen(request.freeze(), named.keySet());
        List<Tensor> out = new ArrayList<>();
        named.forEach((name, p) -> {
            if (frozen.contains(name)) {
                p.requiresGrad(false);
            } else {
                out.add(p.tensor());
                names.add(name);
            }
        });
        return out;
    }

    /**
     * The version the job trains from, checked to belong to the model the job was accepted for; a job accepted before
     * model ids existed records its model's id now.
     */
    private StoredVersion base() {
        if (job.modelId() != null) {
            modelId = job.modelId();
            requireModel(SINCE_ACCEPTED); // before the lookup, whose 404 would not say what happened
        }
        IdentifiedVersion base = registry.store().identified(job.model(), job.version());
        if (modelId == null) {
            modelId = base.modelId();
            store.recordModelId(job.id(), modelId);
        } else if (!modelId.equals(base.modelId())) {
            throw modelGone(true, SINCE_ACCEPTED);
        }
        return base.version();
    }

    /** Fails the run when its model was deleted, or deleted and created again, {@code when}. */
    private void requireModel(String when) {
        Optional<String> now = registry.store().modelId(job.model());
        if (!now.equals(Optional.of(modelId))) {
            throw modelGone(now.isPresent(), when);
        }
    }

    private IllegalStateException modelGone(boolean createdAgain, String when) {
        return new IllegalStateException("model \"" + job.model() + "\" was deleted" + (createdAgain
                ? " and created again" : "") + " " + when + "; its result has nowhere to go");
    }

    /** The input and target tensors of the dataset, in the current scope. */
    private Map<String, Tensor> dataset() {
        if (datasets.find(request.dataset()).isEmpty()) {
            throw new IllegalStateException("dataset \"" + request.dataset() + "\" was deleted before the job "
                    + "could read it");
        }
        try (SafetensorsFile f = SafetensorsFile.open(datasets.file(request.dataset()))) {
            Map<String, Tensor> out = new LinkedHashMap<>();
            out.put(request.input(), f.tensor(request.input()));
            out.put(request.target(), f.tensor(request.target()));
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read dataset " + request.dataset() + ": " + e.getMessage(), e);
        }
    }

    /** What a {@code ReduceLROnPlateau} watches of an evaluation: its loss, or its accuracy. */
    private double metric(ValidationResult v) {
        if ("accuracy".equals(request.lrScheduler().monitor())) {
            return v.accuracy() == null ? Double.NaN : v.accuracy();
        }
        return v.loss();
    }

    /**
     * Keras' {@code validation_split} without a seed: the first {@code at} rows of {@code data} (returned, as views)
     * train; the rest of its input and target, taken before any shuffling, go into {@code held} as {@code input} and
     * {@code target}. With a seed, PyTorch's {@code random_split(dataset, [at, n - at], generator=
     * Generator().manual_seed(seed))}: the rows of {@code randperm(n)}'s first {@code at} entries train, in that order,
     * and the others validate (copies, gathered once).
     */
    private Map<String, Tensor> split(Map<String, Tensor> data, int at, Long seed, Map<String, Tensor> held) {
        int n = data.get(request.input()).size(0);
        Map<String, Tensor> train = new LinkedHashMap<>();
        if (seed == null) {
            held.put("input", io.nabla.autograd.ShapeOps.narrow(data.get(request.input()), 0, at, n - at));
            held.put("target", io.nabla.autograd.ShapeOps.narrow(data.get(request.target()), 0, at, n - at));
            data.forEach((k, t) -> train.put(k, io.nabla.autograd.ShapeOps.narrow(t, 0, 0, at)));
            return train;
        }
        long[] order = new Generator(seed).randperm(n);
        Tensor trainRows = Tensor.of(java.util.Arrays.copyOfRange(order, 0, at), at);
        Tensor heldRows = Tensor.of(java.util.Arrays.copyOfRange(order, at, n), n - at);
        held.put("input", io.nabla.autograd.IndexOps.indexSelect(data.get(request.input()), 0, heldRows));
        held.put("target", io.nabla.autograd.IndexOps.indexSelect(data.get(request.target()), 0, heldRows));
        data.forEach((k, t) -> train.put(k, io.nabla.autograd.IndexOps.indexSelect(t, 0, trainRows)));
        return train;
    }

    /** The validation dataset's input and target tensors, in the current scope. */
    private Map<String, Tensor> validationSet() {
        JobRequest.Validation v = request.validation();
        if (datasets.find(v.dataset()).isEmpty()) {
            throw new IllegalStateException("validation dataset \"" + v.dataset() + "\" was deleted before the job "
                    + "could read it");
        }
        try (SafetensorsFile f = SafetensorsFile.open(datasets.file(v.dataset()))) {
            Map<String, Tensor> out = new LinkedHashMap<>();
            out.put("input", f.tensor(v.input()));
            out.put("target", f.tensor(v.target()));
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read dataset " + v.dataset() + ": " + e.getMessage(), e);
        }
    }

    /**
     * The model's loss over the whole validation set, in evaluation mode without gradients (under autocast in mixed
     * precision), as one batch of all its samples would give it: each batch's mean weighted by what it averages over
     * (for the class losses the summed class weight of its targets that are not {@code ignore_index}, their count
     * without weights; its target elements for the others); and for the class losses the fraction of the targets
     * not ignored that are the output's largest class (the first on ties, as {@code argmax}). The model is left in
     * training mode.
     */
    private ValidationResult validate(Sequential model, DataLoader data, int epoch, int step) {
        io.nabla.nn.LossOptions loss = request.lossOptions();
        double sum = 0;
        double weight = 0;
        long counted = 0;
        long correct = 0;
        model.eval();
        try (io.nabla.autograd.GradMode.Region noGrad = io.nabla.autograd.GradMode.disable();
             io.nabla.autograd.Autocast.Region amp = request.lowPrecision() == null ? null
                     : io.nabla.autograd.Autocast.enable(request.lowPrecision())) {
            Iterator<DataLoader.Batch> it = data.epoch();
            while (it.hasNext()) {
                try (TensorScope s = TensorScope.open()) {
                    DataLoader.Batch b = it.next();
                    Tensor target = b.get("target");
                    Tensor out = model.forward(b.get("input").toDevice(device));
                    double w;
                    if (loss.classes()) {
                        long[] t = target.toLongArray();
                        long[] predicted = io.nabla.autograd.ReduceOps.argmax(out, 1, false).toDevice(Device.CPU)
                                .toLongArray();
                        for (int i = 0; i < t.length; i++) {
                            if (t[i] != loss.ignoreIndex()) {
                                counted++;
                                correct += predicted[i] == t[i] ? 1 : 0;
                            }
                        }
                        w = loss.classWeightOf(t);
                    } else {
                        w = target.numel();
                    }
                    if (w > 0) { // a batch of ignored targets only has a NaN mean and adds nothing
                        sum += loss.apply(out, target.toDevice(device)).item() * w;
                        weight += w;
                    }
                }
            }
        } finally {
            model.train();
        }
        double mean = weight == 0 ? Double.NaN : sum / weight;
        return new ValidationResult(epoch, step, mean, loss.classes() ? (counted == 0 ? Double.NaN
                : (double) correct / counted) : null);
    }

    private static void skip(Iterator<DataLoader.Batch> it, int batches) {
        for (int i = 0; i < batches; i++) {
            try (TensorScope s = TensorScope.open()) {
                it.next();
            }
        }
    }

    /**
     * Writes the state after the steps done so far: {@code epochStart} is the generator's state before the current
     * epoch drew its order, {@code rng} its state after the last step (before anything is drawn for the next one).
     */
    private void checkpoint(Sequential model, Optimizer optimizer, GradScaler scaler, long[] epochStart,
                            long[] rng) {
        int at = recorded();
        // the record first: a checkpoint is never ahead of the losses stored, so a resumed run always has them
        store.progress(job.id(), at, at / perEpoch, stored, unstored());
        stored = at;
        try (TensorScope copies = TensorScope.open()) {
            checkpoints.write(job.id(), new Checkpoint(at, null, onHost(model.stateDict()),
                    onHost(optimizer.stateDict()), epochStart, rng, scaler == null ? Map.of() : scaler.stateDict(),
                    best == null ? Map.of() : onHost(best)));
        }
    }

    /** The tensors copied to the host (those there already as they are), in the current scope. */
    private static Map<String, Tensor> onHost(Map<String, Tensor> state) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        state.forEach((k, v) -> out.put(k, v.toDevice(Device.CPU)));
        return out;
    }

    /**
     * The losses so far are {@code losses} (those of the step the run resumes from); the next chunk stored replaces
     * what the record holds past them.
     */
    private void replaceLosses(List<Double> losses) {
        synchronized (done) {
            done.clear();
            done.addAll(losses);
            stored = Math.min(stored, done.size());
        }
    }

    /**
     * Stores the result as the next version of the model trained, also when all its versions were deleted meanwhile
     * (the model goes on: its numbering continues), never into another model created under its name.
     */
    private Integer publish(Sequential model, byte[] spec, String origin) {
        requireModel(WHILE_RUNNING);
        byte[] weights;
        try (TensorScope copies = TensorScope.open()) {
            weights = SafetensorsWriter.toBytes(onHost(model.stateDict()), null);
        }
        try {
            return registry.create(job.model(), spec, new ByteArrayInputStream(weights), origin, modelId).version();
        } catch (ModelReplacedException e) {
            IllegalStateException gone = modelGone(e.createdAgain(), WHILE_RUNNING);
            gone.initCause(e);
            throw gone;
        }
    }

    private void pause() {
        if (stepDelay.isZero()) {
            return;
        }
        try {
            Thread.sleep(stepDelay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop = true;
        }
    }
}
