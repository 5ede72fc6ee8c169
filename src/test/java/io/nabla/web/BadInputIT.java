package io.nabla.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.nabla.backend.DType;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Malformed, inconsistent and hostile requests: each gets its 4xx status and an {@code {"error"}} message naming
 * the problem, never a 500, and the server stays healthy after each.
 */
class BadInputIT extends ServerTestBase {

    private static final String OCTET = "application/octet-stream";
    private static final String HEADER = "Inference-Header-Content-Length";

    @BeforeEach
    void model() {
        if (http.get("/v2/models/bad").status() == 404) {
            scaleModel("bad", 1);
        }
    }

    private static String input(String fields) {
        return "{\"inputs\":[{" + fields + "}]}";
    }

    /** The text's chars as bytes, one each: how a test writes a byte that is not UTF-8 into a JSON body. */
    private static byte[] latin1(String text) {
        return text.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    private static String fp32(String shape, String data) {
        return input("\"name\":\"input\",\"shape\":" + shape + ",\"datatype\":\"FP32\",\"data\":" + data);
    }

    private static Function<Http, Http.Reply> infer(String json) {
        return h -> h.postJson("/v2/models/bad/infer", json);
    }

    private static Function<Http, Http.Reply> binary(String header, byte[] data, Map<String, String> headers) {
        Tensors.Binary b = Tensors.binary(header, data);
        return h -> h.post("/v2/models/bad/infer", OCTET, b.body(), headers == null ? b.headers() : headers);
    }

    private static String binaryHeader(String shape, long size) {
        return input("\"name\":\"input\",\"shape\":" + shape + ",\"datatype\":\"FP32\","
                + "\"parameters\":{\"binary_data_size\":" + size + "}");
    }

    private static Function<Http, Http.Reply> create(String name, Http.Multipart m) {
        return h -> h.post("/v2/repository/models/" + name, m.contentType(), m.build(), Map.of());
    }

    private static Http.Multipart spec(String spec) {
        return new Http.Multipart().part("spec", "spec.json", "application/json",
                spec.getBytes(StandardCharsets.UTF_8));
    }

    /** A safetensors file with this header JSON and 64 bytes of data. */
    private static byte[] header(String json) {
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        return java.nio.ByteBuffer.allocate(8 + h.length + 64).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .putLong(h.length).put(h).array();
    }

    private static Arguments bad(String name, Function<Http, Http.Reply> send, int status, String... fragments) {
        return Arguments.of(name, send, status, fragments);
    }

    static Stream<Arguments> cases() {
        byte[] f32x8 = Tensors.bytes(DType.FP32, new double[8]);
        String zeros80k = "[" + "0,".repeat(79_999) + "0]";
        byte[] big = new byte[1_200_000];
        return Stream.of(
            // shapes and data
            bad("data shorter than the shape", infer(fp32("[2,4]", "[1,2,3,4,5,6,7]")), 400,
                    "shape [2, 4] needs 8 values, data has 7"),
            bad("data longer than the shape", infer(fp32("[2,4]", "[1,2,3,4,5,6,7,8,9]")), 400,
                    "more than the 8 values that shape [2, 4] needs"),
            bad("nested data of the wrong length", infer(fp32("[2,4]", "[[1,2,3],[4,5,6]]")), 400,
                    "inputs[0].data[0] has 3 elements, but shape [2, 4] needs 4 at dimension 1"),
            bad("nested data of another shape, same count", infer(fp32("[1,4]", "[[1,2],[3,4]]")), 400,
                    "inputs[0].data[0] has 2 elements, but shape [1, 4] needs 4 at dimension 1"),
            bad("ragged nested data", infer(fp32("[2,2]", "[[1,2,3],[4]]")), 400,
                    "inputs[0].data[0] has more than 2 elements, but shape [2, 2] needs 2 at dimension 1"),
            bad("nested deeper than the shape", infer(fp32("[1,4]", "[[[1,2,3,4]]]")), 400,
                    "inputs[0].data[0][0] is an array, but shape [1, 4] has 2 dimensions"),
            bad("nested shallower than the shape", infer(fp32("[2,4]", "[[1,2,3,4],5,6,7,8]")), 400,
                    "inputs[0].data[1] is a number, but shape [2, 4] needs an array of 4 there"),
            bad("flat data with an array inside", infer(fp32("[2,2]", "[1,2,[3,4]]")), 400,
                    "inputs[0].data[2] is an array, but inputs[0].data[0] is a number"),
            bad("nested data before the shape, of another shape", infer(input("\"name\":\"input\",\"data\":"
                    + "[[1,2],[3,4]],\"shape\":[1,4],\"datatype\":\"FP32\"")), 400,
                    "inputs[0].data is nested as [2, 2], but shape is [1, 4]"),
            bad("ragged nested data before the shape", infer(input("\"name\":\"input\",\"data\":"
                    + "[[1,2,3],[4]],\"shape\":[1,4],\"datatype\":\"FP32\"")), 400,
                    "inputs[0].data[1] has 1 elements, but inputs[0].data[0] has 3: nested data must not be ragged"),
            bad("negative dimension", infer(fp32("[-1,4]", "[1,2,3,4]")), 400, "shape[0] = -1 must be >= 0"),
            bad("dimension over int range", infer(fp32("[3000000000,4]", "[1]")), 400,
                    "shape[0] = 3000000000 exceeds the largest size 2147483647"),
            bad("element count overflowing 64 bits", infer(fp32("[2147483647,2147483647,2147483647]", "[1]")), 400,
                    "overflows 64 bits"),
            bad("huge declared shape, tiny body", infer(fp32("[100000,100000]", "[1]")), 400,
                    "10000000000 elements, more than the limit 100000"),
            bad("shape larger than the body could hold", infer(fp32("[22500,4]", "[1]")), 400,
                    "declares 90000 values but the whole body is only"),
            bad("request over the element limit", infer("{\"inputs\":[{\"name\":\"a\",\"shape\":[80000],"
                    + "\"datatype\":\"FP32\",\"data\":" + zeros80k + "},{\"name\":\"b\",\"shape\":[80000],"
                    + "\"datatype\":\"FP32\",\"data\":" + zeros80k + "}]}"), 400,
                    "160000 elements, more than the limit 150000"),
            bad("shape of the wrong rank for the model", infer(fp32("[8]", "[1,2,3,4,5,6,7,8]")), 400,
                    "expected shape [-1, 4] (-1 = any), got [8]"),
            bad("shape not an array", infer(fp32("8", "[1]")), 400, "shape must be an array of sizes"),
            bad("fractional dimension", infer(fp32("[2.5,4]", "[1]")), 400, "shape[0] must be an integer"),
            bad("too many dimensions", infer(fp32("[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]", "[1]")), 400,
                    "more than 16 dimensions"),
            // datatypes and values
            bad("unknown datatype", infer(input("\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"FP8\","
                    + "\"data\":[1,2,3,4]")), 400, "unknown datatype 'FP8'", "FP32"),
            bad("BYTES on a numeric model", infer(input("\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"BYTES\","
                    + "\"data\":[1,2,3,4]")), 400, "BYTES is not supported"),
            bad("NaN literal", infer(fp32("[1,4]", "[1,NaN,3,4]")), 400, "malformed JSON at inputs[0].data[1]",
                    "NaN is not a JSON number", "expected a number"),
            bad("Infinity literal", infer(fp32("[1,4]", "[1,Infinity,3,4]")), 400, "malformed JSON", "Infinity"),
            bad("-Infinity literal", infer(fp32("[1,4]", "[1,-Infinity,3,4]")), 400, "malformed JSON"),
            bad("NaN as a string", infer(fp32("[1,4]", "[1,\"NaN\",3,4]")), 400, "inputs[0].data holds the string"
                    + " \"NaN\""),
            bad("number overflowing double", infer(fp32("[1,4]", "[1,1e400,3,4]")), 400, "inputs[0].data[1]",
                    "out of range for FP32"),
            bad("number overflowing FP32", infer(fp32("[1,4]", "[1,2,3e39,4]")), 400, "inputs[0].data[2]",
                    "out of range for FP32"),
            bad("fraction for an integer datatype", infer(input("\"name\":\"input\",\"shape\":[1,4],"
                    + "\"datatype\":\"INT32\",\"data\":[1,2.5,3,4]")), 400, "data[1] = 2.5: INT32 takes integers"),
            bad("INT8 value out of range", infer(input("\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"INT8\","
                    + "\"data\":[1,300,3,4]")), 400, "data[1] = 300: out of range for INT8 [-128, 127]"),
            bad("negative UINT8", infer(input("\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"UINT8\","
                    + "\"data\":[1,-1,3,4]")), 400, "out of range for UINT8"),
            bad("boolean in FP32 data", infer(fp32("[1,4]", "[1,true,3,4]")), 400, "FP32 takes numbers, not booleans"),
            bad("object inside data", infer(fp32("[1,4]", "[1,{},3,4]")), 400, "holds an object"),
            bad("data a bare number", infer(fp32("[1,4]", "1.0")), 400,
                    "inputs[0].data: expected an array of values (flat, or nested as the shape is), got the number 1.0"),
            bad("data a bare number before the shape", infer(input("\"name\":\"input\",\"data\":2,\"shape\":[1,4],"
                    + "\"datatype\":\"FP32\"")), 400, "inputs[0].data: expected an array", "got the number 2"),
            bad("data a string", infer(fp32("[1,4]", "\"1,2,3,4\"")), 400,
                    "inputs[0].data: expected an array", "got the string \"1,2,3,4\""),
            bad("data null", infer(fp32("[1,4]", "null")), 400, "inputs[0].data: expected an array", "got null"),
            bad("data nested deeper than the limit", infer(fp32("[1" + ",1".repeat(15) + "]",
                    "[".repeat(20) + "1" + "]".repeat(20))),
                    400, "nesting depth over the limit of 16 (nabla.limits.max-json-depth)"),
            // structure of the document
            bad("malformed JSON", infer("{\"inputs\":[{\"name\":"), 400, "malformed JSON",
                    "the JSON ends before it is complete (inside inputs[0].name)"),
            bad("JSON with a syntax error", infer("{\"inputs\":[{\"name\" \"input\"}]}"), 400,
                    "malformed JSON at inputs[0].name (line 1, column 20): unexpected character '\"'; expected ':'"),
            bad("JSON array instead of an object", infer("[1,2,3]"), 400, "must be a JSON object"),
            bad("trailing garbage after the object", infer(fp32("[1,4]", "[1,2,3,4]") + "xyz"), 400,
                    "unexpected content after the request's JSON object"),
            bad("no inputs", infer("{\"inputs\":[]}"), 400, "inputs is missing or empty"),
            bad("unknown top-level field", infer("{\"inputz\":[]}"), 400, "unknown field 'inputz'"),
            bad("unknown field in an input", infer(input("\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"FP32\","
                    + "\"dat\":[1,2,3,4]")), 400, "unknown field 'dat' in inputs[0]"),
            bad("field given twice", infer(input("\"name\":\"input\",\"shape\":[1,4],\"shape\":[1,4],"
                    + "\"datatype\":\"FP32\",\"data\":[1,2,3,4]")), 400, "'shape' appears twice in inputs[0]"),
            bad("duplicate input names", infer("{\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":"
                    + "\"FP32\",\"data\":[1,2,3,4]},{\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"FP32\","
                    + "\"data\":[1,2,3,4]}]}"), 400, "input 'input' appears twice (inputs[0] and inputs[1])"),
            bad("missing datatype", infer(input("\"name\":\"input\",\"shape\":[1,4],\"data\":[1,2,3,4]")), 400,
                    "datatype is missing"),
            bad("missing data", infer(input("\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"FP32\"")), 400,
                    "neither data nor parameters.binary_data_size"),
            bad("id not a string", infer("{\"id\":42," + fp32("[1,4]", "[1,2,3,4]").substring(1)), 400,
                    "id must be a string, got a number"),
            bad("unknown input name", infer(input("\"name\":\"x\",\"shape\":[1,4],\"datatype\":\"FP32\","
                    + "\"data\":[1,2,3,4]")), 400, "unknown input 'x'", "[input]"),
            bad("unknown output name", infer("{\"outputs\":[{\"name\":\"nope\"}]," + fp32("[1,4]", "[1,2,3,4]")
                    .substring(1)), 400, "unknown output 'nope'", "[output]"),
            bad("binary_data_output not a boolean", infer("{\"parameters\":{\"binary_data_output\":\"yes\"},"
                    + fp32("[1,4]", "[1,2,3,4]").substring(1)), 400, "binary_data_output must be true or false"),
            // binary tensor data extension
            bad("binary_data_size not matching the shape", binary(binaryHeader("[2,4]", 31), f32x8, null), 400,
                    "binary_data_size is 31 but shape [2, 4] of FP32 needs 8 x 4 = 32 bytes"),
            bad("binary data without the header length", h -> h.post("/v2/models/bad/infer", OCTET,
                    Tensors.binary(binaryHeader("[2,4]", 32), f32x8).body(), Map.of()), 400,
                    "unexpected content after the request's JSON object", HEADER + " header must give the JSON's"
                    + " length"),
            bad("a tensor name with the byte FF", h -> h.post("/v2/models/bad/infer", "application/json",
                    latin1(fp32("[1,4]", "[1,2,3,4]").replace("\"input\"", "\"in\u00ffput\"")), Map.of()), 400,
                    "at inputs[0].name", "byte 0xff is not valid UTF-8; JSON must be UTF-8 text"),
            bad("a tensor name with a cut UTF-8 sequence", h -> h.post("/v2/models/bad/infer", "application/json",
                    latin1(fp32("[1,4]", "[1,2,3,4]").replace("\"input\"", "\"in\u00c3put\"")), Map.of()), 400,
                    "at inputs[0].name", "byte 0x70 cannot continue a multi-byte UTF-8 sequence"),
            bad("a field name with a cut UTF-8 sequence", h -> h.post("/v2/models/bad/infer", "application/json",
                    latin1(fp32("[1,4]", "[1,2,3,4]").replace("\"inputs\"", "\"in\u00c3puts\"")), Map.of()), 400,
                    "byte 0x70 cannot continue a multi-byte UTF-8 sequence"),
            bad("raw binary body without the header length", h -> h.post("/v2/models/bad/infer", OCTET, f32x8,
                    Map.of()), 400, "control character 0x00", "looks binary", HEADER),
            bad("binary BOOL byte other than 0 or 1", binary(input("\"name\":\"input\",\"shape\":[1,4],"
                    + "\"datatype\":\"BOOL\",\"parameters\":{\"binary_data_size\":4}"), new byte[] {1, 0, 5, 1}, null),
                    400, "inputs[0] ('input'): binary BOOL element 2 is the byte 0x05; BOOL takes the bytes 0x00"),
            bad("binary_data_size in a plain JSON body", infer(binaryHeader("[2,4]", 32)), 400,
                    HEADER + " header is required"),
            bad("header length not a number", binary(binaryHeader("[2,4]", 32), f32x8, Map.of(HEADER, "abc")), 400,
                    HEADER + " must be a byte count, got 'abc'"),
            bad("header length zero", binary(binaryHeader("[2,4]", 32), f32x8, Map.of(HEADER, "0")), 400,
                    HEADER + " must be between 2 and"),
            bad("header length negative", binary(binaryHeader("[2,4]", 32), f32x8, Map.of(HEADER, "-5")), 400,
                    HEADER + " must be between 2 and"),
            bad("header length beyond the body", binary(binaryHeader("[2,4]", 32), f32x8, Map.of(HEADER, "99999")),
                    400, HEADER + " must be between 2 and"),
            bad("header length cutting the JSON short", binary(binaryHeader("[2,4]", 32), f32x8,
                    Map.of(HEADER, "20")), 400, "malformed JSON"),
            bad("binary data shorter than declared", binary(binaryHeader("[2,4]", 32), new byte[16], null), 400,
                    "at most 16 bytes follow the JSON"),
            bad("bytes after the binary data", binary(binaryHeader("[2,4]", 32), new byte[40], null), 400,
                    "goes on after the binary data"),
            bad("both data and binary_data_size", infer(input("\"name\":\"input\",\"shape\":[1,4],"
                    + "\"datatype\":\"FP32\",\"parameters\":{\"binary_data_size\":16},\"data\":[1,2,3,4]")), 400,
                    "has both data and parameters.binary_data_size"),
            bad("negative binary_data_size", infer(input("\"name\":\"input\",\"shape\":[1,4],"
                    + "\"datatype\":\"FP32\",\"parameters\":{\"binary_data_size\":-16}")), 400,
                    "binary_data_size must be a byte count >= 0, got -16"),
            // limits
            bad("body over the limit (Content-Length)", h -> h.post("/v2/models/bad/infer", "application/json",
                    big, Map.of()), 413, "over the limit of 1048576 bytes"),
            bad("chunked body over the limit", h -> h.postChunked("/v2/models/bad/infer", "application/json",
                    ("{\"inputs\":[{\"name\":\"input\",\"shape\":[90000],\"datatype\":\"FP32\",\"data\":["
                            + "1.00000000000000,".repeat(89_999) + "1]}]}").getBytes()), 413,
                    "over the limit of 1048576 bytes"),
            bad("multipart body over the limit (Content-Length)", create("newm", spec(SCALE_SPEC).part("weights",
                    "w.safetensors", OCTET, big)), 413, "over the limit"),
            bad("chunked multipart body over the limit", h -> {
                Http.Multipart m = spec(SCALE_SPEC).part("weights", "w.safetensors", OCTET, big);
                return h.postChunked("/v2/repository/models/newm", m.contentType(), m.build());
            }, 413, "over the limit"),
            // names, versions, routes
            bad("unknown model", h -> h.postJson("/v2/models/nosuch/infer", fp32("[1,4]", "[1,2,3,4]")), 404,
                    "model 'nosuch' does not exist"),
            bad("unknown version", h -> h.postJson("/v2/models/bad/versions/9/infer", fp32("[1,4]", "[1,2,3,4]")),
                    404, "has no version 9"),
            bad("version not a number", h -> h.get("/v2/models/bad/versions/abc"), 400,
                    "version must be a positive integer, got 'abc'"),
            bad("version zero", h -> h.get("/v2/models/bad/versions/0/ready"), 400, "positive integer, got '0'"),
            bad("path traversal with encoded slashes", h -> h.get("/v2/models/..%2F..%2Fetc%2Fpasswd"), 400,
                    "model name must match", "'../../etc/passwd'"),
            bad("encoded backslash traversal", h -> h.get("/v2/repository/models/..%5Cx/versions/1/spec"), 400,
                    "model name must match"),
            bad("name with a double dot", h -> h.get("/v2/models/a..b"), 400, "not contain '..'", "'a..b'"),
            bad("name with an encoded space", h -> h.get("/v2/models/a%20b"), 400, "got 'a b'"),
            bad("name with an encoded NUL", h -> h.get("/v2/models/a%00b/ready"), 400, "HTTP 400"),
            bad("name too long", h -> h.get("/v2/models/" + "x".repeat(65)), 400, "{0,63}"),
            bad("name starting with a dot", h -> h.delete("/v2/repository/models/.hidden"), 400, "model name"),
            bad("unknown route", h -> h.get("/v2/modelz"), 404, "no endpoint GET /v2/modelz"),
            bad("method not allowed", h -> h.delete("/v2"), 405, "method DELETE is not allowed", "GET"),
            bad("wrong content type for inference", h -> h.post("/v2/models/bad/infer", "text/plain",
                    "hello".getBytes(), Map.of()), 415, "text/plain", "application/json"),
            // repository
            bad("multipart part header over the limit", h -> {
                Http.Multipart m = new Http.Multipart().part("file", "f".repeat(600), OCTET, new byte[10]);
                return h.post("/v1/datasets", m.contentType(), m.build(), Map.of());
            }, 400, "the headers of a multipart part are longer than 512 bytes",
                    "(server.tomcat.max-part-header-size)"),
            bad("multipart body with too many parts", h -> {
                Http.Multipart m = new Http.Multipart();
                for (int i = 0; i < 60; i++) {
                    m.part("p" + i, null, null, "x".getBytes());
                }
                return h.post("/v1/datasets", m.contentType(), m.build(), Map.of());
            }, 400, "the multipart body has more than 50 parts", "(server.tomcat.max-part-count)"),
            bad("empty body where a JSON object is required", h -> h.postJson("/v1/jobs", ""), 400,
                    "the request body is missing; expected a JSON object"),
            bad("create without multipart", h -> h.postJson("/v2/repository/models/newm", "{}"), 415,
                    "application/json", "multipart/form-data"),
            bad("multipart without a spec part", create("newm", new Http.Multipart().part("weights", "w",
                    OCTET, Weights.diagonal("0.weight", 4, 1))), 400, "multipart part 'spec' is missing"),
            bad("malformed multipart", h -> h.post("/v2/repository/models/newm",
                    "multipart/form-data; boundary=xyz", "--xyz\r\nContent-Disp".getBytes(), Map.of()), 400,
                    "multipart"),
            bad("spec that is not JSON", create("newm", spec("{not json")), 400, "model spec",
                    "expected a field name in double quotes"),
            bad("spec nested deeper than the limit", create("newm", spec("{\"layers\":" + "[".repeat(20)
                    + "]".repeat(20) + "}")), 400, "model spec", "nesting depth over the limit of 16"
                    + " (nabla.limits.max-json-depth)"),
            bad("spec with a field twice", create("newm", spec(SCALE_SPEC.replace("\"layers\"", "\"seed\": 1,"
                    + " \"seed\": 2, \"layers\""))), 400, "model spec: field 'seed' appears twice in the spec"),
            bad("spec with a layer field twice", create("newm", spec(SCALE_SPEC.replace("\"bias\": false",
                    "\"bias\": false, \"bias\": true"))), 400, "field 'bias' appears twice in layers[0]"),
            bad("two spec parts", create("newm", spec(SCALE_SPEC).part("spec", "spec.json", "application/json",
                    SCALE_SPEC.getBytes(StandardCharsets.UTF_8))), 400, "multipart part 'spec' appears twice"),
            bad("spec without inputs", create("newm", spec("{\"outputs\":[]}")), 400, "inputs"),
            bad("spec of two objects back to back", create("newm", spec(SCALE_SPEC + SCALE_SPEC)), 400,
                    "model spec: expected a JSON object, got invalid JSON at line 3, column",
                    "a second JSON value (an object) after the first one"),
            bad("spec with a UTF-8 byte-order mark", create("newm", new Http.Multipart().part("spec", "spec.json",
                    "application/json", ("\ufeff" + SCALE_SPEC).getBytes(StandardCharsets.UTF_8))), 400,
                    "model spec: expected UTF-8 JSON without a byte-order mark, got a UTF-8 byte-order mark"),
            bad("spec in UTF-16", create("newm", new Http.Multipart().part("spec", "spec.json",
                    "application/json", SCALE_SPEC.getBytes(StandardCharsets.UTF_16))), 400,
                    "model spec: expected UTF-8 JSON without a byte-order mark, got a UTF-16"),
            bad("spec with a leading plus sign", create("newm", spec(SCALE_SPEC.replace("\"layers\"",
                    "\"seed\": +1, \"layers\""))), 400, "at seed", "may not start with '+'"),
            bad("spec input of 17 dimensions", create("newm", spec(SCALE_SPEC.replaceFirst("\\[-1, 4\\]",
                    "[-1, 4" + ", 1".repeat(15) + "]"))), 400,
                    "inputs[0].shape: expected at most 16 dimensions (the most an inference request may have), got"
                    + " 17"),
            bad("weights with NaN in data_offsets", create("newm", spec(SCALE_SPEC).part("weights", "w.safetensors",
                    OCTET, header("{\"0.weight\":{\"dtype\":\"F32\",\"shape\":[4,4],\"data_offsets\":[0,NaN]}}"))),
                    400, "header is not valid JSON at 0.weight.data_offsets[1]", "NaN is not a JSON number"),
            bad("weights with +64 in data_offsets", create("newm", spec(SCALE_SPEC).part("weights", "w.safetensors",
                    OCTET, header("{\"0.weight\":{\"dtype\":\"F32\",\"shape\":[4,4],\"data_offsets\":[0,+64]}}"))),
                    400, "at 0.weight.data_offsets[1]", "may not start with '+'"),
            bad("weights with a 2000-digit offset", create("newm", spec(SCALE_SPEC).part("weights", "w.safetensors",
                    OCTET, header("{\"0.weight\":{\"dtype\":\"F32\",\"shape\":[4,4],\"data_offsets\":[0,1"
                    + "0".repeat(2000) + "]}}"))), 400, "at 0.weight.data_offsets[1]",
                    "a number is longer than 1000 characters"),
            bad("a pickle (zip) file as weights", create("newm", spec(SCALE_SPEC).part("weights", "w.pt", OCTET,
                    "PK\u0003\u0004pickle and code".getBytes())), 400, "safetensors"),
            bad("malformed safetensors header", create("newm", spec(SCALE_SPEC).part("weights", "w.safetensors",
                    OCTET, new byte[] {8, 0, 0, 0, 0, 0, 0, 0, '{', '"', 'a', '"', ':', ' ', ' ', ' '})), 400,
                    "safetensors"),
            bad("safetensors header length past the end", create("newm", spec(SCALE_SPEC).part("weights",
                    "w.safetensors", OCTET, new byte[] {(byte) 0xff, (byte) 0xff, 0, 0, 0, 0, 0, 0, '{', '}'})), 400,
                    "safetensors"),
            bad("weights missing a tensor", create("newm", spec(SCALE_SPEC).part("weights", "w.safetensors", OCTET,
                    Weights.diagonal("1.weight", 4, 1))), 400, "missing tensors [0.weight]",
                    "unexpected tensors [1.weight]"),
            bad("weights with an extra tensor", create("newm", spec(SCALE_SPEC).part("weights", "w.safetensors",
                    OCTET, Weights.file(Map.of("0.weight", new float[16], "0.bias", new float[4]),
                            Map.of("0.weight", new int[] {4, 4}, "0.bias", new int[] {4})))), 400,
                    "unexpected tensors [0.bias]"),
            bad("weights of the wrong shape", create("newm", spec(SCALE_SPEC).part("weights", "w.safetensors",
                    OCTET, Weights.diagonal("0.weight", 3, 1))), 400,
                    "'0.weight' has shape (3, 3), the model needs (4, 4)"),
            bad("layers that do not chain", create("newm", spec(SCALE_SPEC.replace("\"out_features\": 4",
                    "\"out_features\": 5"))), 400, "outputs[0].shape"),
            bad("unknown layer type", create("newm", spec(SCALE_SPEC.replace("Linear", "Transformer"))), 400,
                    "Transformer"),
            bad("create under a bad name", create("a..b", spec(SCALE_SPEC)), 400, "model name must match"),
            bad("load an unknown model", h -> h.post("/v2/repository/models/nosuch/load", null, new byte[0],
                    Map.of()), 404, "'nosuch' does not exist"),
            bad("weights of an unknown version", h -> h.get("/v2/repository/models/bad/versions/5/weights"), 404,
                    "has no version 5"),
            bad("delete an unknown version", h -> h.delete("/v2/repository/models/bad/versions/5"), 404,
                    "has no version 5"),
            bad("index with malformed JSON", h -> h.postJson("/v2/repository/index", "{\"ready\":"), 400,
                    "malformed JSON"),
            bad("index with a wrong field type", h -> h.postJson("/v2/repository/index", "{\"ready\":[1]}"), 400,
                    "ready: expected true or false, got an array"),
            bad("index nested deeper than the limit", h -> h.postJson("/v2/repository/index", "{\"x\":"
                    + "[".repeat(20) + "]".repeat(20) + "}"), 400, "nesting depth over the limit of 16"
                    + " (nabla.limits.max-json-depth)"),
            bad("index with a field twice", h -> h.postJson("/v2/repository/index", "{\"ready\":true,"
                    + "\"ready\":false}"), 400, "field 'ready' appears twice"),
            bad("index with a string for a boolean", h -> h.postJson("/v2/repository/index", "{\"ready\":\"x\"}"),
                    400, "ready: expected true or false, got the string \"x\""),
            bad("index with the string \"true\" for a boolean", h -> h.postJson("/v2/repository/index",
                    "{\"ready\":\"true\"}"), 400, "ready: expected true or false, got the string \"true\""),
            bad("index with a number for a boolean", h -> h.postJson("/v2/repository/index", "{\"ready\":2}"), 400,
                    "ready: expected true or false, got the number 2"),
            bad("index with an unknown field", h -> h.postJson("/v2/repository/index", "{\"readdy\":true}"), 400,
                    "unknown field 'readdy'; expected only 'ready'"),
            bad("index with an array body", h -> h.postJson("/v2/repository/index", "[true]"), 400,
                    "expected a JSON object", "got an array"),
            bad("index in YAML", h -> h.post("/v2/repository/index", "application/yaml",
                    "ready: true\nready: false\n".getBytes(StandardCharsets.UTF_8), Map.of()), 415,
                    "application/yaml", "is not supported"),
            bad("an answer asked for in YAML", h -> h.send("GET", "/v2", Map.of("Accept", "application/yaml")), 406,
                    "Accept 'application/yaml' names no format this endpoint answers in; expected [application/json"),
            bad("the container's error page asked for directly", h -> h.get("/error"), 404,
                    "no endpoint GET /error"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void isRefusedWithItsStatusAndAMessageNamingTheProblem(String name, Function<Http, Http.Reply> send,
            int status, String[] fragments) {
        Http.Reply r = send.apply(http);
        assertThat(r.status()).as("%s: %s", name, r.text()).isEqualTo(status);
        String message = r.error();
        for (String f : fragments) {
            assertThat(message).as(name).contains(f);
        }
        // the client is told what is wrong in the API's words, never with Java or library internals
        NoInternals.check(name, message);
        assertThat(http.get("/v2/health/live").status()).as("server alive after: " + name).isEqualTo(200);
        assertThat(http.get("/v2/health/ready").status()).as("server ready after: " + name).isEqualTo(200);
    }
}
