package io.nabla.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nabla.autograd.ShapeOps;
import io.nabla.backend.DType;
import io.nabla.backend.HostAllocator;
import io.nabla.backend.SettledAllocator;
import io.nabla.tensor.Shape;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/** Writing then reading gives back every tensor bit for bit, for every dtype, shape and memory layout. */
class SafetensorsRoundTripTest {

    @TempDir
    Path dir;

    private TensorScope scope;

    @BeforeEach
    void openScope() {
        scope = TensorScope.open();
    }

    @AfterEach
    void closeScope() {
        scope.close();
    }

    /** A tensor of random bytes (any bit pattern, NaN payloads included). */
    static Tensor random(Random rnd, DType dtype, int... shape) {
        byte[] b = new byte[Math.toIntExact(Shape.numel(shape) * dtype.itemSize())];
        rnd.nextBytes(b);
        if (dtype == DType.BOOL) {
            for (int i = 0; i < b.length; i++) {
                b[i] &= 1;
            }
        }
        return Tensor.fromBytes(dtype, shape, ByteBuffer.wrap(b));
    }

    /** The row-major bytes of any view, read element by element from its storage (independent of the writer). */
    static byte[] rowMajorBytes(Tensor t) {
        int item = t.dtype().itemSize();
        int[] shape = t.shape();
        int[] strides = t.strides();
        ByteBuffer mem = t.memory().hostBuffer();
        byte[] out = new byte[Math.toIntExact(t.numel() * item)];
        int[] idx = new int[shape.length];
        for (int e = 0; e < t.numel(); e++) {
            long off = t.offset();
            for (int d = 0; d < shape.length; d++) {
                off += (long) idx[d] * strides[d];
            }
            for (int k = 0; k < item; k++) {
                out[e * item + k] = mem.get((int) (off * item + k));
            }
            for (int d = shape.length - 1; d >= 0 && ++idx[d] == shape[d]; d--) {
                idx[d] = 0;
            }
        }
        return out;
    }

    private static Map<String, Tensor> roundTrip(Map<String, Tensor> tensors) {
        try (SafetensorsFile f = SafetensorsFile.read(SafetensorsWriter.toBytes(tensors, null))) {
            return f.tensors();
        }
    }

    private static void assertSame(Map<String, Tensor> expected, Map<String, Tensor> actual) {
        assertThat(actual.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        for (Map.Entry<String, Tensor> e : expected.entrySet()) {
            Tensor got = actual.get(e.getKey());
            String what = e.getKey() + " " + e.getValue();
            assertThat(got.dtype()).as(what).isEqualTo(e.getValue().dtype());
            assertThat(got.shape()).as(what).containsExactly(e.getValue().shape());
            if (got.numel() > 0) { // Tensor.isContiguous() says false for some empty shapes, e.g. (3, 0, 2)
                assertThat(got.isContiguous()).as(what).isTrue();
            }
            assertThat(got.toBytes()).as(what).isEqualTo(rowMajorBytes(e.getValue()));
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void everyDTypeRoundTripsInEveryShapeAndLayout(DType dtype) {
        Random rnd = new Random(dtype.ordinal());
        Tensor base = random(rnd, dtype, 4, 6);
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("matrix", base);
        in.put("scalar", random(rnd, dtype));
        in.put("vector", random(rnd, dtype, 7));
        in.put("empty", random(rnd, dtype, 0));
        in.put("empty.3d", random(rnd, dtype, 3, 0, 2));
        in.put("rank4", random(rnd, dtype, 2, 1, 3, 2));
        in.put("transposed", ShapeOps.transpose(base, 0, 1));
        in.put("strided", ShapeOps.slice(base, 1, 1, 6, 2));
        in.put("expanded", ShapeOps.expand(random(rnd, dtype, 1, 5), 3, 5));
        in.put("offset.row", ShapeOps.select(base, 0, 2));
        in.put("column", ShapeOps.select(base, 1, 3));
        assertThat(in.get("transposed").isContiguous()).isFalse();
        assertThat(in.get("expanded").strides()).containsExactly(0, 1);
        assertSame(in, roundTrip(in));
    }

    @Test
    void mixedDTypesRoundTripThroughFileStreamAndBytesAlike() throws Exception {
        Random rnd = new Random(7);
        Map<String, Tensor> in = new LinkedHashMap<>();
        for (DType d : DType.values()) {
            in.put("t." + d.safetensorsCode(), random(rnd, d, 3, 1 + d.ordinal()));
            in.put("u." + d.safetensorsCode(), random(rnd, d, 5));
        }
        Map<String, String> meta = Map.of("format", "pt", "note", "ünïcode \"quoted\"\n");
        byte[] bytes = SafetensorsWriter.toBytes(in, meta);
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        SafetensorsWriter.write(in, meta, stream);
        Path file = dir.resolve("mixed.safetensors");
        SafetensorsWriter.write(in, meta, file);
        assertThat(stream.toByteArray()).isEqualTo(bytes);
        assertThat(Files.readAllBytes(file)).isEqualTo(bytes);
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertThat(f.metadata()).isEqualTo(meta);
            assertThat(f.dataStart() % 8).isZero();
            for (SafetensorsEntry e : f.entries()) {
                assertThat(e.begin() % e.dtype().itemSize()).as("alignment of " + e).isZero();
            }
            assertSame(in, f.tensors());
        }
    }

    @Test
    void writingToAPathIsAtomicAndReplacesTheOldFile() throws Exception {
        Path file = dir.resolve("w.safetensors");
        SafetensorsWriter.write(Map.of("a", Tensor.of(new float[] {1, 2}, 2)), file);
        SafetensorsWriter.write(Map.of("b", Tensor.of(new long[] {3}, 1)), Map.of(), file);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(file);
        }
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertThat(f.names()).containsExactly("b");
            assertThat(f.hasMetadata()).isTrue();
            assertThat(f.tensor("b").toLongArray()).containsExactly(3);
        }
        // A failure before anything is written leaves the old file and no temporary behind.
        assertThatThrownBy(() -> SafetensorsWriter.write(Map.of("__metadata__", Tensor.scalar(1, DType.FP32)), file))
                .isInstanceOf(SafetensorsException.class).hasMessageContaining("'__metadata__'");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void namesComeInFileOrderAndUnknownNamesAreNamed() {
        byte[] bytes = SafetensorsMalformedTest.file("{\"b\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1,2]},"
                + "\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}", 2);
        try (SafetensorsFile f = SafetensorsFile.read(bytes)) {
            assertThat(f.names()).containsExactly("a", "b");
            assertThat(f.contains("a")).isTrue();
            assertThat(f.dtype("b")).isEqualTo(DType.UINT8);
            assertThatThrownBy(() -> f.tensor("c")).isInstanceOf(SafetensorsException.class)
                    .hasMessage("safetensors bytes: no tensor named 'c'; the file has 2: 'a', 'b'");
        }
    }

    @Test
    void closedFilesRefuseToReadTensorsAndFreeNothingTheyGaveOut() throws Exception {
        Path file = dir.resolve("c.safetensors");
        SafetensorsWriter.write(Map.of("a", Tensor.of(new double[] {1, 2, 3}, 3)), file);
        Tensor a;
        SafetensorsFile f = SafetensorsFile.open(file);
        a = f.tensor("a");
        f.close();
        f.close();
        assertThat(a.toDoubleArray()).containsExactly(1, 2, 3);
        assertThat(f.shape("a")).containsExactly(3);
        assertThatThrownBy(() -> f.tensor("a")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("c.safetensors is closed");
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void noRegionOfTheFileStaysMappedAfterATensorIsRead() throws Exception {
        Path file = dir.resolve("m.safetensors");
        SafetensorsWriter.write(Map.of("a", Tensor.ones(DType.FP32, 512, 512)), file);
        String real = file.toRealPath().toString();
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertThat(f.tensor("a").getDouble(511, 511)).isEqualTo(1.0);
            assertThat(Files.readAllLines(Path.of("/proc/self/maps"))).noneMatch(line -> line.endsWith(real));
        }
    }

    @Test
    void theWriterRejectsWhatCannotBeWritten() {
        Tensor t = Tensor.scalar(1, DType.FP32);
        assertThatThrownBy(() -> SafetensorsWriter.toBytes(Map.of("bad\ud800", t), null))
                .isInstanceOf(SafetensorsException.class).hasMessageContaining("unpaired surrogate");
        Map<String, Tensor> withNull = new LinkedHashMap<>();
        withNull.put("x", null);
        assertThatThrownBy(() -> SafetensorsWriter.toBytes(withNull, null))
                .isInstanceOf(SafetensorsException.class).hasMessage("tensor 'x' is null");
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("k", null);
        assertThatThrownBy(() -> SafetensorsWriter.toBytes(Map.of("x", t), meta))
                .isInstanceOf(SafetensorsException.class).hasMessage("value of metadata key 'k' is null");
        Tensor freed = Tensor.zeros(DType.FP32, 2);
        freed.storage().close();
        assertThatThrownBy(() -> SafetensorsWriter.toBytes(Map.of("f", freed), null))
                .isInstanceOf(SafetensorsException.class).hasMessageContaining("tensor 'f' was freed");
        String longest = "n".repeat(SafetensorsLimits.MAX_TENSOR_NAME_LENGTH);
        try (SafetensorsFile back = SafetensorsFile.read(SafetensorsWriter.toBytes(Map.of(longest, t), null))) {
            assertThat(back.names()).containsExactly(longest);
        }
        assertThatThrownBy(() -> SafetensorsWriter.toBytes(Map.of(longest + "n", t), null))
                .isInstanceOf(SafetensorsException.class).hasMessageContaining("is too long: "
                        + (SafetensorsLimits.MAX_TENSOR_NAME_LENGTH + 1) + " characters");
    }

    @Test
    void readingAFileAllocatesExactlyTheTensorsItReturns() throws Exception {
        long before = SettledAllocator.allocatedBytes();
        Path file = dir.resolve("n.safetensors");
        try (TensorScope s = TensorScope.open()) {
            SafetensorsWriter.write(Map.of("a", Tensor.zeros(DType.FP32, 100)), file);
        }
        assertThat(HostAllocator.instance().allocatedBytes()).isEqualTo(before);
        try (TensorScope s = TensorScope.open(); SafetensorsFile f = SafetensorsFile.open(file)) {
            f.tensor("a");
            assertThat(HostAllocator.instance().allocatedBytes() - before).isEqualTo(400);
        }
        assertThat(HostAllocator.instance().allocatedBytes()).isEqualTo(before);
    }
}
