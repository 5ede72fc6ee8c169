package io.nabla.model;

import io.nabla.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Reads the training-run fixtures in src/test/resources/golden/models. */
final class GoldenModels {

    private GoldenModels() {
    }

    static byte[] bytes(String resource) {
        try (InputStream in = GoldenModels.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + resource);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static String text(String resource) {
        return new String(bytes(resource), StandardCharsets.UTF_8);
    }

    /** The tensors of a safetensors resource, allocated in the current scope. */
    static Map<String, Tensor> safetensors(String resource) {
        try (SafetensorsFile f = SafetensorsFile.read(bytes(resource))) {
            return f.tensors();
        }
    }
}
