package io.nabla.inference;

import io.nabla.backend.DType;
import io.nabla.backend.ElementAccess;
import io.nabla.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A test double for the model layer: the spec's inputs and outputs are read as the real spec declares them; the
 * model multiplies its single input by a scale (output = input * scale, in the output's datatype). The "weights" file
 * is text: {@code scale=<number>}, optionally {@code ;slow=<ms>} (loading takes that long), {@code ;busy=<ms>} (each
 * forward pass takes that long), {@code ;refuse-negative} (a forward pass over a negative value throws the
 * IllegalArgumentException a model's own check of its input values would, as an embedding's index check) or
 * {@code ;fail} (loading fails). Loading allocates a 1 MiB block besides the scale, so memory counters see it.
 */
public final class ScaleModelLoader implements ModelLoader {

    public static final long PARAMETER_BYTES = 1 << 20;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Override
    public ModelSignature signature(byte[] specJson) {
        JsonNode root;
        try {
            root = JSON.readTree(specJson);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("model spec: expected a JSON object, got invalid JSON");
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("model spec: expected a JSON object");
        }
        return new ModelSignature(tensors(root.get("inputs"), "inputs"), tensors(root.get("outputs"), "outputs"));
    }

    private static List<TensorSignature> tensors(JsonNode node, String path) {
        if (node == null || !node.isArray() || node.size() != 1) {
            throw new IllegalArgumentException(path + ": expected a list of exactly 1 tensor");
        }
        List<TensorSignature> out = new ArrayList<>();
        for (JsonNode t : node) {
            int[] shape = new int[t.get("shape").size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = t.get("shape").get(i).intValue();
            }
            out.add(new TensorSignature(t.get("name").stringValue(),
                    DType.fromInferenceName(t.get("datatype").stringValue()), shape));
        }
        return out;
    }

    /** The spec's {@code device} field, as the real loader reads it (null when absent). */
    @Override
    public String device(byte[] specJson) {
        JsonNode d = JSON.readTree(specJson).get("device");
        return d == null || d.isNull() ? null : d.stringValue();
    }

    @Override
    public void checkWeights(byte[] specJson, Path weights) {
        String text = read(weights);
        if (!text.startsWith("scale=")) {
            throw new IllegalArgumentException("weights: not a scale file (expected 'scale=<number>'), got '"
                    + text.substring(0, Math.min(20, text.length())) + "'");
        }
        scale(text);
    }

    @Override
    public void writeInitialWeights(byte[] specJson, Path target) {
        try {
            Files.writeString(target, "scale=1");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public ModelProgram build(byte[] specJson, Path weights) {
        ModelSignature sig = signature(specJson);
        String text = read(weights);
        long busy = 0;
        boolean refuseNegative = false;
        for (String part : text.split(";")) {
            refuseNegative |= part.equals("refuse-negative");
            if (part.startsWith("busy=")) {
                busy = Long.parseLong(part.substring(5));
            }
            if (part.startsWith("slow=")) {
                sleep(Long.parseLong(part.substring(5)));
            }
            if (part.equals("fail")) {
                throw new IllegalStateException("weights file is corrupted (test)");
            }
        }
        if (!text.startsWith("scale=")) {
            throw new IllegalStateException("weights file is corrupted: '" + text + "'");
        }
        Tensor parameter = Tensor.zeros(DType.UINT8, (int) PARAMETER_BYTES);
        Tensor scale = Tensor.scalar(scale(text), DType.FP64);
        TensorSignature in = sig.inputs().get(0);
        TensorSignature out = sig.outputs().get(0);
        long busyMillis = busy;
        boolean refuse = refuseNegative;
        return inputs -> {
            parameter.numel();
            sleep(busyMillis);
            Tensor x = inputs.get(in.name());
            Tensor y = Tensor.empty(out.datatype(), x.shape());
            ByteBuffer src = x.memory().hostBuffer();
            ByteBuffer dst = y.memory().hostBuffer();
            double s = scale.item();
            for (long i = 0; i < x.numel(); i++) {
                if (refuse && ElementAccess.getDouble(src, x.dtype(), i) < 0) {
                    throw new IllegalArgumentException("index " + ElementAccess.getDouble(src, x.dtype(), i)
                            + " is out of range (test)");
                }
                ElementAccess.putDouble(dst, out.datatype(), i, ElementAccess.getDouble(src, x.dtype(), i) * s);
            }
            return Map.of(out.name(), y);
        };
    }

    private static double scale(String text) {
        String v = text.substring("scale=".length()).split(";")[0];
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("weights: scale must be a number, got '" + v + "'");
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.ISO_8859_1).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
