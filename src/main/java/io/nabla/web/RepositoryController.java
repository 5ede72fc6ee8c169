package io.nabla.web;

import io.nabla.inference.ModelNames;
import io.nabla.inference.ModelRegistry;
import io.nabla.inference.RepositoryEntry;
import io.nabla.inference.StoredVersion;
import io.nabla.model.JsonErrorText;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import jakarta.servlet.http.Part;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.util.List;
import org.springframework.core.io.FileSystemResource;
import org.springframework.core.io.Resource;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/** The model repository: create versions, list, load, unload, download and delete them. */
@RestController
@Tag(name = "repository")
class RepositoryController {

    private final ModelRegistry registry;

    RepositoryController(ModelRegistry registry) {
        this.registry = registry;
    }

    @PostMapping(path = "/v2/repository/models/{model}", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    @Operation(summary = "Create the next version from a spec and optional safetensors weights")
    @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true, content = @Content(
            mediaType = MediaType.MULTIPART_FORM_DATA_VALUE,
            schema = @Schema(implementation = RepositorySchemas.ModelUpload.class)))
    @ApiResponse(responseCode = "201")
    @ApiResponse(responseCode = "400", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "413", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "415", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    ResponseEntity<RepositorySchemas.ModelVersion> create(@PathVariable String model,
            @RequestPart("spec") @io.swagger.v3.oas.annotations.Parameter(hidden = true) Part spec,
            @RequestPart(name = "weights", required = false) @io.swagger.v3.oas.annotations.Parameter(hidden = true)
            Part weights) throws IOException {
        ModelNames.check(model);
        byte[] specBytes;
        try (InputStream in = spec.getInputStream()) {
            specBytes = in.readAllBytes();
        }
        StoredVersion v;
        if (weights == null) {
            v = registry.create(model, specBytes, null);
        } else {
            try (InputStream in = weights.getInputStream()) {
                v = registry.create(model, specBytes, in);
            }
        }
        return ResponseEntity.created(URI.create("/v2/models/" + model + "/versions/" + v.version()))
                .body(new RepositorySchemas.ModelVersion(model, Integer.toString(v.version()), "UNAVAILABLE"));
    }

    @PostMapping("/v2/repository/index")
    @Operation(summary = "Every model version and its state")
    @ApiResponse(responseCode = "200")
    @ApiResponse(responseCode = "400", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    @io.swagger.v3.oas.annotations.parameters.RequestBody(required = false, content = @Content(
            mediaType = MediaType.APPLICATION_JSON_VALUE,
            schema = @Schema(implementation = RepositorySchemas.RepositoryIndexRequest.class)))
    List<RepositorySchemas.RepositoryIndexEntry> index(@RequestBody(required = false) JsonNode request) {
        boolean onlyReady = onlyReady(request);
        return registry.index().stream().filter(e -> !onlyReady || e.state().equals("READY"))
                .map(RepositoryController::entry).toList();
    }

    /**
     * The index request's {@code ready}, read strictly: Triton's body has that one optional boolean, and binding it
     * to a record would coerce {@code "true"} or {@code 2} to true and ignore misspelt fields, answering a question the
     * client did not ask.
     */
    static boolean onlyReady(JsonNode request) {
        if (request == null || request.isNull() || request.isMissingNode()) {
            return false;
        }
        if (!request.isObject()) {
            throw new IllegalArgumentException("the request body: expected a JSON object such as {\"ready\": true}, got "
                    + describe(request));
        }
        for (String name : request.propertyNames()) {
            if (!name.equals("ready")) {
                throw new IllegalArgumentException("unknown field '" + name + "'; expected only 'ready'");
            }
        }
        JsonNode ready = request.get("ready");
        if (ready == null || ready.isNull()) {
            return false;
        }
        if (!ready.isBoolean()) {
            throw new IllegalArgumentException("ready: expected true or false, got " + describe(ready));
        }
        return ready.booleanValue();
    }

    private static String describe(JsonNode v) {
        if (v.isString()) {
            return "the string \"" + JsonErrorText.clip(v.stringValue()) + "\"";
        }
        if (v.isNumber()) {
            return "the number " + v.numberValue();
        }
        return v.isArray() ? "an array" : v.isObject() ? "an object" : v.isBoolean() ? v.toString() : "null";
    }

    private static RepositorySchemas.RepositoryIndexEntry entry(RepositoryEntry e) {
        return new RepositorySchemas.RepositoryIndexEntry(e.name(), e.version(), e.state(), e.reason());
    }

    @PostMapping("/v2/repository/models/{model}/load")
    @Operation(summary = "Load the newest version; it serves requests without a version once ready")
    @ApiResponse(responseCode = "200")
    @ApiResponse(responseCode = "400", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "404", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "500", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "503", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "507", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    RepositorySchemas.ModelVersion load(@PathVariable String model) {
        StoredVersion v = registry.load(ModelNames.check(model));
        return new RepositorySchemas.ModelVersion(model, Integer.toString(v.version()), "READY");
    }

    @PostMapping("/v2/repository/models/{model}/unload")
    @Operation(summary = "Unload every version, freeing all their memory")
    @ApiResponse(responseCode = "200")
    @ApiResponse(responseCode = "400", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "404", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    RepositorySchemas.ModelVersion unload(@PathVariable String model) {
        registry.unload(ModelNames.check(model));
        return new RepositorySchemas.ModelVersion(model, null, "UNAVAILABLE");
    }

    @GetMapping("/v2/repository/models/{model}/versions/{version}/weights")
    @Operation(summary = "The weights as a safetensors file")
    @ApiResponse(responseCode = "200", content = @Content(mediaType = "application/octet-stream",
            schema = @Schema(type = "string", format = "binary")))
    @ApiResponse(responseCode = "400", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "404", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    ResponseEntity<Resource> weights(@PathVariable String model, @PathVariable String version) throws IOException {
        StoredVersion v = registry.resolve(model, ModelNames.version(version));
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_OCTET_STREAM)
                .contentLength(Files.size(v.weights()))
                .header(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment()
                        .filename(model + "-" + v.version() + ".safetensors").build().toString())
                .body(new FileSystemResource(v.weights()));
    }

    @GetMapping("/v2/repository/models/{model}/versions/{version}/spec")
    @Operation(summary = "The model spec")
    @ApiResponse(responseCode = "200", content = @Content(mediaType = "application/json",
            schema = @Schema(implementation = RepositorySchemas.ModelSpec.class)))
    @ApiResponse(responseCode = "400", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "404", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    ResponseEntity<byte[]> spec(@PathVariable String model, @PathVariable String version) throws IOException {
        StoredVersion v = registry.resolve(model, ModelNames.version(version));
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(Files.readAllBytes(v.spec()));
    }

    @DeleteMapping("/v2/repository/models/{model}")
    @Operation(summary = "Unload and delete every version")
    @ApiResponse(responseCode = "204")
    @ApiResponse(responseCode = "400", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "404", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    ResponseEntity<Void> delete(@PathVariable String model) {
        registry.delete(ModelNames.check(model));
        return ResponseEntity.noContent().build();
    }

    @DeleteMapping("/v2/repository/models/{model}/versions/{version}")
    @Operation(summary = "Unload and delete one version")
    @ApiResponse(responseCode = "204")
    @ApiResponse(responseCode = "400", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "404", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    ResponseEntity<Void> delete(@PathVariable String model, @PathVariable String version) {
        registry.delete(ModelNames.check(model), ModelNames.version(version));
        return ResponseEntity.noContent().build();
    }
}
