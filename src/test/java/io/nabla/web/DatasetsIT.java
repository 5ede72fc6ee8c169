package io.nabla.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.nabla.jobs.DatasetFiles;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The dataset endpoints over real HTTP: upload, describe, list newest first, delete. */
class DatasetsIT extends ServerTestBase {

    static Http.Reply upload(Http http, byte[] file) {
        Http.Multipart m = new Http.Multipart().part("file", "data.safetensors", "application/octet-stream", file);
        return http.post("/v1/datasets", m.contentType(), m.build(), Map.of());
    }

    @Test
    void uploadDescribeListAndDelete() {
        Http.Reply created = upload(http, DatasetFiles.golden());
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        JsonNode ds = created.json();
        String id = ds.get("id").stringValue();
        assertThat(id).matches("ds-[0-9a-f]{16}");
        assertThat(created.header("Location")).isEqualTo("/v1/datasets/" + id);
        assertThat(ds.get("size").longValue()).isEqualTo(96);
        assertThat(names(ds.get("tensors"))).containsExactly("input", "target");
        assertThat(ds.get("tensors").get("input").toString()).isEqualTo("{\"dtype\":\"F32\",\"shape\":[96,20]}");
        assertThat(ds.get("tensors").get("target").toString()).isEqualTo("{\"dtype\":\"I64\",\"shape\":[96]}");
        assertThat(ds.get("created_at").stringValue()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
        assertThat(names(ds)).containsExactly("id", "size", "tensors", "created_at");

        Http.Reply got = http.get("/v1/datasets/" + id);
        assertThat(got.status()).isEqualTo(200);
        assertThat(got.json()).isEqualTo(ds);

        Http.Reply second = upload(http, DatasetFiles.golden());
        assertThat(second.status()).isEqualTo(201);
        String id2 = second.json().get("id").stringValue();
        assertThat(id2).isNotEqualTo(id);
        List<String> listed = new ArrayList<>();
        http.get("/v1/datasets").json().forEach(n -> listed.add(n.get("id").stringValue()));
        assertThat(listed).containsSubsequence(id2, id);

        assertThat(http.delete("/v1/datasets/" + id).status()).isEqualTo(204);
        assertThat(http.get("/v1/datasets/" + id).status()).isEqualTo(404);
        assertThat(http.delete("/v1/datasets/" + id).error()).contains("dataset '" + id + "' does not exist");
        assertThat(http.get("/v1/datasets").text()).doesNotContain(id).contains(id2);
        assertThat(http.delete("/v1/datasets/" + id2).status()).isEqualTo(204);
    }

    private static List<String> names(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.propertyNames().forEach(out::add);
        return out;
    }
}
