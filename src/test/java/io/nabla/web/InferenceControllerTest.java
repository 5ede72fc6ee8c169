package io.nabla.web;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.ArgumentMatchers.isNull;
import static org.mockito.Mockito.when;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import io.nabla.backend.OutOfDeviceMemoryException;
import io.nabla.config.NablaProperties;
import io.nabla.inference.InferenceException;
import io.nabla.inference.ModelRegistry;
import io.nabla.inference.StoredVersion;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.availability.LivenessState;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.http.MediaType;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;

/**
 * The inference and server controllers in a web slice with a mocked registry: how each refusal of the service
 * becomes a status (with Retry-After where retrying helps), and the health answers while starting and draining.
 */
@WebMvcTest(controllers = {InferenceController.class, ServerController.class})
class InferenceControllerTest {

    @TestConfiguration(proxyBeanMethods = false)
    @EnableConfigurationProperties(NablaProperties.class)
    static class Properties {
    }

    private static final String BODY = "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"FP32\","
            + "\"data\":[1,2,3,4]}]}";

    @Autowired
    MockMvc mvc;

    @MockitoBean
    ModelRegistry registry;

    @MockitoBean
    ApplicationAvailability availability;

    @BeforeEach
    void known() {
        when(registry.resolve(eq("m"), isNull())).thenReturn(new StoredVersion("m", 1, Path.of("unused")));
        when(registry.accepting()).thenReturn(true);
        when(registry.healthy()).thenReturn(true);
        when(availability.getLivenessState()).thenReturn(LivenessState.CORRECT);
        when(availability.getReadinessState()).thenReturn(ReadinessState.ACCEPTING_TRAFFIC);
    }

    private void refusal(RuntimeException e, int status, String message) throws Exception {
        when(registry.infer(eq("m"), isNull(), any())).thenThrow(e);
        mvc.perform(post("/v2/models/m/infer").contentType(MediaType.APPLICATION_JSON).content(BODY))
                .andExpect(status().is(status)).andExpect(jsonPath("$.error").value(message));
    }

    @Test
    void overloadedIs429WithRetryAfter() throws Exception {
        when(registry.infer(eq("m"), isNull(), any())).thenThrow(new InferenceException(
                InferenceException.Kind.OVERLOADED, "queue full", Duration.ofSeconds(2), null));
        mvc.perform(post("/v2/models/m/infer").contentType(MediaType.APPLICATION_JSON).content(BODY))
                .andExpect(status().is(429)).andExpect(header().string("Retry-After", "2"))
                .andExpect(jsonPath("$.error").value("queue full"));
    }

    @Test
    void unavailableIs503WithRetryAfter() throws Exception {
        when(registry.infer(eq("m"), isNull(), any())).thenThrow(new InferenceException(
                InferenceException.Kind.UNAVAILABLE, "draining", Duration.ofSeconds(5), null));
        mvc.perform(post("/v2/models/m/infer").contentType(MediaType.APPLICATION_JSON).content(BODY))
                .andExpect(status().is(503)).andExpect(header().string("Retry-After", "5"));
    }

    @Test
    void outOfMemoryIs507() throws Exception {
        refusal(new OutOfDeviceMemoryException("allocation of 4096 bytes failed on cpu", 4096), 507,
                "allocation of 4096 bytes failed on cpu");
        refusal(new InferenceException(InferenceException.Kind.OUT_OF_MEMORY, "no room"), 507, "no room");
    }

    @Test
    void conflictIs409AndEngineArgumentErrorsAre400() throws Exception {
        refusal(new InferenceException(InferenceException.Kind.CONFLICT, "busy"), 409, "busy");
        refusal(new IllegalArgumentException("cannot matmul (2, 3) by (4, 5): inner dims 3 != 4"), 400,
                "cannot matmul (2, 3) by (4, 5): inner dims 3 != 4");
    }

    @Test
    void readinessIs503WhileStartingOrDraining() throws Exception {
        mvc.perform(get("/v2/health/ready")).andExpect(status().isOk()).andExpect(jsonPath("$.ready").value(true));
        when(availability.getReadinessState()).thenReturn(ReadinessState.REFUSING_TRAFFIC);
        mvc.perform(get("/v2/health/ready")).andExpect(status().is(503))
                .andExpect(jsonPath("$.error").value("the server is not ready: still starting"));
        when(availability.getReadinessState()).thenReturn(ReadinessState.ACCEPTING_TRAFFIC);
        when(registry.accepting()).thenReturn(false);
        mvc.perform(get("/v2/health/ready")).andExpect(status().is(503))
                .andExpect(jsonPath("$.error").value("the server is not ready: draining (shutting down)"));
    }

    @Test
    void livenessIs503WhenBroken() throws Exception {
        when(availability.getLivenessState()).thenReturn(LivenessState.BROKEN);
        mvc.perform(get("/v2/health/live")).andExpect(status().is(503))
                .andExpect(jsonPath("$.error").value("the server is broken: liveness is BROKEN"));
    }
}
