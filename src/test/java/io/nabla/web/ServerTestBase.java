package io.nabla.web;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Starts the real server on a random port (shared by every test class extending this one, so one context serves
 * them all) with small limits and a fresh store.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "nabla.limits.max-body-size=1MB",
    "nabla.limits.max-json-depth=16",
    "nabla.limits.max-tensor-elements=100000",
    "nabla.limits.max-request-elements=150000",
    "nabla.batching.max-batch-size=8",
    "nabla.batching.queue-delay=20ms",
    "nabla.batching.queue-capacity=64",
    "management.info.env.enabled=true"})
abstract class ServerTestBase {

    static final Path STORE;

    static {
        try {
            STORE = Files.createTempDirectory("nabla-it-store");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Linear(4, 4) without bias: with a diagonal weight it multiplies its input by a scale, exactly. */
    static final String SCALE_SPEC = """
            {"inputs": [{"name": "input", "datatype": "FP32", "shape": [-1, 4]}],
             "outputs": [{"name": "output", "datatype": "FP32", "shape": [-1, 4]}],
             "layers": [{"type": "Linear", "in_features": 4, "out_features": 4, "bias": false}]}""";

    @DynamicPropertySource
    static void store(DynamicPropertyRegistry registry) {
        registry.add("nabla.store.path", STORE::toString);
    }

    @LocalServerPort
    int port;

    Http http;

    @BeforeEach
    void client() {
        http = new Http(port);
    }

    /** Creates a scale model (output = input * scale) and returns its version. */
    String scaleModel(String name, double scale) {
        return create(name, SCALE_SPEC, Weights.diagonal("0.weight", 4, scale));
    }

    /** Creates a model from a spec and weights (null: initialised from the spec's seed); returns its version. */
    String create(String name, String spec, byte[] weights) {
        Http.Reply r = http.createModel(name, spec, weights);
        if (r.status() != 201) {
            throw new AssertionError("create " + name + ": " + r.status() + " " + r.text());
        }
        return r.json().get("version").stringValue();
    }
}
