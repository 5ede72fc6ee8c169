package io.nabla.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A small real HTTP client for the integration tests. */
final class Http {

    static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final String base;
    private final String token;

    Http(int port) {
        this(port, null);
    }

    Http(int port, String token) {
        this.base = "http://127.0.0.1:" + port;
        this.token = token;
    }

    Http withToken(String t) {
        return new Http(Integer.parseInt(base.substring(base.lastIndexOf(':') + 1)), t);
    }

    /** An answer: status, headers and the raw body. */
    record Reply(int status, HttpHeaders headers, byte[] body) {

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        JsonNode json() {
            return JSON.readTree(body);
        }

        /** The {@code error} message, asserting the body is exactly {@code {"error": "..."}}. */
        String error() {
            JsonNode n = json();
            assertThat(n.isObject() && n.size() == 1 && n.has("error"))
                    .as("error body of a %d answer: %s", status, text()).isTrue();
            return n.get("error").stringValue();
        }

        String header(String name) {
            return headers.firstValue(name).orElse(null);
        }
    }

    Reply get(String path) {
        return send(builder(path).GET());
    }

    Reply delete(String path) {
        return send(builder(path).DELETE());
    }

    Reply postJson(String path, String json) {
        return send(builder(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    Reply post(String path, String contentType, byte[] body, Map<String, String> headers) {
        HttpRequest.Builder b = builder(path).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        headers.forEach(b::header);
        return send(b);
    }

    /** Posts without a Content-Length (chunked transfer encoding). */
    Reply postChunked(String path, String contentType, byte[] body) {
        Supplier<InputStream> in = () -> new java.io.ByteArrayInputStream(body);
        return send(builder(path).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofInputStream(in)));
    }

    Reply send(String method, String path, Map<String, String> headers) {
        HttpRequest.Builder b = builder(path).method(method, HttpRequest.BodyPublishers.noBody());
        headers.forEach(b::header);
        return send(b);
    }

    HttpRequest.Builder builder(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    Reply send(HttpRequest.Builder b) {
        try {
            HttpResponse<byte[]> r = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Reply(r.statusCode(), r.headers(), r.body());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A multipart/form-data body; parts are (name, filename or null, content type or null, bytes). */
    static final class Multipart {
        final String boundary = "nabla-test-boundary-7f3a";
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Multipart part(String name, String filename, String contentType, byte[] content) {
            write("--" + boundary + "\r\n");
            write("Content-Disposition: form-data; name=\"" + name + "\""
                    + (filename == null ? "" : "; filename=\"" + filename + "\"") + "\r\n");
            if (contentType != null) {
                write("Content-Type: " + contentType + "\r\n");
            }
            write("\r\n");
            out.writeBytes(content);
            write("\r\n");
            return this;
        }

        byte[] build() {
            write("--" + boundary + "--\r\n");
            return out.toByteArray();
        }

        String contentType() {
            return "multipart/form-data; boundary=" + boundary;
        }

        private void write(String s) {
            out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
        }
    }

    Reply createModel(String name, String spec, byte[] weights) {
        Multipart m = new Multipart().part("spec", "spec.json", "application/json",
                spec.getBytes(StandardCharsets.UTF_8));
        if (weights != null) {
            m.part("weights", "weights.safetensors", "application/octet-stream", weights);
        }
        return post("/v2/repository/models/" + name, m.contentType(), m.build(), Map.of());
    }
}
