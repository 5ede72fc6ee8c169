package io.nabla.web;

import io.nabla.jobs.DatasetIds;
import io.nabla.jobs.DatasetInfo;
import io.nabla.jobs.DatasetStore;
import io.nabla.inference.InferenceException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.Part;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestPart;
import org.springframework.web.bind.annotation.RestController;

/** Datasets for fine-tuning: upload a safetensors file, list, describe and delete them. */
@RestController
@Tag(name = "datasets")
class DatasetsController {

    private final DatasetStore store;

    DatasetsController(DatasetStore store) {
        this.store = store;
    }

    @PostMapping(path = "/v1/datasets", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    @Operation(summary = "Upload a safetensors file of tensors that share their first dimension")
    @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true, content = @Content(
            mediaType = MediaType.MULTIPART_FORM_DATA_VALUE,
            schema = @Schema(implementation = DatasetSchemas.DatasetUpload.class)))
    @ApiResponse(responseCode = "201")
    @ApiResponse(responseCode = "400", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "413", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "415", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    ResponseEntity<DatasetSchemas.Dataset> create(
            @RequestPart("file") @io.swagger.v3.oas.annotations.Parameter(hidden = true) Part file)
            throws IOException {
        DatasetInfo info;
        try (InputStream in = file.getInputStream()) {
            info = store.create(in, file.getSubmittedFileName());
        }
        return ResponseEntity.created(URI.create("/v1/datasets/" + info.id())).body(DatasetSchemas.Dataset.of(info));
    }

    @GetMapping("/v1/datasets")
    @Operation(summary = "Every dataset, newest first")
    @ApiResponse(responseCode = "200")
    List<DatasetSchemas.Dataset> list() {
        return store.list().stream().map(DatasetSchemas.Dataset::of).toList();
    }

    @GetMapping("/v1/datasets/{id}")
    @Operation(summary = "One dataset")
    @ApiResponse(responseCode = "200")
    @ApiResponse(responseCode = "400", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "404", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    DatasetSchemas.Dataset get(@PathVariable String id) {
        return DatasetSchemas.Dataset.of(store.get(id));
    }

    @DeleteMapping("/v1/datasets/{id}")
    @Operation(summary = "Delete a dataset")
    @ApiResponse(responseCode = "204")
    @ApiResponse(responseCode = "400", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "404", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    ResponseEntity<Void> delete(@PathVariable String id) {
        if (!store.delete(DatasetIds.check(id))) {
            throw InferenceException.notFound("dataset '" + id + "' does not exist");
        }
        return ResponseEntity.noContent().build();
    }
}
