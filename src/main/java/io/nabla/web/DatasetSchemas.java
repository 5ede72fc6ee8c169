package io.nabla.web;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.nabla.jobs.DatasetInfo;
import io.nabla.jobs.TensorInfo;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The JSON documents of the dataset endpoints. */
final class DatasetSchemas {

    private DatasetSchemas() {
    }

    @Schema(name = "Dataset", description = "An uploaded dataset: its samples and tensors")
    record Dataset(@Schema(description = "Made by the server: ds- and 16 hex digits") String id,
            @Schema(description = "N, the number of samples: the first dimension every tensor shares") long size,
            @Schema(description = "Every tensor by name, in file order") Map<String, DatasetTensor> tensors,
            @JsonProperty("created_at") @Schema(description = "When it was uploaded (ISO-8601, UTC)")
            String createdAt) {

        static Dataset of(DatasetInfo info) {
            Map<String, DatasetTensor> tensors = new LinkedHashMap<>();
            info.tensors().forEach((name, t) -> tensors.put(name, DatasetTensor.of(t)));
            return new Dataset(info.id(), info.size(), tensors, info.createdAt().toString());
        }
    }

    @Schema(name = "DatasetTensor", description = "One tensor of a dataset")
    record DatasetTensor(@Schema(description = "The safetensors dtype: BOOL, U8, I8, I16, I32, I64, F16, BF16, F32,"
            + " F64") String dtype, @Schema(description = "Sizes; the first is the number of samples")
            List<Long> shape) {

        static DatasetTensor of(TensorInfo t) {
            return new DatasetTensor(t.dtype(), t.shape());
        }
    }

    @Schema(name = "DatasetUpload", description = "multipart/form-data: one safetensors file")
    record DatasetUpload(@Schema(requiredMode = Schema.RequiredMode.REQUIRED, type = "string", format = "binary")
            String file) {
    }
}
