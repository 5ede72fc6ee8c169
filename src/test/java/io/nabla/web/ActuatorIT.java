package io.nabla.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Actuator exposes health (with liveness and readiness), info and prometheus, and nothing else. */
class ActuatorIT extends ServerTestBase {

    @Test
    void onlyHealthInfoAndPrometheusAreExposed() {
        assertThat(http.get("/actuator/health").json().get("status").stringValue()).isEqualTo("UP");
        assertThat(http.get("/actuator/health/liveness").json().get("status").stringValue()).isEqualTo("UP");
        assertThat(http.get("/actuator/health/readiness").json().get("status").stringValue()).isEqualTo("UP");
        assertThat(http.get("/actuator/info").text()).contains("\"version\"");
        for (String hidden : new String[] {"/actuator/env", "/actuator/beans", "/actuator/metrics",
            "/actuator/heapdump", "/actuator/threaddump", "/actuator/configprops", "/actuator/loggers",
            "/actuator/shutdown"}) {
            assertThat(http.get(hidden).status()).as(hidden).isEqualTo(404);
        }
    }

    @Test
    void theDiscoveryPageIsNotExposed() {
        for (String path : new String[] {"/actuator", "/actuator/"}) {
            Http.Reply r = http.get(path);
            assertThat(r.status()).as(path).isEqualTo(404);
            assertThat(r.text()).as(path).doesNotContain("_links", "prometheus");
        }
        assertThat(http.get("/actuator/prometheus").status()).isEqualTo(200);
    }

    @Test
    void perModelMetricsAndMemoryAreExported() {
        scaleModel("metered", 1);
        http.postJson("/v2/models/metered/infer", "{\"inputs\":[{\"name\":\"input\",\"shape\":[2,4],"
                + "\"datatype\":\"FP32\",\"data\":[1,2,3,4,5,6,7,8]}]}");
        http.postJson("/v2/models/metered/infer", "{\"inputs\":[{\"name\":\"wrong\",\"shape\":[2,4],"
                + "\"datatype\":\"FP32\",\"data\":[1,2,3,4,5,6,7,8]}]}");
        String text = http.get("/actuator/prometheus").text();
        assertThat(text).contains("nabla_inference_requests_total{model=\"metered\"} 2.0");
        assertThat(text).contains("nabla_inference_errors_total{model=\"metered\",reason=\"INVALID\"} 1.0");
        assertThat(text).contains("nabla_inference_latency_seconds_bucket{model=\"metered\"");
        assertThat(text).contains("nabla_inference_batch_size_rows_bucket{model=\"metered\"");
        assertThat(text).contains("nabla_model_memory_bytes{model=\"metered\",version=\"1\"}");
        assertThat(text).contains("nabla_memory_allocated_bytes{device=\"cpu\"}")
                .contains("nabla_memory_limit_bytes{device=\"cpu\"}");
    }

    @Test
    void swaggerUiIsOnByDefault() {
        assertThat(http.get("/swagger-ui/index.html").status()).isEqualTo(200);
    }
}
