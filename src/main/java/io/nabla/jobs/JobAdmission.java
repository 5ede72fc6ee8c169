package io.nabla.jobs;

import io.nabla.backend.DType;
import io.nabla.inference.IdentifiedVersion;
import io.nabla.inference.InferenceException;
import io.nabla.inference.ModelRegistry;
import io.nabla.inference.StoredVersion;
import io.nabla.model.ModelSpec;
import io.nabla.model.SafetensorsFile;
import io.nabla.model.TensorSpec;
import io.nabla.tensor.Shape;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Checks a job request against the model and dataset it names before the job is accepted, so a job that cannot
 * run is a 400 naming the field and not a FAILED job later: the model and version exist, the dataset exists and
 * holds the input and target tensors, the input fits the model's declared input, the target fits the loss (int64
 * class indices for {@code cross_entropy}/{@code nll}, floats shaped like the output for the others), the device is
 * one this server has, the step count fits, and every {@code freeze}, {@code optimizer.no_weight_decay} and {@code
 * optimizer.param_groups} entry names parameters of the model.
 */
final class JobAdmission {

    /** A request that passed: its version resolved, the id of that version's model, its step count and device. */
    record Admitted(JobRequest request, String modelId, int totalSteps, int rows, String device) {
    }

    private final ModelRegistry registry;
    private final DatasetStore datasets;
    private final JobDevices devices;
    private final int maxSteps;

    /** {@code maxSteps}: the most optimizer steps one job may take ({@code nabla.jobs.max-steps}). */
    JobAdmission(ModelRegistry registry, DatasetStore datasets, JobDevices devices, int maxSteps) {
        this.registry = registry;
        this.datasets = datasets;
        this.devices = devices;
        this.maxSteps = maxSteps;
    }

    /** Checks request {@code r} of the job that will be {@code id}. */
    Admitted admit(String id, JobRequest r) {
        IdentifiedVersion identified = version(r);
        StoredVersion v = identified.version();
        ModelSpec spec = ModelSpec.parse(new String(v.readSpec(), StandardCharsets.UTF_8));
        String device = devices.check("job:" + id, r.device(), JobMemory.estimate(spec, r)).toString();
        int rows = rows(spec, r, "", r.dataset(), r.input(), r.target());
        JobRequest.Validation val = r.validation();
        if (val != null && val.split() > 0) {
            int training = val.trainingRows(rows);
            if (training < 1 || training >= rows) {
                throw new IllegalArgumentException("validation.split: " + val.split() + " of " + rows + " samples "
                        + "leaves " + training + " to train on and " + (rows - training) + " to validate; expected at "
                        + "least one of each");
            }
            rows = training;
        } else if (val != null) {
            rows(spec, r, "validation.", val.dataset(), val.input(), val.target());
        }
        checkLossOptions(r.lossOptions(), spec.outputs().get(0));
        if (!r.freeze().isEmpty() || !r.optimizer().noWeightDecay().isEmpty()
                || !r.optimizer().paramGroups().isEmpty()) {
            try (SafetensorsFile w = SafetensorsFile.open(v.weights())) {
                List<String> names = ParameterSelection.parameterNames(w.names());
                ParameterSelection.frozen(r.freeze(), names);
                ParameterSelection.select("optimizer.no_weight_decay", r.optimizer().noWeightDecay(), names);
                ParameterSelection.groups(r.optimizer().paramGroups(), names);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the weights of " + r.model() + " version " + v.version()
                        + ": " + e.getMessage(), e);
            }
        }
        long batches = (rows + (long) r.batchSize() - 1) / r.batchSize();
        long perEpoch = r.stepsPerEpoch(batches);
        long total = perEpoch * r.epochs();
        if (total > maxSteps) {
            throw new IllegalArgumentException("epochs: " + r.epochs() + " epochs of " + perEpoch + " optimizer steps ("
                    + rows + " samples, batch_size " + r.batchSize() + (r.accumulateGradBatches() == 1 ? ""
                    : ", accumulate_grad_batches " + r.accumulateGradBatches()) + ") are " + total
                    + " optimizer steps; expected at most " + maxSteps + " (nabla.jobs.max-steps)");
        }
        if (r.lrScheduler() != null) {
            // a OneCycleLR stepped past its total_steps would fail the job on its way
            r.lrScheduler().checkSteps((int) (r.lrScheduler().perStep() ? total : r.epochs()), "lr_scheduler",
                    r.optimizer());
        }
        return new Admitted(r.withVersion(v.version()), identified.modelId(), (int) total, rows, device);
    }

    private IdentifiedVersion version(JobRequest r) {
        try {
            if (!registry.store().exists(r.model())) {
                throw new IllegalArgumentException("model: expected the name of a stored model, got \"" + r.model()
                        + "\", which does not exist");
            }
            return registry.store().identified(r.model(), r.version());
        } catch (InferenceException e) {
            String field = e.kind() == InferenceException.Kind.NOT_FOUND && r.version() != null ? "version" : "model";
            throw new IllegalArgumentException(field + ": " + e.getMessage(), e);
        }
    }

    /**
     * Checks that dataset {@code id} exists and that its tensors {@code input} and {@code target} fit the model and
     * the loss; returns its samples. {@code prefix} is where the fields sit in the request ({@code ""} or
     * {@code "validation."}).
     */
    private int rows(ModelSpec spec, JobRequest r, String prefix, String id, String input, String target) {
        if (datasets.find(id).isEmpty()) {
            throw new IllegalArgumentException(prefix + "dataset: expected the id of an uploaded dataset, got \""
                    + id + "\", which does not exist");
        }
        try (SafetensorsFile f = SafetensorsFile.open(datasets.file(id))) {
            TensorSpec in = spec.inputs().get(0);
            TensorSpec out = spec.outputs().get(0);
            int[] inputShape = tensor(f, prefix + "input", input);
            int[] targetShape = tensor(f, prefix + "target", target);
            if (inputShape[0] == 0) {
                throw new IllegalArgumentException(prefix + "dataset: expected at least one sample, tensor \"" + input
                        + "\" has shape " + Shape.format(inputShape));
            }
            checkInput(prefix + "input", input, in, f.dtype(input), inputShape);
            checkTarget(r, prefix + "target", target, out, f.dtype(target), targetShape);
            return inputShape[0];
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read dataset " + id + ": " + e.getMessage(), e);
        }
    }

    /** A class weight per class of the output (dim 1), a positive weight per entry of its last dim, where declared. */
    private static void checkLossOptions(io.nabla.nn.LossOptions o, TensorSpec out) {
        int[] shape = out.shape();
        if (o.weight() != null && shape.length >= 2 && shape[1] != -1 && o.weight().size() != shape[1]) {
            throw new IllegalArgumentException("loss_options.weight: expected a weight for each of the " + shape[1]
                    + " classes of the output \"" + out.name() + "\" " + Shape.format(shape) + ", got "
                    + o.weight().size());
        }
        int last = shape.length == 0 ? -1 : shape[shape.length - 1];
        if (o.posWeight() != null && last != -1 && o.posWeight().size() != last && o.posWeight().size() != 1) {
            throw new IllegalArgumentException("loss_options.pos_weight: expected 1 or " + last + " weights (the last "
                    + "dimension of the output \"" + out.name() + "\" " + Shape.format(shape) + "), got "
                    + o.posWeight().size());
        }
    }

    private static int[] tensor(SafetensorsFile f, String field, String name) {
        if (!f.contains(name)) {
            throw new IllegalArgumentException(field + ": expected the name of a tensor of the dataset " + f.names()
                    + ", got \"" + name + "\"");
        }
        int[] shape = f.shape(name);
        if (shape.length == 0) {
            throw new IllegalArgumentException(field + ": tensor \"" + name + "\" is 0-dim; expected a first "
                    + "dimension of samples");
        }
        return shape;
    }

    private static void checkInput(String field, String name, TensorSpec in, DType dtype, int[] shape) {
        if (dtype != in.datatype()) {
            throw new IllegalArgumentException(field + ": the model's input \"" + in.name() + "\" is "
                    + in.datatype().inferenceName() + ", tensor \"" + name + "\" is " + dtype.inferenceName());
        }
        if (!fits(in.shape(), shape)) {
            throw new IllegalArgumentException(field + ": the model's input \"" + in.name() + "\" has shape "
                    + Shape.format(in.shape()) + ", tensor \"" + name + "\" has shape " + Shape.format(shape));
        }
    }

    private static void checkTarget(JobRequest r, String field, String name, TensorSpec out, DType dtype,
            int[] shape) {
        String loss = r.loss().apiName();
        int[] outShape = out.shape();
        if (JobRequest.CLASS_LOSSES.contains(r.loss())) {
            if (dtype != DType.INT64) {
                throw new IllegalArgumentException(field + ": loss " + loss + " needs int64 class indices, tensor \""
                        + name + "\" is " + dtype.inferenceName());
            }
            if (shape.length != outShape.length - 1) {
                throw new IllegalArgumentException(field + ": loss " + loss + " needs class indices of rank "
                        + (outShape.length - 1) + " for the output " + Shape.format(outShape) + ", tensor \""
                        + name + "\" has shape " + Shape.format(shape));
            }
            return;
        }
        if (!dtype.isFloatingPoint()) {
            throw new IllegalArgumentException(field + ": loss " + loss + " needs a floating point target, tensor \""
                    + name + "\" is " + dtype.inferenceName());
        }
        if (!fits(outShape, shape)) {
            throw new IllegalArgumentException(field + ": loss " + loss + " needs a target shaped like the output "
                    + Shape.format(outShape) + ", tensor \"" + name + "\" has shape " + Shape.format(shape));
        }
    }

    /** True when {@code actual} matches {@code declared}, where -1 matches any size. */
    private static boolean fits(int[] declared, int[] actual) {
        if (declared.length != actual.length) {
            return false;
        }
        for (int i = 0; i < declared.length; i++) {
            if (declared[i] != -1 && declared[i] != actual[i]) {
                return false;
            }
        }
        return declared.length > 0 && Arrays.stream(actual).allMatch(d -> d >= 0);
    }
}
