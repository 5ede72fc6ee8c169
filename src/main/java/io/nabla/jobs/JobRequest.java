package io.nabla.jobs;

import io.nabla.model.JsonErrorText;
import io.nabla.model.ModelSpec;
import io.nabla.nn.JsonValues;
import io.nabla.nn.Loss;
import io.nabla.nn.LossOptions;
import io.nabla.optim.LrSchedulerSpec;
import io.nabla.optim.OptimizerSpec;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.TokenStreamContext;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.core.json.JsonReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The body of {@code POST /v1/jobs} (API section 4), checked field by field: every error names the field, what it
 * expects and what it got. What needs the model and dataset (do they exist, do the tensors fit) is checked by
 * {@link JobAdmission}.
 *
 * @param model the model to fine-tune
 * @param version the version to start from; null means the newest (resolved on admission)
 * @param dataset the dataset id
 * @param input the dataset tensor fed to the model
 * @param target the dataset tensor the loss compares the output with
 * @param loss the loss
 * @param optimizer the optimizer, parsed
 * @param optimizerJson the optimizer object as sent (kept to store the request)
 * @param epochs passes over the dataset
 * @param batchSize rows per batch (the last one may be smaller)
 * @param shuffle whether each epoch draws a permutation (PyTorch's {@code DataLoader(shuffle=True)})
 * @param seed {@code torch.manual_seed(seed)}: shuffling and dropout draw from it
 * @param device the requested device: {@code auto}, {@code cpu}, {@code cuda} or {@code cuda:N}
 * @param precision {@code fp32}, or mixed precision with loss scaling: {@code bf16} or {@code fp16} (autocast to
 *     that dtype, FP32 parameters and optimizer state, PyTorch's GradScaler)
 * @param checkpointEverySteps how often a checkpoint is written (and at the end)
 * @param lossScaler the loss scaling of mixed precision ({@code loss_scaler}, PyTorch's defaults when absent);
 *     null in {@code fp32}
 * @param lrScheduler the learning-rate schedule ({@code lr_scheduler}, an extension), or null for a constant rate
 * @param lrSchedulerJson the {@code lr_scheduler} object as sent (kept to store the request), or null
 * @param clipGradNorm the gradient clipping before each step ({@code clip_grad_norm}, an extension), or null
 * @param freeze the parameters not trained ({@code freeze}, an extension): names of parameters or of modules
 *     holding them, as in the model's state dict; empty when every parameter is trained
 * @param validation the dataset evaluated after every epoch ({@code validation}, an extension), or null
 * @param earlyStopping when training ends before its last epoch ({@code early_stopping}, an extension; needs
 *     {@code validation}), or null
 * @param lossOptions the loss with its arguments ({@code loss_options}, an extension; PyTorch's defaults when
 *     absent)
 * @param accumulateGradBatches batches whose gradients add up into one optimizer step
 *     ({@code accumulate_grad_batches}, an extension; 1 by default); an epoch's last step may take fewer
 */
public record JobRequest(String model, Integer version, String dataset, String input, String target, Loss loss,
        OptimizerSpec optimizer, JsonNode optimizerJson, int epochs, int batchSize, boolean shuffle, long seed,
        String device, String precision, int checkpointEverySteps, LossScaler lossScaler, LrSchedulerSpec lrScheduler,
        JsonNode lrSchedulerJson, ClipGradNorm clipGradNorm, List<String> freeze, Validation validation,
        EarlyStopping earlyStopping, int accumulateGradBatches, LossOptions lossOptions) {

    public JobRequest {
        freeze = List.copyOf(freeze);
    }

    /**
     * {@code torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type)} before each optimizer step (after the
     * gradients are unscaled in mixed precision, as PyTorch's AMP recipe does).
     *
     * @param maxNorm the bound of the gradients' joint norm (positive)
     * @param normType the norm: a non-negative number, or {@code +inf} (sent as {@code "inf"}) for the largest
     *     absolute value
     */
    public record ClipGradNorm(double maxNorm, double normType) {
    }

    /**
     * A dataset the model is evaluated on after every epoch, in evaluation mode and without gradients, in the job's
     * precision: the loss over all its samples, and for {@code cross_entropy} and {@code nll} the accuracy.
     *
     * @param dataset the dataset id, or null for a split of the training dataset
     * @param input its tensor fed to the model (default: the job's {@code input})
     * @param target its tensor the loss compares with (default: the job's {@code target})
     * @param batchSize rows per evaluation batch (default: the job's {@code batch_size})
     * @param split the fraction of the training dataset held out for validation (its last rows, before any
     *     shuffling, as Keras' {@code validation_split}), in (0, 1); 0 with a {@code dataset}
     * @param splitSeed with {@code split}, null for Keras' last rows, or the seed of a random split: PyTorch's
     *     {@code random_split(dataset, [train, held], generator=Generator().manual_seed(split_seed))}
     */
    public record Validation(String dataset, String input, String target, int batchSize, double split,
            Long splitSeed) {

        /** A validation dataset of its own. */
        public Validation(String dataset, String input, String target, int batchSize) {
            this(dataset, input, target, batchSize, 0, null);
        }

        /** A split of the training dataset, its last rows held out. */
        public Validation(String dataset, String input, String target, int batchSize, double split) {
            this(dataset, input, target, batchSize, split, null);
        }

        /**
         * The rows of an {@code n}-row training dataset the job trains on: all of them, or with a {@code split} the
         * first {@code round(n * (1 - split))} (Keras' {@code split_at}); the rest are the validation rows.
         */
        public int trainingRows(int n) {
            return split == 0 ? n : (int) Math.round(n * (1.0 - split));
        }
    }

    /** The most batches one optimizer step may accumulate. */
    public static final int MAX_ACCUMULATE = 65_536;

    /** Optimizer steps in an epoch of {@code batches} batches: groups of {@link #accumulateGradBatches}. */
    public long stepsPerEpoch(long batches) {
        return (batches + accumulateGradBatches - 1) / accumulateGradBatches;
    }

    /** The most entries of {@code freeze}. */
    public static final int MAX_FREEZE = 1024;

    /** The dtype mixed precision autocasts to ({@code BF16} or {@code FP16}), or null for {@code fp32}. */
    public io.nabla.backend.DType lowPrecision() {
        return ModelSpec.lowPrecisionOf(precision);
    }

    /** The most epochs a job may ask for. */
    public static final int MAX_EPOCHS = 100_000;

    private static final Set<String> FIELDS = Set.of("model", "version", "dataset", "input", "target", "loss",
            "optimizer", "epochs", "batch_size", "shuffle", "seed", "device", "precision", "checkpoint_every_steps",
            "loss_scaler", "lr_scheduler", "clip_grad_norm", "freeze", "validation", "early_stopping", "accumulate_grad_batches",
            "loss_options");

    /**
     * Reads and writes what the service stored itself (requests written by {@link #toJson}, losses written by
     * {@code JobStore}), never a client's body. It accepts bare {@code NaN} and {@code Infinity} because rows written
     * by earlier versions may hold them, and a record that cannot be read back fails its job.
     */
    static final JsonMapper STORED = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    /**
     * Reads client bodies: strict JSON, as inference requests and model specs are read, so {@code NaN} or
     * {@code Infinity} is refused as "not a JSON number" wherever it appears rather than parsed and judged by each
     * field's range check. {@link #checkStructure} bounds the depth first, so Jackson's own nesting limit (500) never
     * decides: {@code nabla.limits.max-json-depth} does.
     */
    private static final JsonMapper BODY = JsonMapper.builder(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(Integer.MAX_VALUE).build())
            .build()).build();

    /** Parses and checks a stored request (written by {@link #toJson}, so within every limit). */
    public static JobRequest parse(String body) {
        JsonNode root;
        try {
            root = STORED.readTree(body);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("the stored request: " + JsonErrorText.describe(e, -1));
        }
        return parse(root);
    }

    /**
     * Parses and checks a client's request body: nested at most {@code maxDepth} arrays and objects deep
     * ({@code nabla.limits.max-json-depth}, as for inference requests) and with no field twice, because a repeated
     * field would silently mean its last value, which is never what a client that sends two meant.
     */
    public static JobRequest parse(String body, int maxDepth) {
        checkStructure(body, maxDepth);
        JsonNode root;
        try {
            root = BODY.readTree(body);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("the request body: " + JsonErrorText.describe(e, maxDepth));
        }
        return parse(root);
    }

    /** Refuses nesting deeper than {@code maxDepth} and repeated fields, before any tree is built. */
    private static void checkStructure(String body, int maxDepth) {
        JsonParser p = BODY.createParser(body);
        try (p) {
            Deque<Set<String>> names = new ArrayDeque<>();
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                switch (t) {
                    case START_OBJECT, START_ARRAY -> {
                        int depth = p.streamReadContext().getNestingDepth();
                        if (depth > maxDepth) {
                            TokenStreamLocation at = p.currentTokenLocation();
                            throw new IllegalArgumentException("the request body: expected JSON nested at most "
                                    + maxDepth + " arrays and objects deep (nabla.limits.max-json-depth), got "
                                    + depth + " levels at line " + at.getLineNr() + ", column " + at.getColumnNr());
                        }
                        names.push(t == JsonToken.START_OBJECT ? new HashSet<>() : Set.of());
                    }
                    case END_OBJECT, END_ARRAY -> names.pop();
                    case PROPERTY_NAME -> {
                        if (!names.peek().add(p.currentName())) {
                            String where = location(p.streamReadContext());
                            throw new IllegalArgumentException("field '" + clip(p.currentName())
                                    + "' appears twice in " + (where.isEmpty() ? "the request body" : where));
                        }
                    }
                    default -> {
                    }
                }
            }
        } catch (JacksonException e) {
            throw new IllegalArgumentException("the request body: " + JsonErrorText.describe(e, maxDepth, p));
        }
    }

    /** Where the object or array {@code c} sits, as the API names fields: {@code optimizer}, {@code a.b[2]}. */
    private static String location(TokenStreamContext c) {
        TokenStreamContext parent = c.getParent();
        if (parent == null || parent.inRoot()) {
            return "";
        }
        String up = location(parent);
        if (parent.inArray()) {
            return up + "[" + parent.getCurrentIndex() + "]";
        }
        String name = clip(parent.currentName());
        return up.isEmpty() ? name : up + "." + name;
    }

    private static String clip(String s) {
        return s.length() > 64 ? s.substring(0, 64) + "..." : s;
    }

    /** Checks a parsed request body. */
    public static JobRequest parse(JsonNode root) {
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("the request body: expected a JSON object, got " + kind(root));
        }
        for (String name : root.propertyNames()) {
            if (!FIELDS.contains(name)) {
                throw new IllegalArgumentException(name + ": unknown field; expected one of "
                        + FIELDS.stream().sorted().toList());
            }
        }
        String model = string(root, "model", null);
        Integer version = version(root.get("version"));
        String dataset = string(root, "dataset", null);
        String input = string(root, "input", "input");
        String target = string(root, "target", "target");
        Loss loss = Loss.parse(string(root, "loss", null));
        JsonNode opt = root.get("optimizer");
        OptimizerSpec optimizer = optimizer(opt);
        int epochs = integer(root, "epochs", null, 1, MAX_EPOCHS);
        int batchSize = integer(root, "batch_size", null, 1, Integer.MAX_VALUE);
        boolean shuffle = bool(root, "shuffle");
        long seed = root.hasNonNull("seed") ? longValue(root, "seed") : 0;
        String device = string(root, "device", "auto");
        String precision = string(root, "precision", "fp32");
        boolean mixed = ModelSpec.lowPrecisionOf(precision) != null; // fp32, bf16 or fp16, else a 400
        JsonNode scaling = root.get("loss_scaler");
        if (!mixed && scaling != null && !scaling.isNull()) {
            throw new IllegalArgumentException("loss_scaler: only with precision \"bf16\" or \"fp16\" (fp32 "
                    + "training scales no loss), got precision \"" + precision + "\"");
        }
        LossScaler scaler = mixed ? LossScaler.parse(scaling) : null;
        int every = integer(root, "checkpoint_every_steps", 100, 1, Integer.MAX_VALUE);
        Validation validationSet = validation(root.get("validation"), input, target, batchSize);
        JsonNode sched = root.get("lr_scheduler");
        LrSchedulerSpec schedule = null;
        if (sched != null && !sched.isNull()) {
            schedule = LrSchedulerSpec.parse(sched, "lr_scheduler", optimizer);
            if (schedule.plateau() && validationSet == null) {
                throw new IllegalArgumentException("lr_scheduler: a ReduceLROnPlateau needs a validation dataset to "
                        + "watch; expected the field validation, got none");
            }
            if ("accuracy".equals(schedule.monitor()) && !CLASS_LOSSES.contains(loss)) {
                throw new IllegalArgumentException("lr_scheduler.monitor: \"accuracy\" needs a loss that compares "
                        + "with class indices (cross_entropy or nll); expected \"loss\"");
            }
        } else {
            sched = null;
        }
        return new JobRequest(model, version, dataset, input, target, loss, optimizer, opt, epochs, batchSize,
                shuffle, seed, device, precision, every, scaler, schedule, sched, clip(root.get("clip_grad_norm")),
                freeze(root.get("freeze")), validationSet, EarlyStopping.parse(root.get("early_stopping"),
                validationSet != null, CLASS_LOSSES.contains(loss)), integer(root, "accumulate_grad_batches", 1, 1, MAX_ACCUMULATE),
                LossOptions.parse(loss, root.get("loss_options")));
    }

    /** What a non-object body is, in the API's words (Jackson's node type names, such as MISSING, are not). */
    private static String kind(JsonNode root) {
        if (root == null || root.isMissingNode()) {
            return "an empty body";
        }
        if (root.isArray()) {
            return "an array";
        }
        if (root.isString()) {
            return "a string";
        }
        if (root.isNumber()) {
            return "the number " + clip(root.toString());
        }
        if (root.isBoolean()) {
            return root.toString();
        }
        return root.isNull() ? "null" : "another value";
    }

    /** This request with its version resolved. */
    public JobRequest withVersion(int v) {
        return new JobRequest(model, v, dataset, input, target, loss, optimizer, optimizerJson, epochs, batchSize,
                shuffle, seed, device, precision, checkpointEverySteps, lossScaler, lrScheduler, lrSchedulerJson,
                clipGradNorm, freeze, validation, earlyStopping, accumulateGradBatches, lossOptions);
    }

    /** The request as JSON with every field present (the form that is stored). */
    public String toJson() {
        ObjectNode n = STORED.createObjectNode();
        n.put("model", model);
        n.put("version", version == null ? null : version.toString());
        n.put("dataset", dataset);
        n.put("input", input);
        n.put("target", target);
        n.put("loss", loss.apiName());
        n.set("optimizer", optimizerJson);
        n.put("epochs", epochs);
        n.put("batch_size", batchSize);
        n.put("shuffle", shuffle);
        n.put("seed", seed);
        n.put("device", device);
        n.put("precision", precision);
        n.put("checkpoint_every_steps", checkpointEverySteps);
        if (lossScaler != null) {
            lossScaler.writeTo(n);
        }
        if (lrSchedulerJson != null) {
            n.set("lr_scheduler", lrSchedulerJson);
        }
        if (clipGradNorm != null) {
            ObjectNode c = n.putObject("clip_grad_norm");
            c.put("max_norm", clipGradNorm.maxNorm());
            if (clipGradNorm.normType() == Double.POSITIVE_INFINITY) {
                c.put("norm_type", "inf");
            } else {
                c.put("norm_type", clipGradNorm.normType());
            }
        }
        if (!freeze.isEmpty()) {
            freeze.forEach(n.putArray("freeze")::add);
        }
        if (validation != null && validation.split() > 0) {
            ObjectNode v = n.putObject("validation").put("split", validation.split())
                    .put("batch_size", validation.batchSize());
            if (validation.splitSeed() != null) {
                v.put("split_seed", validation.splitSeed());
            }
        } else if (validation != null) {
            n.putObject("validation").put("dataset", validation.dataset()).put("input", validation.input())
                    .put("target", validation.target()).put("batch_size", validation.batchSize());
        }
        if (earlyStopping != null) {
            earlyStopping.writeTo(n);
        }
        if (accumulateGradBatches != 1) {
            n.put("accumulate_grad_batches", accumulateGradBatches);
        }
        lossOptions.writeTo(n);
        return STORED.writeValueAsString(n);
    }

    /** The {@code clip_grad_norm} object: {@code max_norm} (positive, finite) and {@code norm_type} (default 2). */
    private static ClipGradNorm clip(JsonNode c) {
        if (c == null || c.isNull()) {
            return null;
        }
        if (!c.isObject()) {
            throw new IllegalArgumentException("clip_grad_norm: expected an object such as {\"max_norm\": 1.0}, got "
                    + clip(c.toString()));
        }
        for (String name : c.propertyNames()) {
            if (!name.equals("max_norm") && !name.equals("norm_type")) {
                throw new IllegalArgumentException("clip_grad_norm." + clip(name) + ": unknown field; expected one of "
                        + "[max_norm, norm_type]");
            }
        }
        JsonNode max = c.get("max_norm");
        if (max == null || max.isNull() || !max.isNumber() || !(JsonValues.toDouble(max) > 0)
                || Double.isInfinite(JsonValues.toDouble(max))) {
            throw new IllegalArgumentException("clip_grad_norm.max_norm: expected a positive finite number, got "
                    + (max == null ? "nothing" : clip(max.toString())));
        }
        JsonNode type = c.get("norm_type");
        double norm = 2.0;
        if (type != null && !type.isNull()) {
            if (type.isString() && type.stringValue().equals("inf")) {
                norm = Double.POSITIVE_INFINITY;
            } else if (type.isNumber() && JsonValues.toDouble(type) >= 0 && Double.isFinite(JsonValues.toDouble(type))) {
                norm = JsonValues.toDouble(type);
            } else {
                throw new IllegalArgumentException("clip_grad_norm.norm_type: expected a non-negative number or "
                        + "\"inf\", got " + clip(type.toString()));
            }
        }
        return new ClipGradNorm(JsonValues.toDouble(max), norm);
    }

    /** The {@code validation} object: a dataset id, and tensor names and a batch size defaulting to the job's. */
    private static Validation validation(JsonNode v, String input, String target, int batchSize) {
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isObject()) {
            throw new IllegalArgumentException("validation: expected an object such as {\"dataset\": \"<dataset id>\"}, "
                    + "got " + clip(v.toString()));
        }
        List<String> fields = List.of("dataset", "split", "split_seed", "input", "target", "batch_size");
        for (String name : v.propertyNames()) {
            if (!fields.contains(name)) {
                throw new IllegalArgumentException("validation." + clip(name) + ": unknown field; expected one of "
                        + fields);
            }
        }
        JsonNode split = v.get("split");
        boolean splits = split != null && !split.isNull();
        boolean own = v.hasNonNull("dataset");
        if (splits == own) {
            throw new IllegalArgumentException("validation: expected either dataset (a dataset of its own) or split "
                    + "(a fraction of the training dataset held out), got " + (own ? "both" : "neither"));
        }
        try {
            if (splits) {
                if (v.hasNonNull("input") || v.hasNonNull("target")) {
                    throw new IllegalArgumentException((v.hasNonNull("input") ? "input" : "target") + ": not with "
                            + "split, whose rows are the training dataset's (its input and target)");
                }
                double f = split.isNumber() ? JsonValues.toDouble(split) : Double.NaN;
                if (!(f > 0 && f < 1)) {
                    throw new IllegalArgumentException("split: expected a number between 0 and 1 (exclusive), got "
                            + clip(split.toString()));
                }
                JsonNode seed = v.get("split_seed");
                Long splitSeed = null;
                if (seed != null && !seed.isNull()) {
                    if (!seed.isIntegralNumber() || !seed.canConvertToLong()) {
                        throw new IllegalArgumentException("split_seed: expected a 64-bit integer, got "
                                + clip(seed.toString()));
                    }
                    splitSeed = seed.longValue();
                }
                return new Validation(null, input, target, integer(v, "batch_size", batchSize, 1, Integer.MAX_VALUE),
                        f, splitSeed);
            }
            if (v.hasNonNull("split_seed")) {
                throw new IllegalArgumentException("split_seed: only with split (it chooses the rows held out of the "
                        + "training dataset)");
            }
            return new Validation(string(v, "dataset", null), string(v, "input", input), string(v, "target", target),
                    integer(v, "batch_size", batchSize, 1, Integer.MAX_VALUE));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("validation." + e.getMessage(), e);
        }
    }

    /** The {@code freeze} list: distinct non-empty names (checked against the model on admission). */
    private static List<String> freeze(JsonNode f) {
        if (f == null || f.isNull()) {
            return List.of();
        }
        if (!f.isArray() || f.size() > MAX_FREEZE) {
            throw new IllegalArgumentException("freeze: expected a list of at most " + MAX_FREEZE + " parameter or "
                    + "module names, got " + clip(f.toString()));
        }
        List<String> out = new java.util.ArrayList<>();
        for (int i = 0; i < f.size(); i++) {
            JsonNode e = f.get(i);
            if (!e.isString() || e.stringValue().isEmpty() || e.stringValue().length() > 1024) {
                throw new IllegalArgumentException("freeze[" + i + "]: expected the name of a parameter or module, "
                        + "such as \"0.weight\" or \"0\", got " + clip(e.toString()));
            }
            if (out.contains(e.stringValue())) {
                throw new IllegalArgumentException("freeze[" + i + "]: \"" + clip(e.stringValue())
                        + "\" is listed twice");
            }
            out.add(e.stringValue());
        }
        return out;
    }

    /** The optimizer object: its type and fields first ({@link OptimizerSpec#parse}), then a positive finite lr. */
    private static OptimizerSpec optimizer(JsonNode opt) {
        OptimizerSpec spec = OptimizerSpec.parse(opt, "optimizer");
        JsonNode lr = opt.get("lr");
        if (lr != null && !lr.isNull()
                && (!lr.isNumber() || !(JsonValues.toDouble(lr) > 0) || Double.isInfinite(JsonValues.toDouble(lr)))) {
            throw new IllegalArgumentException("optimizer.lr: expected a positive finite number, got " + lr);
        }
        return spec;
    }

    private static String string(JsonNode root, String name, String defaultValue) {
        JsonNode v = root.get(name);
        if (v == null || v.isNull()) {
            if (defaultValue == null) {
                throw new IllegalArgumentException(name + ": required; expected a string, got nothing");
            }
            return defaultValue;
        }
        if (!v.isString() || v.stringValue().isEmpty()) {
            throw new IllegalArgumentException(name + ": expected a non-empty string, got " + v);
        }
        return v.stringValue();
    }

    private static Integer version(JsonNode v) {
        if (v == null || v.isNull()) {
            return null;
        }
        String text = v.isString() ? v.stringValue() : v.isIntegralNumber() ? v.toString() : null;
        if (text == null || !text.matches("[1-9][0-9]{0,8}")) {
            throw new IllegalArgumentException("version: expected a version number such as \"1\", got " + v);
        }
        return Integer.parseInt(text);
    }

    private static int integer(JsonNode root, String name, Integer defaultValue, int min, int max) {
        JsonNode v = root.get(name);
        if (v == null || v.isNull()) {
            if (defaultValue == null) {
                throw new IllegalArgumentException(name + ": required; expected an integer in [" + min + ", " + max
                        + "], got nothing");
            }
            return defaultValue;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < min || v.longValue() > max) {
            throw new IllegalArgumentException(name + ": expected an integer in [" + min + ", " + max + "], got "
                    + v);
        }
        return v.intValue();
    }

    private static long longValue(JsonNode root, String name) {
        JsonNode v = root.get(name);
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new IllegalArgumentException(name + ": expected a 64-bit integer, got " + v);
        }
        return v.longValue();
    }

    private static boolean bool(JsonNode root, String name) {
        JsonNode v = root.get(name);
        if (v == null || v.isNull()) {
            return false;
        }
        if (!v.isBoolean()) {
            throw new IllegalArgumentException(name + ": expected true or false, got " + v);
        }
        return v.booleanValue();
    }

    /** The losses that compare the output with int64 class indices. */
    static final List<Loss> CLASS_LOSSES = List.of(Loss.CROSS_ENTROPY, Loss.NLL);
}
