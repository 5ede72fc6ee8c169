package io.nabla.web;

import static io.nabla.jobs.DatasetFiles.entry;
import static io.nabla.jobs.DatasetFiles.raw;
import static org.assertj.core.api.Assertions.assertThat;

import io.nabla.jobs.DatasetFiles;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad dataset uploads and ids: each gets its 4xx status and an {@code {"error"}} message naming the problem, nothing
 * is stored, and the server stays healthy after each.
 */
class DatasetBadInputIT extends ServerTestBase {

    private static final String OCTET = "application/octet-stream";

    private static Function<Http, Http.Reply> upload(byte[] file) {
        return h -> DatasetsIT.upload(h, file);
    }

    private static Arguments bad(String name, Function<Http, Http.Reply> send, int status, String... fragments) {
        return Arguments.of(name, send, status, fragments);
    }

    static Stream<Arguments> cases() {
        byte[] golden = DatasetFiles.golden();
        byte[] big = new byte[1_200_000];
        Http.Multipart noFile = new Http.Multipart().part("data", "data.safetensors", OCTET, golden);
        return Stream.of(
            bad("not safetensors", upload("input,target\n1,2\n".getBytes()), 400, "not valid safetensors"),
            bad("empty file", upload(new byte[0]), 400, "file too short: 0 bytes"),
            bad("truncated file", upload(Arrays.copyOf(golden, 100)), 400, "runs past the end of the file"),
            bad("truncated data section", upload(Arrays.copyOf(golden, golden.length - 8)), 400,
                    "not valid safetensors", "target"),
            bad("malformed header", upload(raw("{\"input\":{\"dtype\":", 0)), 400, "not valid safetensors"),
            bad("unknown dtype", upload(raw("{" + entry("x", "F8", "[2]", 0, 2) + "}", 2)), 400, "F8"),
            bad("zip archive (torch.save)", upload("PK\u0003\u0004pickle and code".getBytes()), 400,
                    "looks like a zip archive", "not safetensors"),
            bad("pickle", upload(new byte[] {(byte) 0x80, 2, '}', 'q', 0, 'X', 1, 0, 0, 0, 'a', 'q'}), 400,
                    "looks like a PyTorch pickle"),
            bad("no tensors", upload(raw("{}", 0)), 400, "holds no tensors"),
            bad("refusal names the uploaded file", h -> {
                Http.Multipart m = new Http.Multipart().part("file", "train-set.st", OCTET,
                        raw("{\"x\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,NaN]}}", 1));
                return h.post("/v1/datasets", m.contentType(), m.build(), Map.of());
            }, 400, "the dataset file is not valid safetensors: 'train-set.st': header is not valid JSON at"
                    + " x.data_offsets[1]", "NaN is not a JSON number"),
            bad("2000-digit offset", upload(raw("{\"x\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1"
                    + "0".repeat(2000) + "]}}", 1)), 400, "at x.data_offsets[1]",
                    "a number is longer than 1000 characters"),
            bad("only metadata", upload(raw("{\"__metadata__\":{\"format\":\"pt\"}}", 0)), 400, "holds no tensors"),
            bad("0-d tensor", upload(raw("{" + entry("input", "F32", "[2]", 0, 8) + ","
                    + entry("weight", "F32", "[]", 8, 12) + "}", 12)), 400, "'weight' is a scalar (0-d"),
            bad("first dimensions differ", upload(raw("{" + entry("input", "F32", "[3,2]", 0, 24) + ","
                    + entry("target", "I64", "[2]", 24, 40) + "}", 40)), 400, "share their first dimension",
                    "'input' has 3 (shape (3, 2))", "'target' has 2 (shape (2))"),
            bad("no samples (N = 0)", upload(raw("{" + entry("input", "F32", "[0,784]", 0, 0) + ","
                    + entry("target", "I64", "[0]", 0, 0) + "}", 0)), 400, "no samples", "is 0"),
            bad("missing file part", h -> h.post("/v1/datasets", noFile.contentType(), noFile.build(), Map.of()),
                    400, "multipart part 'file' is missing"),
            bad("JSON instead of multipart", h -> h.postJson("/v1/datasets", "{}"), 415, "application/json",
                    "multipart/form-data"),
            bad("raw bytes instead of multipart", h -> h.post("/v1/datasets", OCTET, golden, Map.of()), 415,
                    OCTET, "multipart/form-data"),
            bad("malformed multipart", h -> h.post("/v1/datasets", "multipart/form-data; boundary=xyz",
                    "--xyz\r\nContent-Disp".getBytes(), Map.of()), 400, "multipart"),
            bad("body over the limit (Content-Length)", upload(big), 413, "over the limit"),
            bad("chunked body over the limit", h -> {
                Http.Multipart m = new Http.Multipart().part("file", "d.safetensors", OCTET, big);
                return h.postChunked("/v1/datasets", m.contentType(), m.build());
            }, 413, "over the limit"),
            bad("unknown id", h -> h.get("/v1/datasets/ds-0123456789abcdef"), 404,
                    "dataset 'ds-0123456789abcdef' does not exist"),
            bad("delete an unknown id", h -> h.delete("/v1/datasets/ds-0123456789abcdef"), 404,
                    "dataset 'ds-0123456789abcdef' does not exist"),
            bad("id with a double dot", h -> h.get("/v1/datasets/a..b"), 400, "dataset id must match",
                    "not contain '..'", "'a..b'"),
            bad("path traversal with encoded slashes", h -> h.get("/v1/datasets/..%2F..%2Fetc%2Fpasswd"), 400,
                    "dataset id must match", "'../../etc/passwd'"),
            bad("delete with encoded traversal", h -> h.delete("/v1/datasets/..%2Fmodels"), 400,
                    "dataset id must match"),
            bad("encoded backslash", h -> h.get("/v1/datasets/..%5Cx"), 400, "dataset id must match"),
            bad("id starting with a dot", h -> h.delete("/v1/datasets/.staging"), 400, "dataset id must match",
                    "'.staging'"),
            bad("id with an encoded space", h -> h.get("/v1/datasets/a%20b"), 400, "got 'a b'"),
            bad("id with an encoded NUL", h -> h.get("/v1/datasets/a%00b"), 400, "HTTP 400"),
            bad("id too long", h -> h.get("/v1/datasets/" + "x".repeat(65)), 400, "{0,63}"),
            bad("method not allowed", h -> h.send("PUT", "/v1/datasets", Map.of()), 405,
                    "method PUT is not allowed", "GET", "POST"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void isRefusedWithItsStatusAndAMessageNamingTheProblem(String name, Function<Http, Http.Reply> send,
            int status, String[] fragments) {
        int before = http.get("/v1/datasets").json().size();
        Http.Reply r = send.apply(http);
        assertThat(r.status()).as("%s: %s", name, r.text()).isEqualTo(status);
        String message = r.error();
        for (String f : fragments) {
            assertThat(message).as(name).contains(f);
        }
        NoInternals.check(name, message);
        assertThat(http.get("/v1/datasets").json().size()).as("nothing stored after: " + name).isEqualTo(before);
        assertThat(http.get("/v2/health/live").status()).as("server alive after: " + name).isEqualTo(200);
        assertThat(http.get("/v2/health/ready").status()).as("server ready after: " + name).isEqualTo(200);
    }
}
