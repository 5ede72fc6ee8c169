package io.nabla.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nabla.backend.HostAllocator;
import io.nabla.backend.SettledAllocator;
import io.nabla.web.NoInternals;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * A corpus of malformed files, each rejected with its own message, through both the in-memory and the file reader;
 * edge cases that are valid are accepted; hostile sizes are refused before anything is allocated.
 */
class SafetensorsMalformedTest {

    @TempDir
    Path dir;

    private record Bad(String name, byte[] bytes, String message) {
    }

    private static final String F32_2 = "{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":";

    /** 8-byte little-endian length, then the header as UTF-8, then {@code data} zero bytes. */
    static byte[] file(String header, int data) {
        return file(header.getBytes(StandardCharsets.UTF_8), data);
    }

    static byte[] file(byte[] header, int data) {
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + data).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(header.length).put(header);
        return b.array();
    }

    static byte[] withLength(long n, int rest) {
        return ByteBuffer.allocate(8 + rest).order(ByteOrder.LITTLE_ENDIAN).putLong(n).array();
    }

    static String one(String entry) {
        return "{\"a\":" + entry + "}";
    }

    static String a(String dtype, String shape, String offsets) {
        return one("{\"dtype\":" + dtype + ",\"shape\":" + shape + ",\"data_offsets\":" + offsets + "}");
    }

    private static List<Bad> corpus() {
        List<Bad> c = new ArrayList<>();
        c.add(new Bad("empty file", new byte[0], "file too short: 0 bytes"));
        c.add(new Bad("too short", new byte[5], "file too short: 5 bytes"));
        c.add(new Bad("header length past end", withLength(1000, 50),
                "header length 1000 runs past the end of the file: 8 + 1000 > 58 bytes"));
        c.add(new Bad("header too large", withLength(100_000_001L, 16),
                "header too large: the header length is 100000001 bytes, the limit is 100000000"));
        c.add(new Bad("header length 2^64-1", withLength(-1L, 16),
                "header too large: the header length is 18446744073709551615 bytes"));
        byte[] badUtf8 = "{\"a?\":1}".getBytes(StandardCharsets.US_ASCII);
        badUtf8[3] = (byte) 0xff;
        c.add(new Bad("invalid UTF-8", file(badUtf8, 0),
                "header is not valid UTF-8: invalid byte sequence at header byte 3 (0xff)"));
        byte[] overlong = "{\"a??\":1}".getBytes(StandardCharsets.US_ASCII);
        overlong[3] = (byte) 0xc0;
        overlong[4] = (byte) 0xaf;
        c.add(new Bad("overlong UTF-8", file(overlong, 0), "header is not valid UTF-8: invalid byte sequence at header "
                + "byte 3 (0xc0)"));
        byte[] cut = "{}  ?".getBytes(StandardCharsets.US_ASCII);
        cut[4] = (byte) 0xe2;
        c.add(new Bad("truncated UTF-8 sequence", file(cut, 0), "header is not valid UTF-8"));
        c.add(new Bad("invalid JSON", file("{\"a\":", 0), "header is not valid JSON"));
        c.add(new Bad("JSON comment", file("{/* x */}", 0), "header is not valid JSON"));
        c.add(new Bad("leading zero", file(a("\"U8\"", "[01]", "[0,1]"), 1), "header is not valid JSON"));
        c.add(new Bad("NUL padding", file("{}\0\0\0\0\0\0", 0), "header is not valid JSON"));
        c.add(new Bad("garbage after the object", file("{} x", 0), "header is not valid JSON"));
        c.add(new Bad("second object", file("{}{}", 0),
                "unexpected content after the header's JSON object: an object"));
        c.add(new Bad("JSON array", file("[]", 0), "header must be a JSON object, got an array"));
        c.add(new Bad("JSON string", file("\"x\"", 0), "header must be a JSON object, got the string 'x'"));
        c.add(new Bad("empty header", file("", 0), "header must be a JSON object, got the end of the header"));
        c.add(new Bad("byte order mark", file("\ufeff{}", 0), "header is not valid JSON at line 1, column 1:"
                + " unexpected character U+FEFF (a byte-order mark; JSON must be UTF-8 text without one)"));
        c.add(new Bad("NaN offset", file(a("\"U8\"", "[1]", "[0,NaN]"), 1), "header is not valid JSON at"
                + " a.data_offsets[1] (line 1, column 53): NaN is not a JSON number (NaN and Infinity are not"
                + " accepted); expected a number"));
        c.add(new Bad("Infinity offset", file(a("\"U8\"", "[1]", "[0,-Infinity]"), 1),
                "header is not valid JSON at a.data_offsets[1]"));
        c.add(new Bad("plus-signed offset", file(a("\"U8\"", "[1]", "[0,+1]"), 1), "header is not valid JSON at"
                + " a.data_offsets[1] (line 1, column 51): unexpected character '+'; a JSON number may not start with"
                + " '+' (expected '-' or a digit)"));
        c.add(new Bad("2000-digit offset", file(a("\"U8\"", "[1]", "[0,1" + "0".repeat(2000) + "]"), 1),
                "header is not valid JSON at a.data_offsets[1] (line 1, column"));
        c.add(new Bad("2000-digit offset, the limit", file(a("\"U8\"", "[1]", "[0,1" + "0".repeat(2000) + "]"), 1),
                "): a number is longer than 1000 characters"));
        c.add(new Bad("entry not an object", file(one("5"), 0),
                "tensor 'a': entry must be an object with dtype, shape and data_offsets, got the integer 5"));
        c.add(new Bad("unknown dtype", file(a("\"F128\"", "[]", "[0,0]"), 0),
                "tensor 'a': unknown dtype 'F128', expected one of BOOL, U8, I8, I16, I32, I64, F16, BF16, F32, F64"));
        c.add(new Bad("unsupported dtype U16", file(a("\"U16\"", "[1]", "[0,2]"), 2),
                "tensor 'a': dtype 'U16' is a safetensors dtype that this engine does not support"));
        c.add(new Bad("unsupported dtype F8_E4M3", file(a("\"F8_E4M3\"", "[1]", "[0,1]"), 1),
                "tensor 'a': dtype 'F8_E4M3' is a safetensors dtype that this engine does not support"));
        c.add(new Bad("dtype not a string", file(a("5", "[]", "[0,0]"), 0),
                "tensor 'a': field 'dtype' must be a string, got the integer 5"));
        c.add(new Bad("missing dtype", file(one("{\"shape\":[],\"data_offsets\":[0,0]}"), 0),
                "tensor 'a': missing field 'dtype'"));
        c.add(new Bad("missing shape", file(one("{\"dtype\":\"U8\",\"data_offsets\":[0,0]}"), 0),
                "tensor 'a': missing field 'shape'"));
        c.add(new Bad("missing data_offsets", file(one("{\"dtype\":\"U8\",\"shape\":[]}"), 0),
                "tensor 'a': missing field 'data_offsets'"));
        c.add(new Bad("extra field", file(one("{\"dtype\":\"U8\",\"shape\":[],\"data_offsets\":[0,1],\"x\":1}"), 1),
                "tensor 'a': unknown field 'x' (expected exactly dtype, shape and data_offsets)"));
        c.add(new Bad("negative shape", file(a("\"U8\"", "[1,-2]", "[0,0]"), 0),
                "tensor 'a': shape[1] must be a non-negative integer, got -2"));
        c.add(new Bad("float shape", file(a("\"U8\"", "[2.5]", "[0,0]"), 0),
                "tensor 'a': shape[0] must be a non-negative integer, got the number 2.5"));
        c.add(new Bad("string in shape", file(a("\"U8\"", "[\"2\"]", "[0,2]"), 2),
                "tensor 'a': shape[0] must be a non-negative integer, got the string '2'"));
        c.add(new Bad("shape not an array", file(a("\"U8\"", "2", "[0,2]"), 2),
                "tensor 'a': field 'shape' must be an array of non-negative integers, got the integer 2"));
        c.add(new Bad("one offset", file(a("\"U8\"", "[1]", "[0]"), 1),
                "tensor 'a': field 'data_offsets' must have exactly 2 elements [begin, end], got 1"));
        c.add(new Bad("three offsets", file(a("\"U8\"", "[1]", "[0,1,2]"), 2),
                "tensor 'a': field 'data_offsets' must have exactly 2 elements [begin, end], got more"));
        c.add(new Bad("negative offset", file(a("\"U8\"", "[1]", "[-4,1]"), 1),
                "tensor 'a': data_offsets[0] must be a non-negative integer, got -4"));
        c.add(new Bad("float offset", file(a("\"U8\"", "[1]", "[0,1.0]"), 1),
                "tensor 'a': data_offsets[1] must be a non-negative integer, got the number 1.0"));
        c.add(new Bad("begin > end", file(a("\"U8\"", "[0]", "[8,4]"), 8),
                "tensor 'a': data_offsets [8, 4] has begin 8 > end 4"));
        c.add(new Bad("out of range offsets", file(a("\"F32\"", "[4]", "[0,16]"), 8),
                "tensor 'a': data_offsets [0, 16] is out of range: the data section has 8 bytes"));
        c.add(new Bad("offset past 2^64", file(a("\"U8\"", "[1]", "[0,1180591620717411303424]"), 1),
                "tensor 'a': data_offsets[1] = 1180591620717411303424 is out of range: the data section has 1 bytes"));
        c.add(new Bad("overlapping offsets", file("{\"a\":" + F32_2 + "[0,8]},\"b\":" + F32_2 + "[4,12]}}", 12),
                "tensor 'b' at data_offsets [4, 12] overlaps tensor 'a' at [0, 8]"));
        c.add(new Bad("gapped offsets", file("{\"a\":" + F32_2 + "[0,8]},\"b\":" + F32_2 + "[12,20]}}", 20),
                "gap of 4 bytes before tensor 'b' at data_offsets [12, 20]: the previous tensor 'a' ends at 8"));
        c.add(new Bad("first tensor not at 0", file(one(F32_2 + "[4,12]}"), 12),
                "gap of 4 bytes before tensor 'a' at data_offsets [4, 12]: the first tensor must begin at 0"));
        c.add(new Bad("trailing bytes", file(one(F32_2 + "[0,8]}"), 12),
                "4 trailing bytes: the tensors cover 8 of the 12 bytes of the data section"));
        c.add(new Bad("data but no tensors", file("{}", 8),
                "8 trailing bytes: the tensors cover 0 of the 8 bytes of the data section"));
        c.add(new Bad("size/shape mismatch", file(a("\"F32\"", "[3]", "[0,8]"), 8),
                "tensor 'a': shape (3) of F32 needs 12 bytes, but data_offsets [0, 8] span 8"));
        c.add(new Bad("overflowing element count", file(a("\"F32\"", "[2147483647,2147483647,2147483647]", "[0,0]"), 0),
                "tensor 'a': the byte size of shape (2147483647, 2147483647, 2147483647) of F32 overflows 64 bits"));
        c.add(new Bad("overflowing byte size", file(a("\"F64\"", "[2147483647,2147483647,2]", "[0,0]"), 0),
                "tensor 'a': the byte size of shape (2147483647, 2147483647, 2) of F64 overflows 64 bits"));
        c.add(new Bad("dimension past int", file(a("\"U8\"", "[3000000000]", "[0,0]"), 0),
                "tensor 'a': shape[0] = 3000000000 exceeds the largest dimension the engine supports, 2147483647"));
        c.add(new Bad("tensor name over the limit", file("{\"" + "n".repeat(SafetensorsLimits.MAX_TENSOR_NAME_LENGTH + 1)
                + "\":" + F32_2 + "[0,8]}}", 8), "is too long: " + (SafetensorsLimits.MAX_TENSOR_NAME_LENGTH + 1)
                + " characters, the limit for a tensor name is " + SafetensorsLimits.MAX_TENSOR_NAME_LENGTH));
        c.add(new Bad("65 dimensions", file(a("\"U8\"", "[" + "1,".repeat(64) + "1]", "[0,1]"), 1),
                "tensor 'a': shape has more than 64 dimensions"));
        c.add(new Bad("duplicate names", file("{\"a\":" + F32_2 + "[0,8]},\"a\":" + F32_2 + "[8,16]}}", 16),
                "duplicate tensor name 'a' (line 1, column 58)"));
        c.add(new Bad("duplicate field", file(one("{\"dtype\":\"U8\",\"dtype\":\"U8\",\"shape\":[],\"data_offsets\":[0,1]}"),
                1), "tensor 'a' has a duplicate field 'dtype'"));
        c.add(new Bad("duplicate metadata key", file("{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"}}", 0),
                "__metadata__ has a duplicate key 'k'"));
        c.add(new Bad("non-string metadata value", file("{\"__metadata__\":{\"k\":1}}", 0),
                "__metadata__ value of 'k' must be a string, got the integer 1"));
        c.add(new Bad("nested metadata value", file("{\"__metadata__\":{\"k\":{}}}", 0),
                "__metadata__ value of 'k' must be a string, got an object"));
        c.add(new Bad("metadata not an object", file("{\"__metadata__\":\"x\"}", 0),
                "__metadata__ must be an object of string to string, got the string 'x'"));
        c.add(new Bad("null metadata", file("{\"__metadata__\":null}", 0),
                "__metadata__ must be an object of string to string, got null"));
        c.add(new Bad("lone surrogate in a name", file(a("\"U8\"", "[]", "[0,1]").replace("\"a\"", "\"\\ud800\""), 1),
                "tensor name '\\ud800' holds an unpaired surrogate \\ud800 at index 0, which is not valid Unicode"));
        c.add(new Bad("zip signature", zip(), "looks like a zip archive (PyTorch's torch.save format), not safetensors"));
        c.add(new Bad("pickle signature", pickle(), "looks like a PyTorch pickle (pickle protocol 2), not safetensors"));
        return c;
    }

    /** The first bytes of a zip archive as torch.save writes it: local file header, then a file name. */
    private static byte[] zip() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(new byte[] {'P', 'K', 3, 4, 0x14, 0, 0, 8, 8, 0});
        b.writeBytes("archive/data.pkl".getBytes(StandardCharsets.US_ASCII));
        b.writeBytes(new byte[64]);
        return b.toByteArray();
    }

    /** The first bytes of a legacy torch.save pickle: PROTO 2, then a LONG1 magic number. */
    private static byte[] pickle() {
        byte[] b = new byte[80];
        byte[] head = {(byte) 0x80, 2, (byte) 0x8a, 0x0a, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46, (byte) 0xf9, 0x20};
        System.arraycopy(head, 0, b, 0, head.length);
        return b;
    }

    @TestFactory
    Stream<DynamicTest> everyMalformedFileIsRejectedWithItsOwnMessage() {
        List<Bad> corpus = corpus();
        assertThat(corpus).hasSizeGreaterThanOrEqualTo(20);
        return corpus.stream().map(bad -> DynamicTest.dynamicTest(bad.name(), () -> {
            assertThatThrownBy(() -> SafetensorsFile.read(bad.bytes()))
                    .isInstanceOf(SafetensorsException.class)
                    .hasMessageStartingWith("safetensors bytes")
                    .hasMessageContaining(bad.message())
                    .extracting(Throwable::getMessage).satisfies(m -> NoInternals.check(bad.name(), (String) m));
            Path f = dir.resolve(bad.name().replaceAll("[^A-Za-z0-9]", "_") + ".safetensors");
            Files.write(f, bad.bytes());
            assertThatThrownBy(() -> SafetensorsFile.open(f))
                    .isInstanceOf(SafetensorsException.class)
                    .hasMessageStartingWith(f.getFileName().toString())
                    .hasMessageContaining(bad.message());
        }));
    }

    @Test
    void validEdgeCasesAreAccepted() {
        // A 640-byte header makes the file start with 0x80 0x02, which is also how a pickle starts.
        String h = one("{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}");
        String padded = h + " ".repeat(640 - h.length());
        try (SafetensorsFile f = SafetensorsFile.read(file(padded, 1))) {
            assertThat(f.names()).containsExactly("a");
        }
        // Entries out of order, empty tensors sharing an offset, leading whitespace, escaped names, metadata.
        String json = " \n{\"z\":{\"dtype\":\"I16\",\"shape\":[2],\"data_offsets\":[4,8]},"
                + "\"__metadata__\":{\"k\":\"v\",\"\\u00e9\":\"\\n\"},"
                + "\"e1\":{\"shape\":[0,3],\"dtype\":\"F64\",\"data_offsets\":[0,0]},"
                + "\"e\\\"2\":{\"dtype\":\"BOOL\",\"shape\":[3,0],\"data_offsets\":[0,0]},"
                + "\"y\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]}} ";
        try (SafetensorsFile f = SafetensorsFile.read(file(json, 8))) {
            assertThat(f.names()).containsExactly("e1", "e\"2", "y", "z");
            assertThat(f.metadata()).containsExactly(java.util.Map.entry("k", "v"), java.util.Map.entry("é", "\n"));
            assertThat(f.shape("e1")).containsExactly(0, 3);
            assertThat(f.tensor("e\"2").numel()).isZero();
            assertThat(f.tensor("y").item()).isZero();
        }
    }

    @Test
    void hugeDeclaredShapesAreRefusedBeforeAnythingIsAllocated() {
        // 40 GB declared by the shape and the offsets, 16 bytes present.
        byte[] lying = file(a("\"F32\"", "[100000,100000]", "[0,40000000000]"), 16);
        // A shape that matches its offsets' span but not the file, and a header length near the limit.
        byte[] consistent = file(a("\"U8\"", "[1000000000]", "[0,1000000000]"), 16);
        byte[] hugeHeader = withLength(99_999_992L, 16);
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long hostBefore = SettledAllocator.allocatedBytes();
        for (byte[] bytes : List.of(lying, consistent, hugeHeader)) {
            long before = threads.getCurrentThreadAllocatedBytes();
            assertThatThrownBy(() -> SafetensorsFile.read(bytes)).isInstanceOf(SafetensorsException.class);
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;
            assertThat(allocated).as("heap bytes allocated while rejecting").isLessThan(2L << 20);
        }
        assertThat(HostAllocator.instance().allocatedBytes()).isEqualTo(hostBefore);
        assertThatThrownBy(() -> SafetensorsFile.read(lying)).hasMessageContaining("is out of range");
        assertThatThrownBy(() -> SafetensorsFile.read(consistent)).hasMessageContaining("is out of range");
        assertThatThrownBy(() -> SafetensorsFile.read(hugeHeader)).hasMessageContaining("runs past the end");
    }
}
