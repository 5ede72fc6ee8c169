package io.nabla.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.nabla.backend.DType;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Reads the PyTorch fixtures, checks values against the raw bytes decoded independently, and checks that the
 * writer lays files out exactly as the reference implementation does (its own test vectors, and the fixtures).
 */
class SafetensorsGoldenTest {

    private TensorScope scope;

    @BeforeEach
    void openScope() {
        scope = TensorScope.open();
    }

    @AfterEach
    void closeScope() {
        scope.close();
    }

    static Path golden(String model, String file) throws Exception {
        return Path.of(SafetensorsGoldenTest.class.getResource("/golden/models/" + model + "/" + file).toURI());
    }

    /** Little-endian floats of the data section {@code [begin, end)}, read without the reader under test. */
    private static float[] rawFloats(byte[] file, long begin, long end) {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        int start = (int) (8 + b.getLong(0) + begin);
        float[] out = new float[(int) (end - begin) / 4];
        for (int i = 0; i < out.length; i++) {
            out[i] = b.getFloat(start + 4 * i);
        }
        return out;
    }

    @Test
    void initialWeightsOfTheMlpMatchTheirBytes() throws Exception {
        Path p = golden("mlp_sgd", "initial.safetensors");
        byte[] raw = Files.readAllBytes(p);
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            assertThat(f.names()).containsExactly("0.bias", "0.weight", "2.bias", "2.weight", "4.bias", "4.weight");
            assertThat(f.metadata()).containsExactly(Map.entry("format", "pt"));
            assertThat(f.dataStart()).isEqualTo(8 + 432);
            assertThat(f.entry("0.weight")).isEqualTo(new SafetensorsEntry("0.weight", DType.FP32, new int[] {32, 20},
                    128, 2688));
            assertThat(f.shape("2.weight")).containsExactly(16, 32);
            assertThat(f.shape("4.bias")).containsExactly(3);
            Tensor w = f.tensor("0.weight");
            assertThat(w.dtype()).isEqualTo(DType.FP32);
            // Values decoded with Python's struct module from the same file.
            assertThat(w.getDouble(0, 0)).isEqualTo((double) -0.001674103899858892f);
            assertThat(w.getDouble(0, 1)).isEqualTo((double) 0.11995243281126022f);
            assertThat(w.getDouble(31, 19)).isEqualTo((double) 0.09691175073385239f);
            assertThat(f.tensor("0.bias").getDouble(2)).isEqualTo((double) 0.07137338072061539f);
            for (SafetensorsEntry e : f.entries()) {
                assertThat(f.tensor(e.name()).toFloatArray()).as(e.name())
                        .containsExactly(rawFloats(raw, e.begin(), e.end()));
            }
        }
    }

    @Test
    void datasetTensorsKeepTheirDTypes() throws Exception {
        try (SafetensorsFile f = SafetensorsFile.open(golden("mlp_sgd", "data.safetensors"))) {
            assertThat(f.names()).containsExactly("input", "target");
            assertThat(f.dtype("target")).isEqualTo(DType.INT64);
            assertThat(f.shape("input")).containsExactly(96, 20);
            long[] target = f.tensor("target").toLongArray();
            assertThat(Arrays.copyOf(target, 10)).containsExactly(0, 2, 1, 2, 2, 1, 0, 1, 0, 0);
            assertThat(Arrays.stream(target).allMatch(c -> c >= 0 && c < 3)).isTrue();
        }
    }

    /** Files of one dtype: the fixture writer's name order is the reference order, so a rewrite is identical. */
    @ParameterizedTest
    @ValueSource(strings = {"mlp_sgd/initial", "mlp_sgd/final", "mlp_sgd/logits", "mlp_adamw/initial",
            "mlp_adamw/final", "mlp_adamw/logits"})
    void rewritingAFixtureGivesTheSameBytes(String name) throws Exception {
        String[] parts = name.split("/");
        Path p = golden(parts[0], parts[1] + ".safetensors");
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            assertThat(SafetensorsWriter.toBytes(f.tensors(), f.metadata())).isEqualTo(Files.readAllBytes(p));
        }
    }

    /** Mixed dtypes: the reference writer puts the 8-byte int64 target before the float32 input. */
    @Test
    void rewritingTheDatasetPutsTheWiderDTypeFirstAsTheReferenceDoes() throws Exception {
        Path p = golden("mlp_sgd", "data.safetensors");
        byte[] raw = Files.readAllBytes(p);
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            String header = "{\"__metadata__\":{\"format\":\"pt\"},"
                    + "\"target\":{\"dtype\":\"I64\",\"shape\":[96],\"data_offsets\":[0,768]},"
                    + "\"input\":{\"dtype\":\"F32\",\"shape\":[96,20],\"data_offsets\":[768,8448]}}";
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            byte[] text = (header + " ".repeat((8 - header.length() % 8) % 8)).getBytes(StandardCharsets.UTF_8);
            expected.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(text.length).array());
            expected.writeBytes(text);
            int data = (int) f.dataStart();
            expected.write(raw, data + 7680, 768); // target
            expected.write(raw, data, 7680); // input
            assertThat(SafetensorsWriter.toBytes(f.tensors(), f.metadata())).isEqualTo(expected.toByteArray());
        }
    }

    private static byte[] serialized(long n, String header, byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(n).array());
        out.writeBytes(header.getBytes(StandardCharsets.UTF_8));
        out.writeBytes(data);
        return out.toByteArray();
    }

    private static byte[] floats(float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) {
            b.putFloat(x);
        }
        return b.array();
    }

    /** The byte vectors of the reference implementation's own serialization tests (safetensors/src/tensor.rs). */
    @Test
    void theWriterReproducesTheReferenceTestVectors() {
        Tensor t = Tensor.of(new float[] {0, 1, 2, 3, 4, 5}, 1, 2, 3);
        assertThat(SafetensorsWriter.toBytes(Map.of("attn.0", t), null)).isEqualTo(serialized(64,
                "{\"attn.0\":{\"dtype\":\"F32\",\"shape\":[1,2,3],\"data_offsets\":[0,24]}}", floats(0, 1, 2, 3, 4, 5)));
        Tensor t4 = Tensor.of(new float[] {0, 1, 2, 3, 4, 5}, 1, 1, 2, 3);
        assertThat(SafetensorsWriter.toBytes(Map.of("attn0", t4), null)).isEqualTo(serialized(72,
                "{\"attn0\":{\"dtype\":\"F32\",\"shape\":[1,1,2,3],\"data_offsets\":[0,24]}}       ",
                floats(0, 1, 2, 3, 4, 5)));
        assertThat(SafetensorsWriter.toBytes(Map.of(), null)).isEqualTo(serialized(8, "{}      ", new byte[0]));
        assertThat(SafetensorsWriter.toBytes(Map.of(), Map.of("framework", "pt")))
                .isEqualTo(serialized(40, "{\"__metadata__\":{\"framework\":\"pt\"}}     ", new byte[0]));
    }

    @Test
    void headerOrderAndEscapingFollowTheReference() {
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("b", Tensor.of(new boolean[] {true}, 1));
        in.put("a", Tensor.of(new boolean[] {false}, 1));
        in.put("w", Tensor.of(new double[] {1}, 1));
        in.put("i", Tensor.of(new long[] {1}, 1));
        in.put("h", Tensor.full(1, DType.BF16, 1));
        in.put("q\"\\\n\u0001é", Tensor.full(1, DType.FP16, 1));
        byte[] bytes = SafetensorsWriter.toBytes(in, Map.of("z", "1", "a", "tab\there"));
        long n = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
        assertThat(n % 8).isZero();
        String json = "{\"__metadata__\":{\"a\":\"tab\\there\",\"z\":\"1\"},"
                + "\"i\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]},"
                + "\"w\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[8,16]},"
                + "\"h\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[16,18]},"
                + "\"q\\\"\\\\\\n\\u0001é\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[18,20]},"
                + "\"a\":{\"dtype\":\"BOOL\",\"shape\":[1],\"data_offsets\":[20,21]},"
                + "\"b\":{\"dtype\":\"BOOL\",\"shape\":[1],\"data_offsets\":[21,22]}}";
        int jsonBytes = json.getBytes(StandardCharsets.UTF_8).length;
        assertThat(header).isEqualTo(json + " ".repeat((int) n - jsonBytes));
        assertThat(n - jsonBytes).isBetween(0L, 7L);
        try (SafetensorsFile f = SafetensorsFile.read(bytes)) {
            assertThat(f.names()).isEqualTo(List.of("i", "w", "h", "q\"\\\n\u0001é", "a", "b"));
            assertThat(f.tensor("q\"\\\n\u0001é").item()).isEqualTo(1.0);
        }
    }
}
