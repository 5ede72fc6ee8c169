package io.nabla.model;

import io.nabla.backend.DType;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * A model as the API describes it (section 2, "Model spec"): named inputs and outputs, a sequential stack of
 * {@code torch.nn} layers with PyTorch's argument names and defaults, and the seed of the default initialisation.
 * {@link #parse} checks every field and names the first bad one by its path, with what was expected and what was
 * found ({@code layers[2].in_features: expected a positive integer, got -3}); whether the layers fit together is
 * checked when the model is built ({@link ModelBuilder}). The optional {@code device} ({@code auto}, {@code cpu},
 * {@code cuda} or {@code cuda:N}) says where the service loads the model; null when the spec leaves it to the server.
 * The optional {@code precision} ({@code fp32}, the default, {@code bf16}, {@code fp16} or {@code int8}) is the
 * precision the service runs inference in: in {@code bf16}/{@code fp16} each forward pass runs under
 * {@link io.nabla.autograd.Autocast} (the loaded model keeps its matrix weights in that dtype); in {@code int8}
 * every {@code Linear} is dynamically quantized ({@link io.nabla.nn.QuantizedLinear}), on the CPU only; the output
 * is returned in its declared datatype.
 * An optional field given as JSON {@code null} ({@code "device": null}, {@code "seed": null}) means its default, as
 * it does in a job request, so a client that serialises absent values as null is answered the same by both.
 */
public record ModelSpec(List<TensorSpec> inputs, List<TensorSpec> outputs, List<LayerSpec> layers, long seed,
        String device, String precision) {

    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final Set<String> FIELDS = Set.of("inputs", "outputs", "layers", "seed", "device", "precision");
    private static final String PRECISIONS = "expected \"fp32\", \"bf16\" or \"fp16\"";
    private static final String SPEC_PRECISIONS = "expected \"fp32\", \"bf16\", \"fp16\" or \"int8\"";
    /** The inference-only precision: Linear layers with INT8 weights, on the CPU. */
    public static final String INT8 = "int8";
    private static final java.util.regex.Pattern DEVICE =
            java.util.regex.Pattern.compile("auto|cpu|cuda|cuda:[0-9]{1,3}");

    public ModelSpec {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        layers = List.copyOf(layers);
        if (device != null && !DEVICE.matcher(device).matches()) {
            throw new IllegalArgumentException("device: expected \"auto\", \"cpu\", \"cuda\" or \"cuda:N\", got \""
                    + device + "\"");
        }
        if (precision == null) {
            precision = "fp32";
        }
        if (precision.equals(INT8)) {
            if (device != null && device.startsWith("cuda")) {
                throw new IllegalArgumentException("precision: \"int8\" runs on the CPU only, but device is \""
                        + device + "\" (use \"cpu\" or \"auto\", or another precision)");
            }
        } else if (!precision.equals("fp32") && !precision.equals("bf16") && !precision.equals("fp16")) {
            throw new IllegalArgumentException("precision: " + SPEC_PRECISIONS + ", got \"" + precision + "\"");
        }
    }

    /** A spec in FP32 with the given device (null: the server's). */
    public ModelSpec(List<TensorSpec> inputs, List<TensorSpec> outputs, List<LayerSpec> layers, long seed,
            String device) {
        this(inputs, outputs, layers, seed, device, null);
    }

    /** A spec without a device of its own, in FP32. */
    public ModelSpec(List<TensorSpec> inputs, List<TensorSpec> outputs, List<LayerSpec> layers, long seed) {
        this(inputs, outputs, layers, seed, null, null);
    }

    /** The dtype inference autocasts to ({@code BF16} or {@code FP16}), or null in FP32 and INT8. */
    public DType lowPrecision() {
        return int8() ? null : lowPrecisionOf(precision);
    }

    /** Whether inference runs with INT8 Linear layers (precision {@code int8}). */
    public boolean int8() {
        return INT8.equals(precision);
    }

    /**
     * The dtype a {@code precision} (a spec's or a job request's) autocasts to: null for {@code fp32}, BF16 or FP16;
     * anything else is an error naming the field.
     */
    public static DType lowPrecisionOf(String precision) {
        return switch (precision) {
            case "fp32" -> null;
            case "bf16" -> DType.BF16;
            case "fp16" -> DType.FP16;
            case INT8 -> throw new IllegalArgumentException("precision: \"int8\" is for inference only (a model "
                    + "spec's precision); training " + PRECISIONS.replace("expected", "expects"));
            default -> throw new IllegalArgumentException("precision: " + PRECISIONS + ", got \"" + precision + "\"");
        };
    }

    /**
     * Parses and checks a spec given as the bytes a client uploaded. The spec must be UTF-8 JSON without a
     * byte-order mark (RFC 8259 section 8.1): the stored bytes are served back unchanged by {@code GET .../spec} and
     * read again as UTF-8 by every later load and job, so a spec in another encoding, or one that only a
     * BOM-skipping reader accepts, is refused here, at upload, with a message that says so, rather than stored.
     */
    public static ModelSpec parse(byte[] json) {
        return parse(Utf8Json.decode(json, "model spec"));
    }

    /** Parses and checks a spec given as JSON text. */
    public static ModelSpec parse(String json) {
        Objects.requireNonNull(json, "json");
        if (json.startsWith("\ufeff")) {
            throw new IllegalArgumentException("model spec: expected UTF-8 JSON without a byte-order mark, got a"
                    + " byte-order mark (U+FEFF) at the start");
        }
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("model spec: expected a JSON object, got invalid JSON"
                    + JsonErrorText.detail(e, -1));
        }
        return parse(root);
    }

    /** Parses and checks a spec given as a JSON tree. */
    public static ModelSpec parse(JsonNode root) {
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("model spec: expected a JSON object, got " + describe(root));
        }
        for (String name : root.propertyNames()) {
            if (!FIELDS.contains(name)) {
                throw new IllegalArgumentException(name + ": unknown field of a model spec; expected one of "
                        + "[inputs, outputs, layers, seed, device, precision]");
            }
        }
        List<TensorSpec> inputs = tensors(root.get("inputs"), "inputs");
        List<TensorSpec> outputs = tensors(root.get("outputs"), "outputs");
        List<LayerSpec> layers = layers(root.get("layers"));
        long seed = 0;
        JsonNode s = root.get("seed");
        if (s != null && !s.isNull()) {
            if (!s.isIntegralNumber() || !s.canConvertToLong()) {
                throw new IllegalArgumentException("seed: expected an integer, got " + describe(s));
            }
            seed = s.longValue();
        }
        String device = null;
        JsonNode d = root.get("device");
        if (d != null && !d.isNull()) {
            if (!d.isString()) {
                throw new IllegalArgumentException("device: expected \"auto\", \"cpu\", \"cuda\" or \"cuda:N\", got "
                        + describe(d));
            }
            device = d.stringValue();
        }
        String precision = null;
        JsonNode pr = root.get("precision");
        if (pr != null && !pr.isNull()) {
            if (!pr.isString()) {
                throw new IllegalArgumentException("precision: " + SPEC_PRECISIONS + ", got " + describe(pr));
            }
            precision = pr.stringValue();
        }
        return new ModelSpec(inputs, outputs, layers, seed, device, precision);
    }

    private static List<TensorSpec> tensors(JsonNode node, String path) {
        if (node == null || !node.isArray() || node.size() != 1) {
            throw new IllegalArgumentException(path + ": expected a list of exactly 1 tensor (a sequential stack "
                    + "has one " + path.substring(0, path.length() - 1) + "), got " + describe(node));
        }
        List<TensorSpec> out = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            out.add(tensor(node.get(i), path + "[" + i + "]"));
        }
        return out;
    }

    private static TensorSpec tensor(JsonNode t, String path) {
        if (!t.isObject()) {
            throw new IllegalArgumentException(path + ": expected an object with name, datatype and shape, got "
                    + describe(t));
        }
        boolean output = path.startsWith("outputs");
        for (String name : t.propertyNames()) {
            if (!Set.of("name", "datatype", "shape").contains(name) && !(output && name.equals("labels"))) {
                throw new IllegalArgumentException(path + "." + name + ": unknown field; expected one of "
                        + (output ? "[name, datatype, shape, labels]" : "[name, datatype, shape]"));
            }
        }
        JsonNode name = t.get("name");
        if (name == null || !name.isString() || name.stringValue().isEmpty()) {
            throw new IllegalArgumentException(path + ".name: expected a non-empty string, got " + describe(name));
        }
        if (name.stringValue().length() > SafetensorsLimits.MAX_TENSOR_NAME_LENGTH) {
            // the same limit as a tensor name in safetensors: requests name inputs and outputs, and errors quote them
            throw new IllegalArgumentException(path + ".name: expected at most "
                    + SafetensorsLimits.MAX_TENSOR_NAME_LENGTH + " characters, got " + name.stringValue().length());
        }
        JsonNode dt = t.get("datatype");
        DType dtype = dt != null && dt.isString() ? datatype(dt.stringValue()) : null;
        if (dtype == null) {
            throw new IllegalArgumentException(path + ".datatype: expected one of " + datatypes() + ", got "
                    + describe(dt));
        }
        JsonNode shape = t.get("shape");
        if (shape == null || !shape.isArray()) {
            throw new IllegalArgumentException(path + ".shape: expected a list of sizes (-1 for a variable size), "
                    + "got " + describe(shape));
        }
        if (shape.size() > TensorSpec.MAX_RANK) {
            throw new IllegalArgumentException(path + ".shape: expected at most " + TensorSpec.MAX_RANK
                    + " dimensions (the most an inference request may have), got " + shape.size());
        }
        int[] dims = new int[shape.size()];
        for (int i = 0; i < dims.length; i++) {
            JsonNode d = shape.get(i);
            if (!d.isIntegralNumber() || !d.canConvertToInt() || (d.intValue() < 1 && d.intValue() != -1)) {
                throw new IllegalArgumentException(path + ".shape[" + i + "]: expected a positive integer or -1, "
                        + "got " + describe(d));
            }
            dims[i] = d.intValue();
        }
        return new TensorSpec(name.stringValue(), dtype, dims, labels(t.get("labels"), dims, path));
    }

    /**
     * An output's {@code labels} (an extension): the name of each class, one per entry of its last dimension, which
     * must be fixed; the output has shape (classes) or (rows, classes), as the classification extension needs.
     */
    private static List<String> labels(JsonNode v, int[] dims, String path) {
        if (v == null || v.isNull()) {
            return List.of();
        }
        if (!v.isArray() || v.isEmpty() || v.size() > TensorSpec.MAX_LABELS) {
            throw new IllegalArgumentException(path + ".labels: expected a list of 1 to " + TensorSpec.MAX_LABELS
                    + " class names, got " + describe(v));
        }
        if (dims.length < 1 || dims.length > 2 || dims[dims.length - 1] != v.size()) {
            throw new IllegalArgumentException(path + ".labels: expected one label per class of an output of shape "
                    + "(classes) or (rows, classes) with a fixed number of classes, got " + v.size() + " labels for "
                    + "shape " + java.util.Arrays.toString(dims));
        }
        List<String> out = new ArrayList<>(v.size());
        for (int i = 0; i < v.size(); i++) {
            JsonNode e = v.get(i);
            if (!e.isString() || e.stringValue().length() > TensorSpec.MAX_LABEL_LENGTH) {
                throw new IllegalArgumentException(path + ".labels[" + i + "]: expected a string of at most "
                        + TensorSpec.MAX_LABEL_LENGTH + " characters, got " + describe(e));
            }
            out.add(e.stringValue());
        }
        return out;
    }

    private static DType datatype(String name) {
        for (DType d : DType.values()) {
            if (d.inferenceName().equals(name)) {
                return d;
            }
        }
        return null;
    }

    private static List<String> datatypes() {
        List<String> out = new ArrayList<>();
        for (DType d : DType.values()) {
            out.add(d.inferenceName());
        }
        return out;
    }

    private static List<LayerSpec> layers(JsonNode node) {
        if (node == null || !node.isArray() || node.isEmpty()) {
            throw new IllegalArgumentException("layers: expected a non-empty list of layers, got " + describe(node));
        }
        List<LayerSpec> out = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            String path = "layers[" + i + "]";
            JsonNode layer = node.get(i);
            if (!layer.isObject()) {
                throw new IllegalArgumentException(path + ": expected an object with a \"type\", got "
                        + describe(layer));
            }
            JsonNode type = layer.get("type");
            if (type == null || !type.isString()) {
                throw new IllegalArgumentException(path + ".type: expected one of " + LayerCatalog.types()
                        + ", got " + describe(type));
            }
            out.add(new LayerSpec(type.stringValue(), LayerCatalog.normalize(type.stringValue(), layer, path)));
        }
        return out;
    }

    /** A short rendering of a JSON value for error messages ({@code missing} when absent). */
    static String describe(JsonNode v) {
        if (v == null || v.isMissingNode()) {
            return "nothing (the field is missing)";
        }
        String s = v.toString();
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }
}
