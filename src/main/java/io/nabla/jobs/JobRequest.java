package io.nabla.jobs;

import io.nabla.nn.Loss;
import io.nabla.optim.OptimizerSpec;
import java.util.List;
import java.util.Set;
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
 * @param precision {@code fp32} (mixed precision is refused for now)
 * @param checkpointEverySteps how often a checkpoint is written (and at the end)
 */
public record JobRequest(String model, Integer version, String dataset, String input, String target, Loss loss,
        OptimizerSpec optimizer, JsonNode optimizerJson, int epochs, int batchSize, boolean shuffle, long seed,
        String device, String precision, int checkpointEverySteps) {

    /** The most epochs a job may ask for. */
    public static final int MAX_EPOCHS = 100_000;

    private static final Set<String> FIELDS = Set.of("model", "version", "dataset", "input", "target", "loss",
            "optimizer", "epochs", "batch_size", "shuffle", "seed", "device", "precision", "checkpoint_every_steps");

    /** Reads JSON as jobs do: {@code NaN} and {@code Infinity} parse (so they are refused by name, not as syntax). */
    static final JsonMapper JSON = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    /** Parses and checks a request body. */
    public static JobRequest parse(String body) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (tools.jackson.core.JacksonException e) {
            throw new IllegalArgumentException("the request body is not valid JSON: " + e.getOriginalMessage());
        }
        return parse(root);
    }

    /** Checks a parsed request body. */
    public static JobRequest parse(JsonNode root) {
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("the request body: expected a JSON object, got "
                    + (root == null ? "nothing" : root.getNodeType()));
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
        long seed = root.has("seed") ? longValue(root, "seed") : 0;
        String device = string(root, "device", "auto");
        String precision = string(root, "precision", "fp32");
        JobDevices.checkPrecision(precision);
        int every = integer(root, "checkpoint_every_steps", 100, 1, Integer.MAX_VALUE);
        return new JobRequest(model, version, dataset, input, target, loss, optimizer, opt, epochs, batchSize,
                shuffle, seed, device, precision, every);
    }

    /** This request with its version resolved. */
    public JobRequest withVersion(int v) {
        return new JobRequest(model, v, dataset, input, target, loss, optimizer, optimizerJson, epochs, batchSize,
                shuffle, seed, device, precision, checkpointEverySteps);
    }

    /** The request as JSON with every field present (the form that is stored). */
    public String toJson() {
        ObjectNode n = JSON.createObjectNode();
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
        return JSON.writeValueAsString(n);
    }

    private static OptimizerSpec optimizer(JsonNode opt) {
        if (opt != null && opt.isObject()) {
            JsonNode lr = opt.get("lr");
            if (lr == null || lr.isNull()) {
                throw new IllegalArgumentException("optimizer.lr: required; expected a positive number, got nothing");
            }
            if (!lr.isNumber() || !(lr.doubleValue() > 0) || Double.isInfinite(lr.doubleValue())) {
                throw new IllegalArgumentException("optimizer.lr: expected a positive finite number, got " + lr);
            }
        }
        return OptimizerSpec.parse(opt, "optimizer");
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
