package io.nabla.jobs;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import io.nabla.model.SafetensorsLimits;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The small JSON file stored next to a dataset's safetensors file:
 * {@code {"id", "size", "tensors": {"name": {"dtype", "shape"}}, "created_at"}}, the same fields the API answers.
 *
 * <p>The tensor names come from the uploaded file's header, so the description is parsed under the same JSON
 * constraints as that header ({@link SafetensorsLimits#jsonConstraints()}): whatever the upload accepted, the store
 * reads again on restart (with Jackson's defaults a long name made an accepted dataset vanish at the next start).
 */
final class DatasetDescription {

    private static final JsonMapper JSON = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(SafetensorsLimits.jsonConstraints())
                    .build())
            .build();

    private DatasetDescription() {
    }

    static byte[] toJson(DatasetInfo info) {
        ObjectNode root = JSON.createObjectNode();
        root.put("id", info.id());
        root.put("size", info.size());
        ObjectNode tensors = root.putObject("tensors");
        info.tensors().forEach((name, t) -> {
            ObjectNode n = tensors.putObject(name);
            n.put("dtype", t.dtype());
            ArrayNode shape = n.putArray("shape");
            t.shape().forEach(shape::add);
        });
        root.put("created_at", info.createdAt().toString());
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
    }

    /** Parses a description; fails with an {@link IllegalArgumentException} naming the missing or bad field. */
    static DatasetInfo fromJson(byte[] bytes) {
        JsonNode root = JSON.readTree(bytes);
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : field(root, "tensors").properties()) {
            List<Long> shape = new ArrayList<>();
            for (JsonNode d : field(e.getValue(), "shape")) {
                shape.add(d.longValue());
            }
            tensors.put(e.getKey(), new TensorInfo(field(e.getValue(), "dtype").stringValue(), shape));
        }
        return new DatasetInfo(field(root, "id").stringValue(), field(root, "size").longValue(), tensors,
                Instant.parse(field(root, "created_at").stringValue()));
    }

    private static JsonNode field(JsonNode node, String name) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException("dataset description has no '" + name + "'");
        }
        return v;
    }
}
