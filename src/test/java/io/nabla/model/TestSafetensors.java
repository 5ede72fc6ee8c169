package io.nabla.model;

import io.nabla.backend.DType;
import io.nabla.tensor.Tensor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A minimal safetensors reader for the golden fixtures in tests (test-only). */
final class TestSafetensors {

    private TestSafetensors() {
    }

    static Map<String, Tensor> read(String resource) {
        try (InputStream in = TestSafetensors.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + resource);
            }
            ByteBuffer b = ByteBuffer.wrap(in.readAllBytes()).order(ByteOrder.LITTLE_ENDIAN);
            int n = (int) b.getLong(0);
            JsonNode header = JsonMapper.builder().build().readTree(new String(b.array(), 8, n,
                    java.nio.charset.StandardCharsets.UTF_8));
            Map<String, Tensor> out = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> e : header.properties()) {
                if (e.getKey().equals("__metadata__")) {
                    continue;
                }
                JsonNode t = e.getValue();
                DType dtype = DType.parse(t.get("dtype").stringValue());
                int[] shape = new int[t.get("shape").size()];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = t.get("shape").get(i).intValue();
                }
                int begin = t.get("data_offsets").get(0).intValue();
                int end = t.get("data_offsets").get(1).intValue();
                ByteBuffer data = ByteBuffer.wrap(b.array(), 8 + n + begin, end - begin).slice()
                        .order(ByteOrder.LITTLE_ENDIAN);
                out.put(e.getKey(), Tensor.fromBytes(dtype, shape, data));
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
