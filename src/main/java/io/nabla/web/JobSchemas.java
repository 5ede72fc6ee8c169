package io.nabla.web;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.nabla.jobs.FineTuneJob;
import io.nabla.jobs.JobEvent;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.List;

/** The JSON documents of the fine-tuning job endpoints (API section 4). */
final class JobSchemas {

    private JobSchemas() {
    }

    @Schema(name = "JobOptimizer", description = "sgd (lr, momentum, dampening, weight_decay, nesterov), adam or adamw"
            + " (lr, betas, eps, weight_decay, amsgrad), with PyTorch's defaults (lr 1e-3 for all three, as in PyTorch "
            + "2.2 and later); as extensions rmsprop (lr 0.01, alpha, eps, weight_decay, momentum, centered) and adagrad "
            + "(lr 0.01, lr_decay, weight_decay, initial_accumulator_value, eps)")
    record Optimizer(@Schema(requiredMode = Schema.RequiredMode.REQUIRED, allowableValues = {"sgd", "adam", "adamw",
                "rmsprop", "adagrad"})
            String type, @Schema(description = "learning rate, a positive number (default 1e-3; 1e-2 for rmsprop and "
                    + "adagrad)") Double lr, @Schema(description = "sgd, rmsprop (default 0)") Double momentum,
            Double dampening, @JsonProperty("weight_decay") Double weightDecay, Boolean nesterov, List<Double> betas,
            @Schema(description = "adam, adamw (default 1e-8), rmsprop (1e-8), adagrad (1e-10)") Double eps,
            Boolean amsgrad, @Schema(description = "rmsprop (default 0.99)") Double alpha,
            @Schema(description = "rmsprop (default false)") Boolean centered,
            @JsonProperty("lr_decay") @Schema(description = "adagrad (default 0)") Double lrDecay,
            @JsonProperty("initial_accumulator_value") @Schema(description = "adagrad (default 0)")
            Double initialAccumulatorValue,
            @JsonProperty("no_weight_decay") @Schema(description = "an extension: parameters updated without weight "
                    + "decay, by name, module name or pattern (\"*.bias\"), as a second PyTorch parameter group with "
                    + "weight_decay 0") List<String> noWeightDecay,
            @JsonProperty("param_groups") @Schema(description = "an extension: PyTorch's parameter groups, at most "
                    + "64; the parameters each names (by name, module name or pattern) take its lr and weight_decay, "
                    + "those named by none keep the optimizer's (group 0); a parameter in two groups is a 400")
            List<ParamGroup> paramGroups) {
    }

    @Schema(name = "JobParamGroup", description = "One of optimizer.param_groups (an extension)")
    record ParamGroup(@Schema(requiredMode = Schema.RequiredMode.REQUIRED, description = "parameter names, module "
            + "names or patterns such as \"*.bias\"") List<String> params,
            @Schema(description = "the group's learning rate, a positive number (default: the optimizer's)") Double lr,
            @JsonProperty("weight_decay") @Schema(description = "the group's weight decay (default: the optimizer's)")
            Double weightDecay,
            @Schema(description = "sgd, rmsprop: the group's momentum (default: the optimizer's)") Double momentum,
            @Schema(description = "adam, adamw: the group's betas (default: the optimizer's)") List<Double> betas,
            @Schema(description = "adam, adamw, rmsprop, adagrad: the group's eps (default: the optimizer's)")
            Double eps) {
    }

    @Schema(name = "JobRequest", description = "A fine-tuning job: train a model version on a dataset")
    record Request(@Schema(requiredMode = Schema.RequiredMode.REQUIRED) String model,
            @Schema(description = "the version to start from; the newest when omitted") String version,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED) String dataset,
            @Schema(description = "dataset tensor fed to the model (default input)") String input,
            @Schema(description = "dataset tensor the loss compares with (default target)") String target,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED, allowableValues = {"cross_entropy", "mse", "l1",
                "smooth_l1", "bce_with_logits", "nll"}) String loss,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED) Optimizer optimizer,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED) Integer epochs,
            @JsonProperty("batch_size") @Schema(requiredMode = Schema.RequiredMode.REQUIRED) Integer batchSize,
            Boolean shuffle, Long seed,
            @Schema(description = "auto (a GPU whose free memory admits the job, else the CPU), cpu, cuda or "
                    + "cuda:N (default auto)") String device,
            @Schema(description = "fp32 (default), or mixed precision with loss scaling: bf16 or fp16 (matrix "
                    + "products and convolutions in that dtype, softmax, norms and losses in fp32, parameters and "
                    + "optimizer state in fp32, dynamic loss scaling as PyTorch's GradScaler)", allowableValues = {"fp32", "bf16",
                "fp16"}) String precision,
            @JsonProperty("checkpoint_every_steps") @Schema(description = "default 100") Integer checkpointEverySteps,
            @JsonProperty("loss_scaler") LossScaler lossScaler,
            @JsonProperty("lr_scheduler") LrScheduler lrScheduler,
            @JsonProperty("clip_grad_norm") ClipGradNorm clipGradNorm,
            @Schema(description = "parameters kept as they are (an extension of the API): names of the model's "
                    + "parameters (\"0.weight\") or of modules holding some (\"0\", \"1.layers.0\"), as "
                    + "requires_grad_(False) in PyTorch; buffers such as running statistics still update")
            List<String> freeze,
            ValidationSet validation,
            @JsonProperty("early_stopping") EarlyStopping earlyStopping,
            @JsonProperty("accumulate_grad_batches") @Schema(description = "an extension: batches whose gradients add "
                    + "up into one optimizer step (each batch's loss divided by it, as Lightning does); an epoch's last "
                    + "step may take fewer; 1 to 65536 (default 1)") Integer accumulateGradBatches,
            @JsonProperty("loss_options") LossOptions lossOptions) {
    }

    @Schema(name = "JobLossOptions", description = "The loss's arguments beyond PyTorch's defaults (an extension of the "
            + "API): cross_entropy (weight, ignore_index, label_smoothing), nll (weight, ignore_index), smooth_l1 "
            + "(beta), bce_with_logits (pos_weight); mse and l1 take none")
    record LossOptions(@Schema(description = "a weight per class, >= 0 (cross_entropy, nll)") List<Double> weight,
            @JsonProperty("ignore_index") @Schema(description = "the target that counts for nothing (default -100)")
            Long ignoreIndex,
            @JsonProperty("label_smoothing") @Schema(description = "in [0, 1] (default 0)") Double labelSmoothing,
            @Schema(description = "smooth_l1's switch from quadratic to linear, >= 0 (default 1)") Double beta,
            @JsonProperty("pos_weight") @Schema(description = "bce_with_logits: the weight of positive examples, one "
                    + "or one per entry of the output's last dimension") List<Double> posWeight) {
    }

    @Schema(name = "JobEarlyStoppingRule", description = "End training once the validation loss has not improved for "
            + "patience epochs (an extension of the API; needs validation)")
    record EarlyStopping(@Schema(description = "evaluations without improvement after which training ends, >= 1 "
                + "(default 3)") Integer patience,
            @JsonProperty("min_delta") @Schema(description = "the least decrease that is an improvement, >= 0 "
                    + "(default 0)") Double minDelta,
            @JsonProperty("restore_best_weights") @Schema(description = "publish the state after the best epoch, "
                    + "not the last (default true)") Boolean restoreBestWeights,
            @Schema(description = "what is watched: the validation loss (default; lower is better) or, for "
                    + "cross_entropy and nll, its accuracy (higher is better)", allowableValues = {"loss", "accuracy"})
            String monitor) {
    }

    @Schema(name = "JobValidationSet", description = "A dataset the model is evaluated on after every epoch (an "
            + "extension of the API)")
    record ValidationSet(@Schema(description = "a dataset id; or give split") String dataset,
            @Schema(description = "instead of a dataset: the fraction of the training dataset held out for validation, "
                    + "its last rows before any shuffling (Keras' validation_split), in (0, 1)") Double split,
            @JsonProperty("split_seed") @Schema(description = "with split: hold out random rows instead, as PyTorch's "
                    + "random_split with a generator seeded with it") Long splitSeed,
            @Schema(description = "its tensor fed to the model (default: the job's input)") String input,
            @Schema(description = "its tensor the loss compares with (default: the job's target)") String target,
            @JsonProperty("batch_size") @Schema(description = "rows per evaluation batch (default: the job's)")
            Integer batchSize) {
    }

    @Schema(name = "JobLrScheduler", description = "A learning-rate schedule (an extension of the API): one of "
            + "torch.optim.lr_scheduler's classes by name, with its argument names and defaults")
    record LrScheduler(@Schema(requiredMode = Schema.RequiredMode.REQUIRED, allowableValues = {"StepLR",
                "MultiStepLR", "ExponentialLR", "CosineAnnealingLR", "LinearLR", "ConstantLR", "PolynomialLR",
                "CosineAnnealingWarmRestarts", "OneCycleLR", "CyclicLR", "SequentialLR", "ChainedScheduler",
                "ReduceLROnPlateau"}) String type,
            @Schema(description = "when it advances: after each epoch (default) or after each optimizer step; not "
                    + "inside a SequentialLR", allowableValues = {"epoch", "step"}) String interval,
            @JsonProperty("step_size") @Schema(description = "StepLR") Integer stepSize,
            @Schema(description = "StepLR, MultiStepLR (default 0.1), ExponentialLR (required), CyclicLR (default 1)")
            Double gamma,
            @Schema(description = "MultiStepLR; SequentialLR (one fewer than its schedulers)") List<Integer> milestones,
            @JsonProperty("T_max") @Schema(description = "CosineAnnealingLR") Integer tMax,
            @JsonProperty("eta_min") @Schema(description = "CosineAnnealingLR (default 0)") Double etaMin,
            @JsonProperty("start_factor") @Schema(description = "LinearLR (default 1/3)") Double startFactor,
            @JsonProperty("end_factor") @Schema(description = "LinearLR (default 1)") Double endFactor,
            @JsonProperty("total_iters") @Schema(description = "LinearLR, ConstantLR, PolynomialLR (default 5)")
            Integer totalIters,
            @Schema(description = "ConstantLR (default 1/3), ReduceLROnPlateau (default 0.1)") Double factor,
            @Schema(description = "SequentialLR: the schedules it runs one after another; ChainedScheduler: the "
                    + "schedules it steps together") List<LrScheduler> schedulers,
            @Schema(description = "ReduceLROnPlateau: min (default) or max; CyclicLR: triangular (default), "
                    + "triangular2 or exp_range") String mode,
            @Schema(description = "ReduceLROnPlateau (default 10)") Integer patience,
            @Schema(description = "ReduceLROnPlateau (default 1e-4)") Double threshold,
            @JsonProperty("threshold_mode") @Schema(description = "ReduceLROnPlateau: rel (default) or abs")
            String thresholdMode,
            @Schema(description = "ReduceLROnPlateau (default 0)") Integer cooldown,
            @JsonProperty("min_lr") @Schema(description = "ReduceLROnPlateau (default 0)") Double minLr,
            @Schema(description = "ReduceLROnPlateau (default 1e-8)") Double eps,
            @Schema(description = "ReduceLROnPlateau, an extension: the validation metric it is stepped with, loss "
                    + "(default) or accuracy") String monitor,
            @Schema(description = "PolynomialLR (default 1)") Double power,
            @JsonProperty("T_0") @Schema(description = "CosineAnnealingWarmRestarts (required)") Integer t0,
            @JsonProperty("T_mult") @Schema(description = "CosineAnnealingWarmRestarts (default 1)") Integer tMult,
            @JsonProperty("max_lr") @Schema(description = "OneCycleLR, CyclicLR (required): a number, or one per "
                    + "parameter group") Object maxLr,
            @JsonProperty("base_lr") @Schema(description = "CyclicLR (required): a number, or one per parameter group")
            Object baseLr,
            @JsonProperty("total_steps") @Schema(description = "OneCycleLR: default epochs * steps_per_epoch, or "
                    + "(an extension) the number of times the job steps it") Integer totalSteps,
            @Schema(description = "OneCycleLR, with steps_per_epoch") Integer epochs,
            @JsonProperty("steps_per_epoch") @Schema(description = "OneCycleLR, with epochs") Integer stepsPerEpoch,
            @JsonProperty("pct_start") @Schema(description = "OneCycleLR (default 0.3)") Double pctStart,
            @JsonProperty("anneal_strategy") @Schema(description = "OneCycleLR: cos (default) or linear")
            String annealStrategy,
            @JsonProperty("cycle_momentum") @Schema(description = "OneCycleLR, CyclicLR (default true)")
            Boolean cycleMomentum,
            @JsonProperty("base_momentum") @Schema(description = "OneCycleLR (default 0.85), CyclicLR (default 0.8): a "
                    + "number, or one per parameter group") Object baseMomentum,
            @JsonProperty("max_momentum") @Schema(description = "OneCycleLR (default 0.95), CyclicLR (default 0.9): a "
                    + "number, or one per parameter group") Object maxMomentum,
            @JsonProperty("div_factor") @Schema(description = "OneCycleLR (default 25)") Double divFactor,
            @JsonProperty("final_div_factor") @Schema(description = "OneCycleLR (default 1e4)") Double finalDivFactor,
            @JsonProperty("three_phase") @Schema(description = "OneCycleLR (default false)") Boolean threePhase,
            @JsonProperty("step_size_up") @Schema(description = "CyclicLR (default 2000)") Double stepSizeUp,
            @JsonProperty("step_size_down") @Schema(description = "CyclicLR (default step_size_up)")
            Double stepSizeDown) {
    }

    @Schema(name = "JobClipGradNorm", description = "clip_grad_norm_ before each optimizer step (an extension of the "
            + "API; in mixed precision after the gradients are unscaled)")
    record ClipGradNorm(@JsonProperty("max_norm") @Schema(requiredMode = Schema.RequiredMode.REQUIRED,
                description = "the bound of the gradients' joint norm, positive") Double maxNorm,
            @JsonProperty("norm_type") @Schema(description = "a non-negative number, or \"inf\" (default 2)")
            Object normType) {
    }

    @Schema(name = "JobLossScaler", description = "Loss scaling in mixed precision (bf16/fp16 only; a 400 with fp32): "
            + "PyTorch's GradScaler arguments, with its defaults (an extension of the API)")
    record LossScaler(@Schema(description = "false: autocast without loss scaling (default true)") Boolean enabled,
            @JsonProperty("init_scale") @Schema(description = "the first scale, positive, at most float32's largest "
                    + "(default 65536)") Double initScale,
            @JsonProperty("growth_factor") @Schema(description = "> 1 (default 2)") Double growthFactor,
            @JsonProperty("backoff_factor") @Schema(description = "in (0, 1) (default 0.5)") Double backoffFactor,
            @JsonProperty("growth_interval") @Schema(description = "steps without inf/NaN gradients before the scale "
                    + "grows, >= 1 (default 2000)") Integer growthInterval) {
    }

    @Schema(name = "JobCreated", description = "The accepted job; follow it at the Location")
    record Created(String id, String status) {
    }

    @Schema(name = "Job", description = "A fine-tuning job and its progress")
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record Job(String id,
            @Schema(allowableValues = {"QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED"}) String status,
            String model, String version, @JsonProperty("result_version") String resultVersion, int step,
            @JsonProperty("total_steps") int totalSteps, int epoch,
            @Schema(description = "the loss of every optimizer step, in order; a loss that is not a finite number (a "
                    + "diverging run) is the string NaN, Infinity or -Infinity") List<Double> losses, String device,
            @JsonProperty("created_at") String createdAt, @JsonProperty("started_at") String startedAt,
            @JsonProperty("finished_at") String finishedAt, String error,
            @Schema(description = "an extension: the evaluations on the request's validation dataset, one per "
                    + "finished epoch; empty without one") List<Validation> validation,
            @JsonProperty("early_stopping") @Schema(description = "an extension: where early stopping stands, for a "
                    + "job with early_stopping; null otherwise") EarlyStoppingState earlyStopping,
            @JsonProperty("losses_from") @JsonInclude(JsonInclude.Include.NON_NULL) @Schema(description = "an "
                    + "extension, only when asked with ?losses_from=K: losses then holds the losses of steps K, K+1, "
                    + "... only (step 0 first)") Integer lossesFrom) {

        static Job of(FineTuneJob j) {
            return of(j, null);
        }

        /** The job; with {@code lossesFrom} (>= 0) only the losses of steps {@code lossesFrom} and after. */
        static Job of(FineTuneJob j, Integer lossesFrom) {
            List<Double> all = j.losses();
            List<Double> losses = lossesFrom == null ? all : all.subList(Math.min(lossesFrom, all.size()), all.size());
            return new Job(j.id(), j.status().name(), j.model(), Integer.toString(j.version()),
                    j.resultVersion() == null ? null : j.resultVersion().toString(), j.step(), j.totalSteps(),
                    j.epoch(), losses, j.device(), time(j.createdAt()), time(j.startedAt()),
                    time(j.finishedAt()), j.error(), j.validation().stream().map(Validation::of).toList(),
                    EarlyStoppingState.of(j), lossesFrom);
        }

        private static String time(Instant t) {
            return t == null ? null : t.toString();
        }
    }

    @Schema(name = "JobValidation", description = "The model evaluated on the validation dataset after an epoch, in "
            + "evaluation mode without gradients")
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record Validation(@Schema(description = "the epoch just finished, from 0") int epoch,
            @Schema(description = "optimizer steps done") int step,
            @Schema(description = "the loss over all samples (a number, or the string NaN, Infinity or -Infinity)")
            double loss,
            @Schema(description = "cross_entropy and nll: the fraction of targets (ignore_index -100 left out) that "
                    + "are the output's largest class; null for the other losses") Double accuracy) {

        static Validation of(io.nabla.jobs.ValidationResult v) {
            return new Validation(v.epoch(), v.step(), v.loss(), v.accuracy());
        }
    }

    @Schema(name = "JobEarlyStopping", description = "Where early stopping stands after the job's evaluations")
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record EarlyStoppingState(@Schema(allowableValues = {"loss", "accuracy"}) String monitor,
            @JsonProperty("best_epoch") @Schema(description = "the epoch (from 0) with the best monitored value so "
                    + "far; null before the first evaluation") Integer bestEpoch,
            @JsonProperty("best_value") @Schema(description = "that value (a validation loss or accuracy)")
            Double bestValue,
            @JsonProperty("epochs_since_best") @Schema(description = "evaluations since then without improvement")
            int epochsSinceBest,
            @JsonProperty("stopped_early") @Schema(description = "true once patience ran out: training ended there")
            boolean stoppedEarly) {

        static EarlyStoppingState of(io.nabla.jobs.FineTuneJob j) {
            io.nabla.jobs.EarlyStopping rule = j.earlyStoppingRule(); // the stored request, read once
            if (rule == null) {
                return null;
            }
            io.nabla.jobs.EarlyStopping.State s = rule.replay(j.validation());
            boolean any = s.bestEpoch() >= 0;
            return new EarlyStoppingState(rule.monitor(), any ? s.bestEpoch() : null, any ? s.best() : null,
                    s.sinceBest(), s.stop());
        }
    }

    @Schema(name = "JobEvent", description = "One server-sent event: after an optimizer step (event name progress,"
            + " with its loss: a number, or the string NaN, Infinity or -Infinity) or on a change of status (event"
            + " name status, loss null); steps never decrease. A job with a validation dataset also sends, after each"
            + " epoch's evaluation, an event named validation whose data is a JobValidation")
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record Event(int step, int epoch, Double loss,
            @Schema(allowableValues = {"QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED"}) String status,
            @Schema(description = "an extension: in a progress event, the learning rate the step was taken with "
                    + "(it follows the job's lr_scheduler); null in a status event; with optimizer.param_groups, group "
                    + "0's (the parameters no group names)") Double lr,
            @JsonInclude(JsonInclude.Include.NON_NULL) @Schema(description = "an extension, only in the progress "
                    + "events of a job with optimizer.param_groups: every group's learning rate, group 0 (the "
                    + "parameters no group names) first, then param_groups[0], [1], ...") List<Double> lrs) {

        static Event of(JobEvent e) {
            return new Event(e.step(), e.epoch(), e.loss(), e.status().name(), e.lr(), e.lrs());
        }
    }
}
