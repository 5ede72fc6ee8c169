package io.nabla.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** openapi/nabla.yaml describes exactly what the running server serves at /v3/api-docs. */
class OpenApiIT extends ServerTestBase {

    static final Path FILE = Path.of("openapi", "nabla.yaml");

    static JsonNode file() throws IOException {
        Map<String, Object> yaml = new Yaml().load(Files.readString(FILE));
        return Http.JSON.valueToTree(yaml);
    }

    JsonNode served() throws IOException {
        Http.Reply r = http.get("/v3/api-docs");
        assertThat(r.status()).isEqualTo(200);
        Files.createDirectories(Path.of("target"));
        Files.write(Path.of("target", "api-docs.json"), r.body());
        return r.json();
    }

    @Test
    void theFileMatchesTheServedDocument() throws IOException {
        List<String> differences = OpenApiComparison.differences(file(), served());
        assertThat(differences).as("differences between %s and /v3/api-docs (served copy in target/api-docs.json)",
                FILE).isEmpty();
    }

    /** The YAML form is written by springdoc itself, so it survives the server keeping only JSON converters. */
    @Test
    void theYamlFormIsServedToo() {
        Http.Reply r = http.get("/v3/api-docs.yaml");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text()).startsWith("openapi:").contains("/v2/repository/index");
    }

    @Test
    void theComparisonCatchesEachKindOfDrift() throws IOException {
        JsonNode served = served();
        JsonNode doc = file();

        ObjectNode noPath = (ObjectNode) doc.deepCopy();
        ((ObjectNode) noPath.get("paths")).remove("/v1/devices");
        assertThat(OpenApiComparison.differences(noPath, served)).singleElement().asString()
                .contains("paths", "only on the server: [/v1/devices]");

        ObjectNode noMethod = (ObjectNode) doc.deepCopy();
        ((ObjectNode) noMethod.get("paths").get("/v2/repository/models/{model}")).remove("delete");
        assertThat(OpenApiComparison.differences(noMethod, served)).singleElement().asString()
                .contains("/v2/repository/models/{model} methods", "only on the server: [delete]");

        ObjectNode extraStatus = (ObjectNode) doc.deepCopy();
        ((ObjectNode) extraStatus.get("paths").get("/v2").get("get").get("responses"))
                .set("418", Http.JSON.createObjectNode().put("description", "teapot"));
        assertThat(OpenApiComparison.differences(extraStatus, served)).singleElement().asString()
                .contains("/v2 GET responses", "only in the file: [418]");

        ObjectNode renamed = (ObjectNode) doc.deepCopy();
        ObjectNode props = (ObjectNode) renamed.get("components").get("schemas").get("InferenceResponse")
                .get("properties");
        props.set("modelName", props.remove("model_name"));
        assertThat(OpenApiComparison.differences(renamed, served)).singleElement().asString()
                .contains("schema InferenceResponse properties", "only in the file: [modelName]",
                        "only on the server: [model_name]");

        ObjectNode otherSchema = (ObjectNode) doc.deepCopy();
        ((ObjectNode) otherSchema.get("paths").get("/v2").get("get").get("responses").get("200").get("content")
                .get("application/json").get("schema")).put("$ref", "#/components/schemas/ModelMetadata");
        assertThat(OpenApiComparison.differences(otherSchema, served)).singleElement().asString()
                .contains("/v2 GET 200 application/json schema");
    }
}
