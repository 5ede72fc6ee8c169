package io.nabla.web;

import io.nabla.inference.InferenceException;
import io.nabla.inference.InferenceResult;
import io.nabla.inference.ModelDescription;
import io.nabla.inference.ModelNames;
import io.nabla.inference.ModelRegistry;
import io.nabla.tensor.TensorScope;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/** The Open Inference Protocol (KServe V2) model endpoints: metadata, readiness and inference. */
@RestController
@Tag(name = "models")
class InferenceController {

    private final ModelRegistry registry;
    private final InferRequestReader reader;
    private final InferResponseWriter writer = new InferResponseWriter();

    InferenceController(ModelRegistry registry, io.nabla.config.NablaProperties properties) {
        this.registry = registry;
        this.reader = new InferRequestReader(properties.limits());
    }

    @GetMapping("/v2/models/{model}")
    @Operation(summary = "Metadata of the newest version")
    @ApiResponse(responseCode = "200")
    @ApiResponse(responseCode = "400", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "404", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    OipSchemas.ModelMetadata metadata(@PathVariable String model) {
        return metadata(registry.describe(model, null));
    }

    @GetMapping("/v2/models/{model}/versions/{version}")
    @Operation(summary = "Metadata of one version")
    @ApiResponse(responseCode = "200")
    @ApiResponse(responseCode = "400", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "404", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    OipSchemas.ModelMetadata metadata(@PathVariable String model, @PathVariable String version) {
        return metadata(registry.describe(model, ModelNames.version(version)));
    }

    private static OipSchemas.ModelMetadata metadata(ModelDescription d) {
        return new OipSchemas.ModelMetadata(d.name(), d.versions().stream().map(String::valueOf).toList(), "nabla",
                d.signature().inputs().stream().map(OipSchemas.TensorMetadata::of).toList(),
                d.signature().outputs().stream().map(OipSchemas.TensorMetadata::of).toList());
    }

    @GetMapping("/v2/models/{model}/ready")
    @Operation(summary = "Whether the version serving requests without a version is loaded")
    @ApiResponse(responseCode = "200")
    @ApiResponse(responseCode = "400", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "404", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "503", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    ResponseEntity<OipSchemas.ModelReady> ready(@PathVariable String model) {
        return ready(model, (Integer) null);
    }

    @GetMapping("/v2/models/{model}/versions/{version}/ready")
    @Operation(summary = "Whether one version is loaded")
    @ApiResponse(responseCode = "200")
    @ApiResponse(responseCode = "400", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "404", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "503", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    ResponseEntity<OipSchemas.ModelReady> ready(@PathVariable String model, @PathVariable String version) {
        return ready(model, ModelNames.version(version));
    }

    private ResponseEntity<OipSchemas.ModelReady> ready(String model, Integer version) {
        int v = registry.resolve(model, version).version();
        Integer loaded = registry.readyVersion(model, version);
        if (loaded == null) {
            throw new InferenceException(InferenceException.Kind.UNAVAILABLE, "model '" + model + "' "
                    + (version == null ? "is not loaded" : "version " + v + " is not loaded")
                    + "; it loads on its first inference or on POST /v2/repository/models/" + model + "/load");
        }
        return ResponseEntity.status(HttpStatus.OK).body(new OipSchemas.ModelReady(model, Integer.toString(
                loaded), true));
    }

    @PostMapping("/v2/models/{model}/infer")
    @Operation(summary = "Inference on the newest version (loaded on first use)")
    @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true, content = {
        @Content(mediaType = "application/json", schema = @Schema(implementation = OipSchemas.InferenceRequest.class)),
        @Content(mediaType = "application/octet-stream", schema = @Schema(type = "string", format = "binary"))})
    @ApiResponse(responseCode = "200", content = {
        @Content(mediaType = "application/json", schema = @Schema(implementation = OipSchemas.InferenceResponse.class)),
        @Content(mediaType = "application/octet-stream", schema = @Schema(type = "string", format = "binary"))})
    @ApiResponse(responseCode = "400", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "404", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "413", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "415", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "429", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "503", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "507", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    void infer(@PathVariable String model, HttpServletRequest request, HttpServletResponse response)
            throws IOException, HttpMediaTypeNotSupportedException {
        run(model, null, request, response);
    }

    @PostMapping("/v2/models/{model}/versions/{version}/infer")
    @Operation(summary = "Inference on one version (loaded on first use)")
    @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true, content = {
        @Content(mediaType = "application/json", schema = @Schema(implementation = OipSchemas.InferenceRequest.class)),
        @Content(mediaType = "application/octet-stream", schema = @Schema(type = "string", format = "binary"))})
    @ApiResponse(responseCode = "200", content = {
        @Content(mediaType = "application/json", schema = @Schema(implementation = OipSchemas.InferenceResponse.class)),
        @Content(mediaType = "application/octet-stream", schema = @Schema(type = "string", format = "binary"))})
    @ApiResponse(responseCode = "400", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "404", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "413", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "415", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "429", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "503", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "507", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    void infer(@PathVariable String model, @PathVariable String version, HttpServletRequest request,
            HttpServletResponse response) throws IOException, HttpMediaTypeNotSupportedException {
        run(model, ModelNames.version(version), request, response);
    }

    private void run(String model, Integer version, HttpServletRequest request, HttpServletResponse response)
            throws IOException, HttpMediaTypeNotSupportedException {
        checkContentType(request.getContentType());
        registry.resolve(model, version);
        try (TensorScope scope = TensorScope.open()) {
            ParsedInference parsed = reader.read(request.getInputStream(), request.getContentLengthLong(),
                    request.getHeader(InferRequestReader.HEADER_LENGTH));
            InferenceResult result = registry.infer(model, version, parsed.call());
            writer.write(response, parsed, result);
        }
    }

    private static void checkContentType(String contentType) throws HttpMediaTypeNotSupportedException {
        if (contentType == null) {
            return;
        }
        String type = contentType.split(";", 2)[0].trim().toLowerCase(java.util.Locale.ROOT);
        if (!type.equals("application/json") && !type.equals("application/octet-stream")) {
            throw new HttpMediaTypeNotSupportedException(MediaType.parseMediaType(contentType),
                    List.of(MediaType.APPLICATION_JSON, MediaType.APPLICATION_OCTET_STREAM));
        }
    }
}
