package io.nabla.web;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.nabla.inference.InferenceStatistics;
import io.nabla.inference.ModelNames;
import io.nabla.inference.ModelRegistry;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * Triton's statistics extension ({@code GET /v2/models[/{model}[/versions/{version}]]/stats}): per model version,
 * the requests that succeeded and failed, queue and compute times, inferences and executions, and compute times per
 * batch size, in the document shape of Triton's extension specification. Only the versions loaded since the
 * server started are listed; {@code cache_hit}/{@code cache_miss} are always zero (there is no response cache).
 */
@RestController
@Tag(name = "inference")
class StatisticsController {

    private final ModelRegistry registry;

    StatisticsController(ModelRegistry registry) {
        this.registry = registry;
    }

    @GetMapping("/v2/models/stats")
    @Operation(summary = "Inference statistics of every loaded model version (Triton's statistics extension)")
    @ApiResponse(responseCode = "200")
    Statistics all() {
        return of(registry.statistics(null, null));
    }

    @GetMapping("/v2/models/{model}/stats")
    @Operation(summary = "Inference statistics of a model's versions")
    @ApiResponse(responseCode = "200")
    @ApiResponse(responseCode = "400", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "404", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    Statistics model(@PathVariable String model) {
        return of(registry.statistics(ModelNames.check(model), null));
    }

    @GetMapping("/v2/models/{model}/versions/{version}/stats")
    @Operation(summary = "Inference statistics of one version")
    @ApiResponse(responseCode = "200")
    @ApiResponse(responseCode = "400", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "404", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    Statistics version(@PathVariable String model, @PathVariable String version) {
        return of(registry.statistics(ModelNames.check(model), ModelNames.version(version)));
    }

    private static Statistics of(List<InferenceStatistics.VersionStat> stats) {
        return new Statistics(stats.stream().map(ModelStat::of).toList());
    }

    @Schema(name = "InferenceStatistics", description = "Triton's statistics extension: one entry per model version")
    record Statistics(@JsonProperty("model_stats") List<ModelStat> modelStats) {
    }

    @Schema(name = "ModelStatistics", description = "One model version's figures since the server started")
    record ModelStat(String name, String version,
            @JsonProperty("last_inference") @Schema(description = "milliseconds since the epoch of the last "
                    + "successful request, 0 before any") long lastInference,
            @JsonProperty("inference_count") @Schema(description = "rows inferred (a request of n rows counts n)")
            long inferenceCount,
            @JsonProperty("execution_count") @Schema(description = "forward passes run (requests batched into one "
                    + "count once)") long executionCount,
            @JsonProperty("inference_stats") InferenceStats inferenceStats,
            @JsonProperty("batch_stats") List<BatchStats> batchStats) {

        static ModelStat of(InferenceStatistics.VersionStat s) {
            List<BatchStats> batches = new ArrayList<>();
            for (Map.Entry<Integer, InferenceStatistics.BatchStat> e : s.batchStats().entrySet()) {
                batches.add(new BatchStats(e.getKey(), DurationStat.of(e.getValue().computeInput),
                        DurationStat.of(e.getValue().computeInfer), DurationStat.of(e.getValue().computeOutput)));
            }
            return new ModelStat(s.name, Integer.toString(s.version), s.lastInference(), s.inferenceCount(),
                    s.executionCount(), new InferenceStats(DurationStat.of(s.success), DurationStat.of(s.fail),
                    DurationStat.of(s.queue), DurationStat.of(s.computeInput), DurationStat.of(s.computeInfer),
                    DurationStat.of(s.computeOutput), new DurationStat(0, 0), new DurationStat(0, 0)), batches);
        }
    }

    @Schema(name = "InferenceStats", description = "Per request: success and fail (arrival to answer), queue (waiting "
            + "for its forward pass), and the compute times of the pass that served it")
    record InferenceStats(DurationStat success, DurationStat fail, DurationStat queue,
            @JsonProperty("compute_input") DurationStat computeInput,
            @JsonProperty("compute_infer") DurationStat computeInfer,
            @JsonProperty("compute_output") DurationStat computeOutput,
            @JsonProperty("cache_hit") DurationStat cacheHit, @JsonProperty("cache_miss") DurationStat cacheMiss) {
    }

    @Schema(name = "BatchStats", description = "The forward passes of one batch size (rows)")
    record BatchStats(@JsonProperty("batch_size") int batchSize,
            @JsonProperty("compute_input") DurationStat computeInput,
            @JsonProperty("compute_infer") DurationStat computeInfer,
            @JsonProperty("compute_output") DurationStat computeOutput) {
    }

    @Schema(name = "DurationStat", description = "A count and its total time in nanoseconds")
    record DurationStat(long count, long ns) {

        static DurationStat of(InferenceStatistics.Duration d) {
            return new DurationStat(d.count(), d.ns());
        }
    }
}
