package io.nabla.web;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.nabla.config.NablaProperties;
import io.nabla.inference.ModelDescription;
import io.nabla.inference.ModelNames;
import io.nabla.inference.ModelRegistry;
import io.nabla.inference.TensorSignature;
import io.nabla.model.ModelSpec;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * Triton's model configuration ({@code GET /v2/models/{model}[/versions/{version}]/config}), as the JSON form of its
 * {@code ModelConfig}: {@code max_batch_size} is {@code nabla.batching.max-batch-size} when every input and output
 * has a variable first dimension (then {@code dims} leave it out, as Triton's do) and 0 otherwise;
 * {@code dynamic_batching} carries the queue delay; {@code instance_group} the device the spec asks for
 * ({@code KIND_AUTO} for {@code auto} and {@code cuda}, which the server picks at load); the spec's precision is a
 * parameter. Read-only: the configuration is the spec, which a new version changes.
 */
@RestController
@Tag(name = "models")
class ModelConfigController {

    private final ModelRegistry registry;
    private final NablaProperties.Batching batching;

    ModelConfigController(ModelRegistry registry, NablaProperties properties) {
        this.registry = registry;
        this.batching = properties.batching();
    }

    @GetMapping("/v2/models/{model}/config")
    @Operation(summary = "The newest version's configuration, as Triton's ModelConfig")
    @ApiResponse(responseCode = "200")
    @ApiResponse(responseCode = "400", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "404", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    ModelConfig config(@PathVariable String model) {
        return configOf(ModelNames.check(model), null);
    }

    @GetMapping("/v2/models/{model}/versions/{version}/config")
    @Operation(summary = "One version's configuration, as Triton's ModelConfig")
    @ApiResponse(responseCode = "200")
    @ApiResponse(responseCode = "400", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "404", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    ModelConfig config(@PathVariable String model, @PathVariable String version) {
        return configOf(ModelNames.check(model), ModelNames.version(version));
    }

    private ModelConfig configOf(String model, Integer version) {
        ModelDescription d = registry.describe(model, version);
        ModelSpec spec = ModelSpec.parse(new String(registry.resolve(model, d.version()).readSpec(),
                StandardCharsets.UTF_8));
        List<TensorSignature> all = new java.util.ArrayList<>(d.signature().inputs());
        all.addAll(d.signature().outputs());
        boolean batched = all.stream().allMatch(TensorSignature::batchable);
        String device = spec.device() == null ? "auto" : spec.device();
        InstanceGroup group = device.equals("cpu") ? new InstanceGroup(model + "_0", "KIND_CPU", 1, null)
                : device.startsWith("cuda:") ? new InstanceGroup(model + "_0", "KIND_GPU", 1,
                        List.of(Integer.parseInt(device.substring(5))))
                : new InstanceGroup(model + "_0", "KIND_AUTO", 1, null);
        return new ModelConfig(model, "nabla", "nabla", Map.of("all", Map.of()), batched ? batching.maxBatchSize() : 0,
                d.signature().inputs().stream().map(t -> Tensor.of(t, batched)).toList(),
                d.signature().outputs().stream().map(t -> Tensor.of(t, batched)).toList(),
                batched ? new DynamicBatching(batching.queueDelay().toNanos() / 1000) : null, List.of(group),
                Map.of("precision", new Parameter(spec.precision() == null ? "fp32" : spec.precision())));
    }

    @Schema(name = "ModelConfig", description = "Triton's ModelConfig of a version (JSON form)")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ModelConfig(String name, String platform, String backend,
            @JsonProperty("version_policy") @Schema(description = "every stored version is served on request")
            Map<String, Map<String, Object>> versionPolicy,
            @JsonProperty("max_batch_size") @Schema(description = "the most rows stacked into one forward pass; 0 when "
                    + "some input or output has a fixed first dimension") int maxBatchSize,
            List<Tensor> input, List<Tensor> output,
            @JsonProperty("dynamic_batching") DynamicBatching dynamicBatching,
            @JsonProperty("instance_group") List<InstanceGroup> instanceGroup,
            Map<String, Parameter> parameters) {
    }

    @Schema(name = "ModelConfigTensor", description = "An input or output: dims without the batch dimension when "
            + "max_batch_size > 0, -1 for a variable size")
    record Tensor(String name, @JsonProperty("data_type") String dataType, List<Integer> dims) {

        static Tensor of(TensorSignature t, boolean batched) {
            int[] shape = t.shape();
            int[] dims = batched ? Arrays.copyOfRange(shape, 1, shape.length) : shape;
            return new Tensor(t.name(), "TYPE_" + t.datatype().inferenceName(), Arrays.stream(dims).boxed().toList());
        }
    }

    @Schema(name = "DynamicBatching", description = "Requests are stacked along the first dimension")
    record DynamicBatching(@JsonProperty("max_queue_delay_microseconds") long maxQueueDelayMicroseconds) {
    }

    @Schema(name = "InstanceGroup", description = "Where the version runs: KIND_CPU, KIND_GPU (gpus) or KIND_AUTO "
            + "(the server picks a GPU when one is free at load, else the CPU)")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record InstanceGroup(String name, String kind, int count, List<Integer> gpus) {
    }

    @Schema(name = "ModelConfigParameter")
    record Parameter(@JsonProperty("string_value") String stringValue) {
    }
}
