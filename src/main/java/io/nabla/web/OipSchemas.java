package io.nabla.web;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.nabla.inference.TensorSignature;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;

/**
 * The JSON documents of the Open Inference Protocol endpoints. The metadata answers are written from these records;
 * the inference request and response are streamed (see {@link InferRequestReader}, {@link InferResponseWriter}), so
 * their records here only describe them in the OpenAPI document.
 */
final class OipSchemas {

    private OipSchemas() {
    }

    @Schema(name = "ServerMetadata")
    record ServerMetadata(String name, String version, List<String> extensions) {
    }

    @Schema(name = "ServerLive")
    record ServerLive(boolean live) {
    }

    @Schema(name = "ServerReady")
    record ServerReady(boolean ready) {
    }

    @Schema(name = "ModelReady")
    record ModelReady(String name, String version, boolean ready) {
    }

    @Schema(name = "TensorMetadata", description = "A model input or output; -1 marks a variable dimension")
    record TensorMetadata(String name, String datatype, List<Integer> shape) {

        static TensorMetadata of(TensorSignature t) {
            return new TensorMetadata(t.name(), t.datatype().inferenceName(),
                    java.util.Arrays.stream(t.shape()).boxed().toList());
        }
    }

    @Schema(name = "ModelMetadata")
    record ModelMetadata(String name, List<String> versions, String platform, List<TensorMetadata> inputs,
            List<TensorMetadata> outputs) {
    }

    @Schema(name = "InferenceRequest", description = "JSON, or JSON followed by binary tensor data whose length is"
            + " given by the Inference-Header-Content-Length header")
    record InferenceRequest(String id, InferenceParameters parameters,
            @Schema(requiredMode = Schema.RequiredMode.REQUIRED) List<RequestInput> inputs,
            List<RequestOutput> outputs) {
    }

    @Schema(name = "InferenceParameters")
    record InferenceParameters(@JsonProperty("binary_data_output") Boolean binaryDataOutput) {
    }

    @Schema(name = "RequestInput")
    record RequestInput(String name, List<Integer> shape,
            @Schema(allowableValues = {"BOOL", "UINT8", "INT8", "INT16", "INT32", "INT64", "FP16", "BF16", "FP32",
                "FP64"}) String datatype,
            InputParameters parameters,
            @ArraySchema(arraySchema = @Schema(description = "row-major values, flat or nested"),
                    schema = @Schema(type = "number")) List<Object> data) {
    }

    @Schema(name = "InputParameters")
    record InputParameters(@JsonProperty("binary_data_size") Long binaryDataSize) {
    }

    @Schema(name = "RequestOutput")
    record RequestOutput(String name, OutputParameters parameters) {
    }

    @Schema(name = "OutputParameters")
    record OutputParameters(@JsonProperty("binary_data") Boolean binaryData,
            @Schema(description = "Triton's classification extension: answer the k largest values of each row of a "
                    + "(rows, classes) or (classes) output, as BYTES strings \"value:index\", largest first",
                    minimum = "1", maximum = "65536") Integer classification) {
    }

    @Schema(name = "InferenceResponse")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record InferenceResponse(@JsonProperty("model_name") String modelName,
            @JsonProperty("model_version") String modelVersion, String id, List<ResponseOutput> outputs) {
    }

    @Schema(name = "ResponseOutput")
    record ResponseOutput(String name, List<Integer> shape, String datatype, InputParameters parameters,
            @ArraySchema(schema = @Schema(type = "number")) List<Object> data) {
    }
}
