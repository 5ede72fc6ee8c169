package io.nabla.web;

import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;
import java.util.Map;

/** The JSON documents of the model repository endpoints. */
final class RepositorySchemas {

    private RepositorySchemas() {
    }

    @Schema(name = "ModelVersion", description = "A model version that was created or changed state")
    record ModelVersion(String name, String version, String state) {
    }

    @Schema(name = "RepositoryIndexEntry", description = "Triton's repository index entry")
    record RepositoryIndexEntry(String name, String version,
            @Schema(allowableValues = {"READY", "LOADING", "UNAVAILABLE"}) String state, String reason) {
    }

    @Schema(name = "RepositoryIndexRequest", description = "Optional: ready=true lists only loaded versions")
    record RepositoryIndexRequest(Boolean ready) {
    }

    @Schema(name = "ModelSpecOutput", description = "A model output; -1 marks a variable dimension")
    record SpecOutput(String name, @Schema(example = "FP32") String datatype, List<Integer> shape,
            @Schema(description = "an extension: the name of each class, one per entry of the last dimension of an "
                    + "output of shape (classes) or (rows, classes) with a fixed number of classes (Triton's label "
                    + "file); the classification extension then answers value:index:label") List<String> labels) {
    }

    @Schema(name = "ModelSpec", description = "inputs, outputs and a sequential stack of torch.nn layers")
    record ModelSpec(List<OipSchemas.TensorMetadata> inputs, List<SpecOutput> outputs,
            @Schema(description = "torch.nn layer types with PyTorch's argument names and defaults, e.g. "
                    + "{\"type\": \"Linear\", \"in_features\": 784, \"out_features\": 256}. Types: Linear, Conv2d, "
                    + "Conv1d, ConvTranspose2d, ConvTranspose1d, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, MaxPool1d, "
                    + "AvgPool1d, AdaptiveAvgPool1d, AdaptiveMaxPool2d, AdaptiveMaxPool1d, PixelShuffle, "
                    + "PixelUnshuffle, BatchNorm1d, BatchNorm2d, LayerNorm, InstanceNorm1d, InstanceNorm2d, "
                    + "GroupNorm, Embedding, EmbeddingBag, Dropout, Dropout1d, Dropout2d, ConstantPad1d, "
                    + "ConstantPad2d, ZeroPad1d, ZeroPad2d, CircularPad1d, CircularPad2d, ReflectionPad1d, "
                    + "ReflectionPad2d, ReplicationPad1d, ReplicationPad2d, Upsample, UpsamplingNearest2d, Flatten, "
                    + "Unflatten, ReLU, PReLU, LeakyReLU, GELU, SiLU, Tanh, Sigmoid, ELU, Softplus, Hardtanh, ReLU6, "
                    + "Hardsigmoid, Hardswish, Mish, SELU, CELU, LogSigmoid, Softsign, Tanhshrink, Threshold, "
                    + "Hardshrink, Softshrink, GLU, Softmax, LogSoftmax, Softmin, Softmax2d, Identity, "
                    + "TransformerEncoderLayer, TransformerEncoder, RNN, LSTM, GRU.")
            List<Map<String, Object>> layers, Long seed,
            @Schema(description = "where the model is loaded: auto, cpu, cuda or cuda:N (default: the server's "
                    + "nabla.models.device, itself auto by default)") String device,
            @Schema(description = "inference precision: fp32 (default), or bf16 / fp16 (each forward pass under "
                    + "autocast: matrix products and convolutions in that dtype, their weights held in it, the output "
                    + "returned in its declared datatype: FP32, or FP16/BF16 as the precision), or int8 (every Linear "
                    + "dynamically quantized: INT8 weights per output row, each input row quantized to UINT8 as it "
                    + "arrives; CPU only)",
                    allowableValues = {"fp32", "bf16", "fp16", "int8"}) String precision) {
    }

    @Schema(name = "ModelUpload", description = "multipart/form-data: the spec and optional safetensors weights")
    record ModelUpload(@Schema(requiredMode = Schema.RequiredMode.REQUIRED) ModelSpec spec,
            @Schema(type = "string", format = "binary") String weights) {
    }
}
