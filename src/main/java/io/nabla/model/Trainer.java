package io.nabla.model;

import io.nabla.autograd.Autocast;
import io.nabla.autograd.Autograd;
import io.nabla.autograd.GradMode;
import io.nabla.backend.DType;
import io.nabla.backend.Device;
import io.nabla.nn.Criterion;
import io.nabla.nn.Dropout;
import io.nabla.nn.Generator;
import io.nabla.nn.Module;
import io.nabla.optim.GradScaler;
import io.nabla.optim.GradientClipping;
import io.nabla.optim.LrScheduler;
import io.nabla.optim.Optimizer;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;

/**
 * The plain PyTorch training loop: {@code model.train()}, then for each batch {@code zero_grad()}, forward, loss,
 * {@code backward()}, optional gradient clipping, {@code step()}, reporting each step's loss (computed before that
 * step's update). Each step runs in its own {@link TensorScope}, so activations, the graph and the batch are freed
 * when it ends; parameters, their gradients and the optimizer state live in the model's scope.
 *
 * <p>With {@link #mixedPrecision}, PyTorch's AMP recipe: forward and loss under {@link Autocast}, backward from the
 * loss times a {@link GradScaler}'s scale, gradients unscaled (before clipping), the step skipped when they hold an
 * infinity or NaN, the scale updated. The parameters, gradients and optimizer state stay FP32; the reported loss is
 * the unscaled one. A skipped step still counts as a step (and advances a per-step schedule), as in PyTorch's loop.
 *
 * <p>Guarantees: steps run strictly in order on the calling thread; {@link #cancel()} (from any thread) stops the
 * loop before the next step and never interrupts a step halfway.
 */
public final class Trainer {

    /** When a learning-rate schedule advances. */
    public enum ScheduleInterval { EPOCH, STEP }

    /** Receives each step's result; a listener that throws stops training. */
    @FunctionalInterface
    public interface StepListener {
        /**
         * @param epoch the epoch (from 0)
         * @param step  the optimizer step (from 0, counted over all epochs)
         * @param loss  the batch's loss before the update
         */
        void onStep(int epoch, int step, double loss);
    }

    private final Module model;
    private final Criterion loss;
    private final Optimizer optimizer;
    private LrScheduler scheduler;
    private ScheduleInterval interval = ScheduleInterval.EPOCH;
    private double maxGradNorm = Double.NaN;
    private double normType = 2.0;
    private DType autocast;
    private GradScaler scaler;
    private volatile boolean cancelled;
    private int steps;

    public Trainer(Module model, Criterion loss, Optimizer optimizer) {
        this.model = Objects.requireNonNull(model, "model");
        this.loss = Objects.requireNonNull(loss, "loss");
        this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
    }

    /** Advances {@code scheduler} after every epoch or every step; returns this. */
    public Trainer schedule(LrScheduler scheduler, ScheduleInterval interval) {
        this.scheduler = scheduler;
        this.interval = Objects.requireNonNull(interval, "interval");
        return this;
    }

    /** Clips the gradients' 2-norm to {@code maxNorm} before every step ({@code clip_grad_norm_}); returns this. */
    public Trainer clipGradNorm(double maxNorm) {
        return clipGradNorm(maxNorm, 2.0);
    }

    /**
     * Clips the gradients' {@code normType}-norm ({@code +inf}: the largest absolute value) to {@code maxNorm} before
     * every step, as {@code clip_grad_norm_(params, max_norm, norm_type)}; returns this.
     */
    public Trainer clipGradNorm(double maxNorm, double normType) {
        if (!(maxNorm > 0)) {
            throw new IllegalArgumentException("max_norm: expected a positive number, got " + maxNorm);
        }
        if (!(normType >= 0)) {
            throw new IllegalArgumentException("norm_type: expected a non-negative number or +inf, got " + normType);
        }
        this.maxGradNorm = maxNorm;
        this.normType = normType;
        return this;
    }

    /**
     * Makes every Dropout layer of the model draw its masks from {@code g}: pass the generator that shuffles the
     * data too to reproduce a PyTorch run, where both draw from the global generator.
     */
    public Trainer useGenerator(Generator g) {
        for (Module m : model.namedModules().values()) {
            if (m instanceof Dropout d) {
                d.generator(g);
            }
        }
        return this;
    }

    /**
     * Trains in mixed precision: autocast to {@code lowPrecision} (FP16 or BF16) with dynamic loss scaling by
     * {@code scaler}, or without scaling when it is null (PyTorch's {@code GradScaler(enabled=False)}, the usual
     * bf16 recipe); returns this.
     */
    public Trainer mixedPrecision(DType lowPrecision, GradScaler scaler) {
        this.autocast = Autocast.checkDtype(lowPrecision);
        this.scaler = scaler;
        return this;
    }

    /** The loss scaler of mixed-precision training, or null in FP32. */
    public GradScaler scaler() {
        return scaler;
    }

    /** Asks the loop to stop before its next step. */
    public void cancel() {
        cancelled = true;
    }

    public boolean isCancelled() {
        return cancelled;
    }

    /** Optimizer steps taken so far. */
    public int steps() {
        return steps;
    }

    /** One optimizer step on one batch, in its own scope; returns the batch's loss before the update. */
    public double step(Tensor input, Tensor target) {
        return step(List.of(input), List.of(target), 1);
    }

    /**
     * One optimizer step over several batches (gradient accumulation), in its own scope: each batch's loss divided by
     * {@code divisor} is backpropagated in turn (a batch's activations are freed before the next one runs; the
     * gradients add up in the parameters), then the gradients are clipped and the optimizer steps once, as PyTorch's
     * loop {@code (loss / k).backward()} per batch and {@code optimizer.step()} every k batches does. Returns the
     * mean of the batches' losses before the update (each undivided).
     */
    public double step(List<Tensor> inputs, List<Tensor> targets, int divisor) {
        if (inputs.isEmpty() || inputs.size() != targets.size()) {
            throw new IllegalArgumentException("expected as many targets as inputs, at least one, got " + inputs.size()
                    + " inputs and " + targets.size() + " targets");
        }
        if (divisor < 1) {
            throw new IllegalArgumentException("divisor: expected a positive integer, got " + divisor);
        }
        try (TensorScope scope = TensorScope.open()) {
            model.train();
            optimizer.zeroGrad(true); // the dropped gradients belong to this step's scope; identical results to zeroing
            double sum = 0;
            for (int i = 0; i < inputs.size(); i++) {
                try (TensorScope batch = TensorScope.open()) {
                    sum += backward(inputs.get(i), targets.get(i), divisor);
                }
            }
            if (scaler == null) {
                clip();
                optimizer.step();
            } else {
                scaler.unscale(optimizer);
                clip();
                scaler.step(optimizer);
                scaler.update();
            }
            steps++;
            if (scheduler != null && interval == ScheduleInterval.STEP) {
                scheduler.step();
            }
            return sum / inputs.size();
        }
    }

    /** Forward and backward of one batch (its loss divided by {@code divisor}); returns its undivided loss. */
    private double backward(Tensor input, Tensor target, int divisor) {
        Device device = model.device(); // a batch from the host goes to the model's device, in the batch's scope
        input = input.toDevice(device);
        target = target.toDevice(device);
        Tensor value;
        Tensor back;
        try (GradMode.Region ignored = GradMode.enable();
             Autocast.Region amp = autocast == null ? null : Autocast.enable(autocast)) {
            Tensor out = model.forward(input);
            value = loss.apply(out, target);
            back = divisor == 1 ? value : io.nabla.autograd.ElementwiseOps.div(value, (double) divisor);
        }
        if (value.numel() != 1) {
            throw new IllegalStateException("the loss must be a single value, got a tensor " + value);
        }
        Autograd.backward(scaler == null ? back : scaler.scale(back));
        return value.item();
    }

    private void clip() {
        if (!Double.isNaN(maxGradNorm)) {
            GradientClipping.clipGradNorm(optimizer.params(), maxGradNorm, normType);
        }
    }

    /**
     * Trains for {@code epochs} epochs over {@code loader}, feeding the tensor named {@code inputName} to the model
     * and comparing its output with {@code targetName}. Returns every step's loss in order (fewer when cancelled).
     */
    public List<Double> fit(DataLoader loader, String inputName, String targetName, int epochs,
                            StepListener listener) {
        if (epochs < 0) {
            throw new IllegalArgumentException("epochs: expected a non-negative integer, got " + epochs);
        }
        List<Double> losses = new ArrayList<>();
        for (int epoch = 0; epoch < epochs && !cancelled; epoch++) {
            Iterator<DataLoader.Batch> it = loader.epoch();
            while (it.hasNext() && !cancelled) {
                double l;
                try (TensorScope scope = TensorScope.open()) {
                    DataLoader.Batch b = it.next();
                    l = step(b.get(inputName), b.get(targetName));
                }
                losses.add(l);
                if (listener != null) {
                    listener.onStep(epoch, steps - 1, l);
                }
            }
            if (scheduler != null && interval == ScheduleInterval.EPOCH && !cancelled) {
                scheduler.step();
            }
        }
        return losses;
    }

    /**
     * The model's output in evaluation mode without recording gradients (the mode is restored after), on the model's
     * device (the input is copied there).
     */
    public Tensor predict(Tensor input) {
        boolean wasTraining = model.isTraining();
        model.eval();
        try (GradMode.Region ignored = GradMode.disable()) {
            return model.forward(input.toDevice(model.device()));
        } finally {
            model.train(wasTraining);
        }
    }
}
