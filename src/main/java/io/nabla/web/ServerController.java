package io.nabla.web;

import io.nabla.gpu.GpuPool;
import io.nabla.inference.InferenceException;
import io.nabla.inference.ModelRegistry;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import java.time.Duration;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.LivenessState;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The Open Inference Protocol server endpoints: server metadata and health. Liveness fails while a GPU is unhealthy
 * (the GPU pool also turns the liveness state to BROKEN, so the actuator's liveness probe agrees).
 */
@RestController
@Tag(name = "server")
class ServerController {

    static final List<String> EXTENSIONS = List.of("binary_tensor_data", "classification", "logging",
            "model_configuration", "model_repository", "statistics", "training_jobs");

    private final ApplicationAvailability availability;
    private final ModelRegistry registry;
    private final String version;
    private final ObjectProvider<GpuPool> gpus;
    private volatile boolean draining;

    ServerController(ApplicationAvailability availability, ModelRegistry registry, Environment environment,
            ObjectProvider<GpuPool> gpus) {
        this.availability = availability;
        this.registry = registry;
        this.gpus = gpus;
        this.version = environment.getProperty("info.app.version", "0.0.0");
    }

    @GetMapping("/v2")
    @Operation(summary = "Server metadata")
    @ApiResponse(responseCode = "200")
    OipSchemas.ServerMetadata metadata() {
        return new OipSchemas.ServerMetadata("nabla", version, EXTENSIONS);
    }

    @GetMapping("/v2/health/live")
    @Operation(summary = "200 while the process can serve")
    @ApiResponse(responseCode = "200")
    @ApiResponse(responseCode = "503", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    OipSchemas.ServerLive live() {
        GpuPool pool = gpus.getIfAvailable();
        if (pool != null && !pool.healthy()) {
            throw new InferenceException(InferenceException.Kind.UNAVAILABLE, "the server is broken: a device hit a"
                    + " sticky CUDA error: " + pool.health().summary() + "; restart the process");
        }
        if (availability.getLivenessState() != LivenessState.CORRECT) {
            throw new InferenceException(InferenceException.Kind.UNAVAILABLE, "the server is broken: liveness is "
                    + availability.getLivenessState());
        }
        return new OipSchemas.ServerLive(true);
    }

    /**
     * The context closing means shutdown began: readiness is refusing because of it, not because of startup. Runs
     * first, before {@link ShutdownDrain} waits out the drain delay.
     */
    @EventListener(ContextClosedEvent.class)
    @Order(Ordered.HIGHEST_PRECEDENCE)
    void shutdownBegan() {
        draining = true;
    }

    @GetMapping("/v2/health/ready")
    @Operation(summary = "200 when every loaded model is ready; 503 while starting or draining")
    @ApiResponse(responseCode = "200")
    @ApiResponse(responseCode = "503", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    OipSchemas.ServerReady ready() {
        ReadinessState state = availability.getReadinessState();
        if (state != ReadinessState.ACCEPTING_TRAFFIC || !registry.accepting()) {
            throw new InferenceException(InferenceException.Kind.UNAVAILABLE, "the server is not ready: "
                    + (draining || !registry.accepting() ? "draining (shutting down)" : "still starting"),
                    Duration.ofSeconds(5), null);
        }
        if (!registry.healthy()) {
            throw new InferenceException(InferenceException.Kind.UNAVAILABLE, "the server is not ready: a loaded"
                    + " model stopped; see POST /v2/repository/index", Duration.ofSeconds(5), null);
        }
        return new OipSchemas.ServerReady(true);
    }
}
