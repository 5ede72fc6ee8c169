package io.nabla.inference;

import static org.assertj.core.api.Assertions.assertThat;

import io.nabla.autograd.Autocast;
import io.nabla.autograd.GradMode;
import io.nabla.backend.DType;
import io.nabla.model.ModelBuilder;
import io.nabla.model.ModelSpec;
import io.nabla.model.SafetensorsWriter;
import io.nabla.nn.Sequential;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model loaded for bf16/fp16 inference keeps its Linear and Conv weights in that dtype once (what autocast would
 * cast them to at every forward pass): it holds about half the bytes of the FP32 model and answers exactly as the
 * FP32 weights under autocast do; norms keep their FP32 parameters.
 */
class InferencePrecisionTest {

    @TempDir
    Path dir;

    private static String spec(String precision) {
        return "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [-1, 64]}], "
                + "\"outputs\": [{\"name\": \"y\", \"datatype\": \"FP32\", \"shape\": [-1, 8]}], \"layers\": ["
                + "{\"type\": \"Linear\", \"in_features\": 64, \"out_features\": 256}, {\"type\": \"LayerNorm\", "
                + "\"normalized_shape\": 256}, {\"type\": \"GELU\"}, {\"type\": \"Linear\", \"in_features\": 256, "
                + "\"out_features\": 8}], \"seed\": 9, \"precision\": \"" + precision + "\"}";
    }

    /** The FP32 model's initial weights, written to a file. */
    private Path weights() throws java.io.IOException {
        Path weights = dir.resolve("w.safetensors");
        try (TensorScope s = TensorScope.open()) {
            SafetensorsWriter.write(ModelBuilder.build(ModelSpec.parse(spec("fp32"))).stateDict(), weights);
        }
        return weights;
    }

    /** Three input rows. */
    private static float[] inputs() {
        float[] xs = new float[64 * 3];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = (float) Math.sin(i * 0.7) * 2;
        }
        return xs;
    }

    /** The FP32 model with {@code weights}, in evaluation mode, in the current scope. */
    private static Sequential fp32Model(Path weights) throws java.io.IOException {
        Sequential m = ModelBuilder.build(ModelSpec.parse(spec("fp32")));
        try (TensorScope w = TensorScope.open(); io.nabla.model.SafetensorsFile f =
                io.nabla.model.SafetensorsFile.open(weights)) {
            m.loadStateDict(f.tensors(), true);
        }
        m.eval();
        return m;
    }

    @Test
    void lowPrecisionModelsHoldHalfTheWeightBytesAndAnswerAsAutocastDoes() throws Exception {
        Path weights = weights();
        float[] xs = inputs();
        SequentialModelLoader loader = new SequentialModelLoader();
        long fp32Bytes;
        double[] fp32Autocast;
        try (TensorScope model = TensorScope.open(); GradMode.Region g = GradMode.disable()) {
            loader.build(spec("fp32").getBytes(StandardCharsets.UTF_8), weights);
            fp32Bytes = model.bytes();
            Sequential m = fp32Model(weights);
            try (Autocast.Region a = Autocast.enable(DType.BF16)) {
                fp32Autocast = m.forward(Tensor.of(xs, 3, 64)).dataAs(DType.FP32).toDoubleArray();
            }
        }
        try (TensorScope model = TensorScope.open(); GradMode.Region g = GradMode.disable()) {
            ModelProgram p = loader.build(spec("bf16").getBytes(StandardCharsets.UTF_8), weights);
            long bytes = model.bytes();
            // Linear weights and biases: (64 * 256 + 256 + 256 * 8 + 8) of the 19,208 + 512 parameters
            assertThat(bytes).as("bytes held in bf16 against %d in fp32", fp32Bytes)
                    .isLessThan(fp32Bytes * 11 / 20);
            Tensor y = p.forward(Map.of("x", Tensor.of(xs, 3, 64))).get("y");
            assertThat(y.dtype()).isEqualTo(DType.FP32);
            assertThat(y.toDoubleArray()).containsExactly(fp32Autocast);
        }
    }

    /**
     * For every layer type of the built-model fixtures (init/forward_*.json), weights cast once to BF16 answer exactly
     * as FP32 weights under autocast do: what {@code castMatrixWeights} keeps is what every forward pass would cast.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("fixtures")
    void weightsCastOnceAnswerAsAutocastOnEveryLayerType(String fixture) {
        tools.jackson.databind.JsonNode root = tools.jackson.databind.json.JsonMapper.builder().build().readTree(
                new String(readResource("/init/forward_" + fixture + ".json"), StandardCharsets.UTF_8));
        try (TensorScope s = TensorScope.open(); GradMode.Region g = GradMode.disable()) {
            ModelSpec spec = ModelSpec.parse(root.get("spec"));
            Sequential model = ModelBuilder.build(spec);
            model.eval();
            Tensor x = io.nabla.model.LayerForwardTest.tensor(root.get("input"));
            double[] autocast;
            double[] cast;
            try (Autocast.Region a = Autocast.enable(DType.BF16)) {
                autocast = model.forward(x).dataAs(DType.FP32).toDoubleArray();
                model.castMatrixWeights(DType.BF16);
                cast = model.forward(x).dataAs(DType.FP32).toDoubleArray();
            }
            assertThat(cast).as(fixture).containsExactly(autocast);
        }
    }

    static java.util.stream.Stream<String> fixtures() {
        return java.util.Arrays.stream(io.nabla.model.LayerForwardTest.FIXTURES);
    }

    private static byte[] readResource(String name) {
        try (java.io.InputStream in = InferencePrecisionTest.class.getResourceAsStream(name)) {
            return in.readAllBytes();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * In int8 every Linear holds its weight in INT8 (a quarter of the bytes; biases, scales and row sums stay 4-byte
     * per output) and answers as the model with its Linear layers replaced by {@link io.nabla.nn.QuantizedLinear}s
     * does, close to the FP32 model.
     */
    @Test
    void int8ModelsHoldAQuarterOfTheWeightBytesAndAnswerAsQuantizedLinearsDo() throws Exception {
        Path weights = weights();
        float[] xs = inputs();
        SequentialModelLoader loader = new SequentialModelLoader();
        assertThat(loader.device(spec("int8").getBytes(StandardCharsets.UTF_8))).as("never auto-placed on a GPU")
                .isEqualTo("cpu");
        long fp32Bytes;
        double[] fp32;
        double[] quantized;
        try (TensorScope model = TensorScope.open(); GradMode.Region g = GradMode.disable()) {
            fp32 = loader.build(spec("fp32").getBytes(StandardCharsets.UTF_8), weights)
                    .forward(Map.of("x", Tensor.of(xs, 3, 64))).get("y").toDoubleArray();
            fp32Bytes = model.bytes();
            Sequential m = fp32Model(weights);
            quantized = m.quantizeDynamic().forward(Tensor.of(xs, 3, 64)).toDoubleArray();
        }
        try (TensorScope model = TensorScope.open(); GradMode.Region g = GradMode.disable()) {
            ModelProgram p = loader.build(spec("int8").getBytes(StandardCharsets.UTF_8), weights);
            long bytes = model.bytes();
            // 18,432 Linear weights in 1 byte instead of 4; the rest (264 biases, 264 scales, 264 row sums, the
            // LayerNorm's 512) 4 bytes each: about 31 % of the FP32 bytes
            assertThat(bytes).as("bytes held in int8 against %d in fp32", fp32Bytes)
                    .isLessThan(fp32Bytes * 35 / 100);
            Tensor y = p.forward(Map.of("x", Tensor.of(xs, 3, 64))).get("y");
            assertThat(y.dtype()).isEqualTo(DType.FP32);
            assertThat(y.toDoubleArray()).containsExactly(quantized);
            for (int i = 0; i < fp32.length; i++) {
                assertThat(y.toDoubleArray()[i]).as("output %d against FP32", i)
                        .isCloseTo(fp32[i], org.assertj.core.data.Offset.offset(0.05 + 0.02 * Math.abs(fp32[i])));
            }
        }
    }
}
