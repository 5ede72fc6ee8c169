package io.nabla.inference;

import io.nabla.autograd.Autocast;
import io.nabla.backend.DType;
import io.nabla.backend.Device;
import io.nabla.model.ModelBuilder;
import io.nabla.model.ModelSpec;
import io.nabla.model.ParameterBudget;
import io.nabla.model.SafetensorsFile;
import io.nabla.model.SafetensorsWriter;
import io.nabla.model.TensorSpec;
import io.nabla.nn.Generator;
import io.nabla.nn.Sequential;
import io.nabla.tensor.Shape;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.springframework.stereotype.Component;

/**
 * Models as the API's model spec describes them: a {@link Sequential} stack of {@code torch.nn} layers built by
 * {@link ModelBuilder}, with weights in safetensors files named as PyTorch's {@code state_dict()} names them.
 * Nothing but safetensors is ever read, and nothing executable is loaded.
 */
@Component
public final class SequentialModelLoader implements ModelLoader {

    private static ModelSpec spec(byte[] json) {
        return ModelSpec.parse(json);
    }

    @Override
    public ModelSignature signature(byte[] specJson) {
        ModelSpec spec = spec(specJson);
        return new ModelSignature(signatures(spec.inputs()), signatures(spec.outputs()));
    }

    /** In int8 every quantizable Linear weight is quantized at load: a NaN or an infinity there has no INT8 value. */
    private static void checkQuantizable(SafetensorsFile file, io.nabla.nn.Sequential model) {
        for (String linear : model.quantizableLinears().keySet()) {
            String name = linear + ".weight";
            try (TensorScope read = TensorScope.open()) {
                Tensor w = file.tensor(name).dataAs(io.nabla.backend.DType.FP32); // as the model holds it
                double abs = w.backend().optimizer().sumAbsPow(w.dtype(), w.memory(), w.layout(), 1.0);
                if (!Double.isFinite(abs)) { // a sum of float magnitudes in double overflows only on inf/NaN
                    throw new IllegalArgumentException("weights: '" + name + "' holds a NaN or an infinity, "
                            + "which precision \"int8\" cannot quantize");
                }
            }
        }
    }

    private static List<TensorSignature> signatures(List<TensorSpec> specs) {
        List<TensorSignature> out = new ArrayList<>();
        for (TensorSpec t : specs) {
            out.add(new TensorSignature(t.name(), t.datatype(), t.shape(), t.labels()));
        }
        return out;
    }

    /** Builds the spec's model in a scope of its own (checking that the layers fit) and frees it again. */
    @Override
    public void checkWeights(byte[] specJson, Path weights) {
        ModelSpec spec = spec(specJson);
        try (TensorScope scope = TensorScope.open(); SafetensorsFile file = open(weights)) {
            io.nabla.nn.Sequential built = ModelBuilder.build(spec);
            Map<String, Tensor> expected = built.stateDict();
            List<String> problems = new ArrayList<>();
            List<String> missing = new ArrayList<>();
            for (Map.Entry<String, Tensor> e : expected.entrySet()) {
                if (!file.contains(e.getKey())) {
                    missing.add(e.getKey());
                } else if (!Arrays.equals(file.shape(e.getKey()), e.getValue().shape())) {
                    problems.add("'" + e.getKey() + "' has shape " + Shape.format(file.shape(e.getKey()))
                            + ", the model needs " + Shape.format(e.getValue().shape()));
                }
            }
            TreeSet<String> extra = new TreeSet<>(file.names());
            extra.removeAll(expected.keySet());
            if (!missing.isEmpty()) {
                problems.add(0, "missing tensors " + missing);
            }
            if (!extra.isEmpty()) {
                problems.add("unexpected tensors " + extra + " (the model has " + expected.keySet() + ")");
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("weights do not fit the spec: " + String.join("; ", problems));
            }
            if (spec.int8()) {
                checkQuantizable(file, built);
            }
        }
    }

    @Override
    public void writeInitialWeights(byte[] specJson, Path target) {
        ModelSpec spec = spec(specJson);
        try (TensorScope scope = TensorScope.open()) {
            SafetensorsWriter.write(ModelBuilder.build(spec).stateDict(), Map.of("format", "pt"), target);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write initial weights to " + target + ": " + e.getMessage(), e);
        }
    }

    @Override
    public ModelProgram build(byte[] specJson, Path weights) {
        return build(specJson, weights, Device.CPU);
    }

    @Override
    public String device(byte[] specJson) {
        ModelSpec spec = spec(specJson);
        return spec.int8() ? "cpu" : spec.device(); // INT8 layers run on the CPU, where "auto" would prefer a GPU
    }

    /**
     * Parameters and buffers (4-byte elements), plus a batch of {@code batchRows} rows of the input and the output
     * four times over (the batch, the layers' activations, the output and its copy), in 4-byte elements; in
     * {@code bf16}/{@code fp16} half as many again for the parameters (while loading, the FP32 weights and their 2-byte
     * copies are both held).
     */
    @Override
    public long deviceBytes(byte[] specJson, int batchRows) {
        ModelSpec spec = spec(specJson);
        long rows = row(spec.inputs().get(0)) + row(spec.outputs().get(0));
        long params = ParameterBudget.elements(spec);
        long bytes = Math.multiplyExact(4L, Math.addExact(params,
                Math.multiplyExact(Math.multiplyExact(rows, Math.max(1, batchRows)), 4L)));
        return spec.lowPrecision() == null ? bytes : Math.addExact(bytes, Math.multiplyExact(2L, params));
    }

    private static long row(TensorSpec t) {
        long n = 1;
        for (int d = 1; d < t.shape().length; d++) {
            n = Math.multiplyExact(n, Math.max(1, t.shape()[d]));
        }
        return n;
    }

    /** The model on {@code device} (built on the host as PyTorch initialises it, then moved and loaded there). */
    @Override
    public ModelProgram build(byte[] specJson, Path weights, Device device) {
        ModelSpec spec = spec(specJson);
        Sequential model = ModelBuilder.build(spec, new Generator(spec.seed()), ParameterBudget.DEFAULT_MAX_ELEMENTS,
                device);
        try (TensorScope loading = TensorScope.open(); SafetensorsFile file = open(weights)) {
            model.loadStateDict(file.tensors(), true);
        }
        model.eval();
        if (spec.lowPrecision() != null) {
            model.castMatrixWeights(spec.lowPrecision()); // what each forward pass would cast them to, kept once
        }
        if (spec.int8()) {
            if (!device.isCpu()) {
                throw new IllegalArgumentException("precision: \"int8\" runs on the CPU only, not on " + device);
            }
            model = model.quantizeDynamic(); // the FP32 weights of its Linear layers are freed
        }
        String input = spec.inputs().get(0).name();
        String output = spec.outputs().get(0).name();
        DType low = spec.lowPrecision();
        DType declared = spec.outputs().get(0).datatype();
        Sequential net = model;
        java.util.function.Function<Tensor, Tensor> run;
        if (low != null) {
            run = x -> {
                try (Autocast.Region amp = Autocast.enable(low)) {
                    return declared(net.forward(x), declared);
                }
            };
        } else if (spec.int8()) {
            run = x -> declared(net.forward(x), declared); // QuantizedLinear answers in FP32
        } else {
            run = net::forward;
        }
        java.util.function.Function<Tensor, Tensor> forward = x -> {
            try {
                return run.apply(x);
            } catch (IllegalArgumentException e) {
                // the shapes and dtypes were checked against the spec: what the layers refuse is the values sent
                throw new IllegalArgumentException("input \"" + input + "\": " + e.getMessage(), e);
            }
        };
        boolean rows = net.rowsIndependent(spec.inputs().get(0).shape());
        if (device.isCpu()) {
            return ModelProgram.of(inputs -> Map.of(output, forward.apply(inputs.get(input))), rows);
        }
        return ModelProgram.of(inputs -> Map.of(output, forward.apply(inputs.get(input).toDevice(device))
                .toDevice(Device.CPU)), rows);
    }

    /** A floating answer in the output's declared floating datatype. */
    private static Tensor declared(Tensor y, DType declared) {
        return y.dtype().isFloatingPoint() && declared.isFloatingPoint() ? y.dataAs(declared) : y;
    }

    private static SafetensorsFile open(Path weights) {
        try {
            return SafetensorsFile.open(weights);
        } catch (IOException e) {
            // the message reaches clients (a load failure): it names the file, not the store's absolute path
            throw new UncheckedIOException("cannot read the stored weights file " + weights.getFileName() + " ("
                    + e.getClass().getSimpleName() + ")", e);
        }
    }
}
