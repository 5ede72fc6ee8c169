package io.nabla.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** With tokens configured every path but /v2/health/* needs a valid bearer token; Swagger UI switched off. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "nabla.security.tokens=first-secret-token,second-secret-token",
    "nabla.openapi.swagger-ui=false"})
class SecurityIT {

    @DynamicPropertySource
    static void store(DynamicPropertyRegistry registry) throws Exception {
        Path store = Files.createTempDirectory("nabla-security-store");
        registry.add("nabla.store.path", store::toString);
    }

    @LocalServerPort
    int port;

    Http anonymous;
    Http authorised;

    @BeforeEach
    void clients() {
        anonymous = new Http(port);
        authorised = new Http(port, "first-secret-token");
    }

    @Test
    void healthNeedsNoToken() {
        assertThat(anonymous.get("/v2/health/live").status()).isEqualTo(200);
        assertThat(anonymous.get("/v2/health/ready").status()).isEqualTo(200);
    }

    @Test
    void everythingElseNeedsAValidBearerToken() {
        for (String path : new String[] {"/v2", "/v2/models/x", "/v1/devices", "/v1/datasets", "/v1/jobs",
            "/v1/jobs/x", "/v1/jobs/x/events", "/actuator/health",
            "/actuator/prometheus", "/v3/api-docs", "/nowhere", "/v2/health/live;x=1",
            "/v2/health/live/..%2F..%2Fv2"}) {
            Http.Reply r = anonymous.get(path);
            assertThat(r.status()).as(path).isEqualTo(401);
            assertThat(r.error()).as(path).contains("missing Authorization header");
            assertThat(r.header("WWW-Authenticate")).isEqualTo("Bearer");
        }
        assertThat(anonymous.withToken("wrong-token").get("/v2").error()).contains("bearer token is not valid");
        assertThat(anonymous.withToken("first-secret-toke").get("/v2").status()).isEqualTo(401);
        assertThat(anonymous.send("GET", "/v2", Map.of("Authorization", "Basic Zm9vOmJhcg==")).error())
                .contains("Bearer scheme");
        assertThat(anonymous.post("/v2/repository/models/m", "multipart/form-data; boundary=x", new byte[10],
                Map.of()).status()).isEqualTo(401);
        assertThat(anonymous.post("/v1/datasets", "multipart/form-data; boundary=x", new byte[10],
                Map.of()).status()).isEqualTo(401);
        assertThat(anonymous.postJson("/v1/jobs", "{}").status()).isEqualTo(401);
        assertThat(anonymous.delete("/v1/jobs/x").status()).isEqualTo(401);
        assertThat(authorised.get("/v1/jobs").status()).isEqualTo(200);
    }

    @Test
    void everyConfiguredTokenIsAccepted() {
        assertThat(authorised.get("/v2").status()).isEqualTo(200);
        assertThat(anonymous.withToken("second-secret-token").get("/v1/devices").status()).isEqualTo(200);
        assertThat(authorised.get("/actuator/prometheus").status()).isEqualTo(200);
        assertThat(authorised.get("/nowhere").status()).isEqualTo(404);
    }

    @Test
    void swaggerUiCanBeSwitchedOffWhileTheApiDocsStay() {
        assertThat(authorised.get("/swagger-ui/index.html").status()).isEqualTo(404);
        assertThat(authorised.get("/swagger-ui.html").status()).isEqualTo(404);
        assertThat(authorised.get("/v3/api-docs").status()).isEqualTo(200);
    }
}
