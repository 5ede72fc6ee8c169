package io.nabla.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nabla.autograd.NormOps;
import io.nabla.backend.DType;
import io.nabla.nn.BatchNorm;
import io.nabla.nn.Sequential;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import io.nabla.web.NoInternals;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Parsing and checking model specs: every bad field is named with what was expected and what was found. */
class ModelSpecTest {

    static final String IO = "\"inputs\": [{\"name\": \"input\", \"datatype\": \"FP32\", \"shape\": [-1, 784]}],"
            + "\"outputs\": [{\"name\": \"logits\", \"datatype\": \"FP32\", \"shape\": [-1, 10]}],";

    static String spec(String layers) {
        return "{" + IO + "\"layers\": [" + layers + "]}";
    }

    @Test
    void parsesTheApiExampleWithDefaults() {
        ModelSpec s = ModelSpec.parse(spec("{\"type\": \"Linear\", \"in_features\": 784, \"out_features\": 256},"
                + "{\"type\": \"ReLU\"}, {\"type\": \"Linear\", \"in_features\": 256, \"out_features\": 10}"));
        assertThat(s.seed()).isZero();
        assertThat(s.inputs().get(0)).isEqualTo(new TensorSpec("input", DType.FP32, new int[] {-1, 784}));
        assertThat(s.layers()).extracting(LayerSpec::type).containsExactly("Linear", "ReLU", "Linear");
        assertThat(s.layers().get(0).args()).containsEntry("bias", true);
        assertThat(s.layers().get(0).toString()).isEqualTo("Linear(in_features=784, out_features=256, bias=true)");
    }

    @Test
    void fillsPyTorchDefaultsForEveryLayerType() {
        ModelSpec s = ModelSpec.parse("{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [-1, 3, 8, "
                + "8]}], \"outputs\": [{\"name\": \"y\", \"datatype\": \"FP32\", \"shape\": [-1, 2]}], \"layers\": ["
                + "{\"type\": \"Conv2d\", \"in_channels\": 3, \"out_channels\": 4, \"kernel_size\": 3},"
                + "{\"type\": \"MaxPool2d\", \"kernel_size\": 2}, {\"type\": \"BatchNorm2d\", \"num_features\": 4},"
                + "{\"type\": \"Flatten\"}, {\"type\": \"Dropout\"}, {\"type\": \"LeakyReLU\"}, {\"type\": \"GELU\"},"
                + "{\"type\": \"Linear\", \"in_features\": 36, \"out_features\": 2}, {\"type\": \"Softmax\"}],"
                + "\"seed\": 3}");
        assertThat(s.layers().get(0).args()).containsEntry("groups", 1).containsEntry("bias", true);
        assertThat((int[]) s.layers().get(0).args().get("stride")).containsExactly(1, 1);
        assertThat((int[]) s.layers().get(0).args().get("kernel_size")).containsExactly(3, 3);
        assertThat(s.layers().get(1).args()).containsEntry("stride", null);
        assertThat(s.layers().get(2).args()).containsEntry("eps", 1e-5).containsEntry("momentum", 0.1);
        assertThat(s.layers().get(3).args()).containsEntry("start_dim", 1).containsEntry("end_dim", -1);
        assertThat(s.layers().get(4).args()).containsEntry("p", 0.5);
        assertThat(s.layers().get(5).args()).containsEntry("negative_slope", 0.01);
        assertThat(s.layers().get(6).args()).containsEntry("approximate", "none");
        assertThat(s.layers().get(8).args()).containsEntry("dim", null);
        try (TensorScope scope = TensorScope.open()) {
            Sequential m = ModelBuilder.build(s);
            assertThat(m.outputShape(new int[] {-1, 3, 8, 8})).containsExactly(-1, 2);
            assertThat(m.stateDict().keySet()).containsExactly("0.weight", "0.bias", "2.weight", "2.bias",
                    "2.running_mean", "2.running_var", "2.num_batches_tracked", "7.weight", "7.bias");
            assertThat(m.stateDict().get("2.num_batches_tracked").dtype()).isEqualTo(DType.INT64);
            assertThat(m.stateDict().get("2.num_batches_tracked").dim()).isZero();
            assertThat(m.get(2)).isInstanceOf(BatchNorm.class);
            assertThat(m.get(2).typeName()).isEqualTo("BatchNorm2d");
            assertThat(m.toString()).contains("(0): Conv2d(3, 4, kernel_size=(3, 3), stride=(1, 1))",
                    "(1): MaxPool2d(kernel_size=(2, 2), stride=(2, 2), padding=(0, 0))");
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"type\": \"Linear\", \"in_features\": -3, \"out_features\": 2}|layers[0].in_features: expected a positive integer, got -3",
        "{\"type\": \"Linear\", \"in_features\": 2.5, \"out_features\": 2}|layers[0].in_features: expected a positive integer, got 2.5",
        "{\"type\": \"Linear\", \"out_features\": 2}|layers[0].in_features: required argument of Linear is missing",
        "{\"type\": \"Linear\", \"in_features\": 784, \"out_features\": 10, \"bais\": false}|layers[0].bais: unknown argument of Linear; expected one of [in_features, out_features, bias]",
        "{\"type\": \"Linear\", \"in_features\": 784, \"out_features\": 10, \"bias\": 1}|layers[0].bias: expected true or false, got 1",
        "{\"type\": \"Dense\", \"units\": 3}|layers[0].type: unknown layer type \"Dense\"; expected one of [Linear, Conv2d",
        "{\"type\": \"ReLU\", \"inplace\": 1}|layers[0].inplace: expected true or false, got 1",
        "{\"type\": \"Tanh\", \"inplace\": true}|layers[0].inplace: unknown argument of Tanh; it takes no arguments",
        "{\"type\": \"Conv2d\", \"in_channels\": 1, \"out_channels\": 2, \"kernel_size\": 3, \"padding\": \"full\"}|layers[0].padding: expected a non-negative integer, a list of 2 non-negative integers, \"valid\" or \"same\", got \"full\"",
        "{\"type\": \"Conv2d\", \"in_channels\": 1, \"out_channels\": 2, \"kernel_size\": 3, \"padding\": -1}|layers[0].padding: expected a non-negative integer, a list of 2 non-negative integers, \"valid\" or \"same\", got -1",
        "{\"type\": \"Conv2d\", \"in_channels\": 1, \"out_channels\": 2, \"kernel_size\": 3, \"padding_mode\": \"mirror\"}|layers[0].padding_mode: expected \"zeros\", \"reflect\", \"replicate\" or \"circular\", got \"mirror\"",
        "{\"type\": \"MaxPool2d\", \"kernel_size\": 2, \"return_indices\": true}|layers[0].return_indices: only PyTorch's default false is built, got true",
        "{\"type\": \"MaxPool2d\", \"kernel_size\": 2, \"ceil_mode\": 1}|layers[0].ceil_mode: expected true or false, got 1",
        "{\"type\": \"AvgPool2d\", \"kernel_size\": 2, \"dilation\": 2}|layers[0].dilation: unknown argument of AvgPool2d; expected one of [kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override]",
        "{\"type\": \"AvgPool2d\", \"kernel_size\": 2, \"divisor_override\": 1.5}|layers[0].divisor_override: expected an integer or null",
        "{\"type\": \"Embedding\", \"num_embeddings\": 4, \"embedding_dim\": 2, \"max_norm\": 1.0}|layers[0].max_norm: only PyTorch's default null is built, got 1.0",
        "{\"type\": \"Embedding\", \"num_embeddings\": 4, \"embedding_dim\": 2, \"sparse\": true}|layers[0].sparse: only PyTorch's default false is built, got true",
        "{\"type\": \"BatchNorm2d\", \"num_features\": 4, \"affine\": \"no\"}|layers[0].affine: expected true or false, got \"no\"",
        "{\"type\": \"AdaptiveAvgPool2d\", \"output_size\": [0, null]}|layers[0].output_size: expected a positive integer, null, or a list of 2 of them, got [0,null]",
        "{\"type\": \"ELU\", \"alpha\": \"x\"}|layers[0].alpha: expected a finite number, got \"x\"",
        "{\"type\": \"AdaptiveAvgPool2d\", \"output_size\": [2]}|layers[0].output_size: expected a positive integer, null, or a list of 2 of them, got [2]",
        "{\"type\": \"Dropout\", \"p\": 1.5}|layers[0].p: expected a number between 0 and 1, got 1.5",
        "{\"type\": \"GELU\", \"approximate\": \"fast\"}|layers[0].approximate: expected \"none\" or \"tanh\", got \"fast\"",
        "{\"type\": \"Conv2d\", \"in_channels\": 1, \"out_channels\": 2, \"kernel_size\": [3, 3, 3]}|layers[0].kernel_size: expected a positive integer or a list of 2 positive integers, got [3,3,3]",
        "{\"noType\": 1}|layers[0].type: expected one of [Linear",
        "{\"type\": \"MaxPool2d\", \"kernel_size\": [2, 2, 2]}|layers[0].kernel_size: expected a positive integer or a list of 1 or 2 positive integers, got [2,2,2]",
        "{\"type\": \"AvgPool2d\", \"kernel_size\": 2, \"stride\": [0]}|layers[0].stride: expected a positive integer, a list of 1 or 2 positive integers, null or [] (the kernel size), got [0]",
        "{\"type\": \"AvgPool2d\", \"kernel_size\": 2, \"padding\": []}|layers[0].padding: expected a non-negative integer or a list of 1 or 2 non-negative integers, got []",
        "{\"type\": \"Conv1d\", \"in_channels\": 1, \"out_channels\": 2, \"kernel_size\": [3, 3]}|layers[0].kernel_size: expected a positive integer or a list of 1 positive integer, got [3,3]",
        "{\"type\": \"Conv1d\", \"in_channels\": 1, \"out_channels\": 2, \"kernel_size\": 3, \"padding\": [1, 1]}|layers[0].padding: expected a non-negative integer, a list of 1 non-negative integer, \"valid\" or \"same\", got [1,1]",
        "{\"type\": \"GroupNorm\", \"num_groups\": 2}|layers[0].num_channels: required argument of GroupNorm is missing",
        "{\"type\": \"Mish\", \"inplace\": \"yes\"}|layers[0].inplace: expected true or false, got \"yes\"",
        "{\"type\": \"Conv1d\", \"in_channels\": 1, \"out_channels\": 2, \"kernel_size\": [[3]]}|layers[0].kernel_size: expected a positive integer or a list of 1 positive integer, got [[3]]",
        "{\"type\": \"Conv2d\", \"in_channels\": 1, \"out_channels\": 2, \"kernel_size\": [3, 0]}|layers[0].kernel_size: expected a positive integer or a list of 2 positive integers, got [3,0]",
        "{\"type\": \"LayerNorm\", \"normalized_shape\": [4, \"x\"]}|layers[0].normalized_shape: expected a positive integer or a non-empty list of positive integers, got [4,\"x\"]",
        "{\"type\": \"BatchNorm1d\", \"num_features\": 4, \"momentum\": \"x\"}|layers[0].momentum: expected a number between 0 and 1, or null, got \"x\"",
        "{\"type\": \"TransformerEncoderLayer\", \"d_model\": 4}|layers[0].nhead: required argument of TransformerEncoderLayer is missing",
        "{\"type\": \"MaxPool1d\", \"kernel_size\": 2, \"return_indices\": true}|layers[0].return_indices: only PyTorch's default false is built, got true",
        "{\"type\": \"MaxPool1d\", \"kernel_size\": [2, 2]}|layers[0].kernel_size: expected a positive integer or a list of 1 positive integer, got [2,2]",
        "{\"type\": \"AvgPool1d\", \"kernel_size\": 2, \"stride\": 0}|layers[0].stride: expected a positive integer, a list of 1 positive integer, null or [] (the kernel size), got 0",
        "{\"type\": \"AvgPool1d\", \"kernel_size\": 2, \"padding\": -1}|layers[0].padding: expected a non-negative integer or a list of 1 non-negative integer, got -1",
        "{\"type\": \"Unflatten\", \"dim\": 1, \"unflattened_size\": [-1, 2, -1]}|layers[0].unflattened_size: expected a non-empty list of positive integers, one of which may be -1, got [-1,2,-1]",
        "{\"type\": \"Unflatten\", \"dim\": 1, \"unflattened_size\": [0, 2]}|layers[0].unflattened_size: expected a non-empty list of positive integers, one of which may be -1, got [0,2]",
        "{\"type\": \"Unflatten\", \"unflattened_size\": [2, 2]}|layers[0].dim: required argument of Unflatten is missing",
        "{\"type\": \"PReLU\", \"num_parameters\": 0}|layers[0].num_parameters: expected a positive integer, got 0",
        "{\"type\": \"Threshold\", \"threshold\": 0.5}|layers[0].value: required argument of Threshold is missing",
        "{\"type\": \"Softshrink\", \"lambd\": -0.5}|layers[0].lambd: expected a non-negative finite number, got -0.5",
        "{\"type\": \"GLU\", \"dim\": 1.5}|layers[0].dim: expected an integer, got 1.5",
        "{\"type\": \"ConvTranspose2d\", \"in_channels\": 1, \"out_channels\": 1, \"kernel_size\": 2, \"padding_mode\": \"reflect\"}|layers[0].padding_mode: only PyTorch's default \"zeros\" is built, got \"reflect\"",
        "{\"type\": \"ConvTranspose1d\", \"in_channels\": 1, \"out_channels\": 1}|layers[0].kernel_size: required argument of ConvTranspose1d is missing",
        "{\"type\": \"AdaptiveMaxPool2d\", \"output_size\": 2, \"return_indices\": true}|layers[0].return_indices: only PyTorch's default false is built, got true",
        "{\"type\": \"PixelShuffle\"}|layers[0].upscale_factor: required argument of PixelShuffle is missing",
        "{\"type\": \"EmbeddingBag\", \"num_embeddings\": 4, \"embedding_dim\": 2, \"mode\": \"median\"}|layers[0].mode: expected \"sum\", \"mean\" or \"max\", got \"median\"",
        "{\"type\": \"EmbeddingBag\", \"num_embeddings\": 4, \"embedding_dim\": 2, \"include_last_offset\": true}|layers[0].include_last_offset: only PyTorch's default false is built, got true",
        "{\"type\": \"ZeroPad2d\", \"padding\": [1, 2]}|layers[0].padding: expected an integer or a list of 4 integers (left, right, top, bottom), got [1,2]",
        "{\"type\": \"ConstantPad1d\", \"padding\": 2}|layers[0].value: required argument of ConstantPad1d is missing",
        "{\"type\": \"Upsample\", \"scale_factor\": 2, \"mode\": \"lanczos\"}|layers[0].mode: expected \"nearest\", \"nearest-exact\", \"linear\", \"bilinear\", \"bicubic\", \"trilinear\" or \"area\", got \"lanczos\"",
        "{\"type\": \"Upsample\", \"scale_factor\": 2, \"align_corners\": 1}|layers[0].align_corners: expected true, false or null, got 1",
        "{\"type\": \"Upsample\", \"scale_factor\": [2, 0]}|layers[0].scale_factor: expected null, a positive number or a list of 1 to 3 positive numbers, got [2,0]",
        "{\"type\": \"UpsamplingNearest2d\", \"size\": [1, 2, 3, 4]}|layers[0].size: expected null, a positive integer or a list of 1 to 3 positive integers, got [1,2,3,4]",
        "{\"type\": \"InstanceNorm2d\", \"num_features\": 3, \"track_running_stats\": 1}|layers[0].track_running_stats: expected true or false",
        "{\"type\": \"TransformerEncoderLayer\", \"d_model\": 4, \"nhead\": 2, \"activation\": \"silu\"}|layers[0].activation: expected \"relu\" or \"gelu\", got \"silu\"",
        "{\"type\": \"TransformerEncoderLayer\", \"d_model\": 4, \"nhead\": 2, \"dropout\": -0.1}|layers[0].dropout: expected a number between 0 and 1, got -0.1",
        "{\"type\": \"TransformerEncoderLayer\", \"d_model\": 4, \"nhead\": 2, \"src_mask\": null}|layers[0].src_mask: unknown argument of TransformerEncoderLayer; expected one of [d_model, nhead, dim_feedforward, dropout, activation, layer_norm_eps, batch_first, norm_first, bias]",
        "{\"type\": \"TransformerEncoder\", \"num_layers\": 2}|layers[0].encoder_layer: required argument of TransformerEncoder is missing",
        "{\"type\": \"TransformerEncoder\", \"encoder_layer\": 4, \"num_layers\": 2}|layers[0].encoder_layer: expected an object with the arguments of a TransformerEncoderLayer, got 4",
        "{\"type\": \"TransformerEncoder\", \"encoder_layer\": {\"type\": \"Linear\"}, \"num_layers\": 2}|layers[0].encoder_layer.type: expected \"TransformerEncoderLayer\" (or no type), got \"Linear\"",
        "{\"type\": \"TransformerEncoder\", \"encoder_layer\": {\"d_model\": 4, \"nhead\": 0}, \"num_layers\": 2}|layers[0].encoder_layer.nhead: expected a positive integer, got 0",
        "{\"type\": \"TransformerEncoder\", \"encoder_layer\": {\"d_model\": 4, \"nhead\": 2}, \"num_layers\": 0}|layers[0].num_layers: expected a positive integer, got 0",
        "{\"type\": \"TransformerEncoder\", \"encoder_layer\": {\"d_model\": 4, \"nhead\": 2}, \"num_layers\": 1, \"norm\": {\"type\": \"BatchNorm1d\"}}|layers[0].norm.type: expected \"LayerNorm\" (or no type), got \"BatchNorm1d\"",
        "{\"type\": \"TransformerEncoder\", \"encoder_layer\": {\"d_model\": 4, \"nhead\": 2}, \"num_layers\": 1, \"norm\": {\"eps\": 0.1}}|layers[0].norm.normalized_shape: required argument of LayerNorm is missing",
    })
    void rejectsBadLayers(String layer, String message) {
        assertThatThrownBy(() -> ModelSpec.parse(spec(layer)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(message);
    }

    /** An integer past double's range where a number is expected is refused in the API's words, not Jackson's. */
    @Test
    void integersPastDoublesRangeAreRefusedAsOutOfRange() {
        String huge = "1" + "0".repeat(400);
        assertThatThrownBy(() -> ModelSpec.parse(spec("{\"type\": \"LayerNorm\", \"normalized_shape\": 4, "
                + "\"eps\": " + huge + "}"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("layers[0].eps: expected");
        assertThatThrownBy(() -> ModelSpec.parse(spec("{\"type\": \"Upsample\", \"scale_factor\": [" + huge + "]}")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("layers[0].scale_factor: expected");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "[1, 2]|model spec: expected a JSON object, got [1,2]",
        "{\"layers\": [}|model spec: expected a JSON object, got invalid JSON",
        "{\"inputs\": [], \"outputs\": [], \"layers\": []}|inputs: expected a list of exactly 1 tensor",
        "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP33\", \"shape\": [1]}]}|inputs[0].datatype: expected one of [BOOL, UINT8, INT8, INT16, INT32, INT64, FP16, BF16, FP32, FP64], got \"FP33\"",
        "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [0]}]}|inputs[0].shape[0]: expected a positive integer or -1, got 0",
        "{\"inputs\": [{\"name\": \"\", \"datatype\": \"FP32\", \"shape\": [1]}]}|inputs[0].name: expected a non-empty string, got \"\"",
        "{\"version\": 2}|version: unknown field of a model spec; expected one of [inputs, outputs, layers, seed, device, precision]",
    })
    void rejectsBadStructure(String json, String message) {
        assertThatThrownBy(() -> ModelSpec.parse(json))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith(message);
    }

    @Test
    void precisionDefaultsToFp32AndIsCheckedNamingTheField() {
        String relu = "\"layers\": [{\"type\": \"ReLU\"}]";
        assertThat(ModelSpec.parse("{" + IO + relu + "}").precision()).isEqualTo("fp32");
        assertThat(ModelSpec.parse("{" + IO + relu + ", \"precision\": null}").lowPrecision()).isNull();
        assertThat(ModelSpec.parse("{" + IO + relu + ", \"precision\": \"bf16\"}").lowPrecision())
                .isEqualTo(io.nabla.backend.DType.BF16);
        assertThat(ModelSpec.parse("{" + IO + relu + ", \"precision\": \"fp16\"}").lowPrecision())
                .isEqualTo(io.nabla.backend.DType.FP16);
        ModelSpec int8 = ModelSpec.parse("{" + IO + relu + ", \"precision\": \"int8\"}");
        assertThat(int8.int8()).isTrue();
        assertThat(int8.lowPrecision()).isNull();
        assertThat(ModelSpec.parse("{" + IO + relu + ", \"precision\": \"int8\", \"device\": \"auto\"}").int8())
                .isTrue();
        assertThatThrownBy(() -> ModelSpec.parse("{" + IO + relu + ", \"precision\": \"int8\", \"device\": "
                + "\"cuda:1\"}")).hasMessage("precision: \"int8\" runs on the CPU only, but device is \"cuda:1\" (use "
                + "\"cpu\" or \"auto\", or another precision)");
        assertThatThrownBy(() -> ModelSpec.parse("{" + IO + relu + ", \"precision\": \"INT8\"}"))
                .hasMessage("precision: expected \"fp32\", \"bf16\", \"fp16\" or \"int8\", got \"INT8\"");
        assertThatThrownBy(() -> ModelSpec.parse("{" + IO + relu + ", \"precision\": 16}"))
                .hasMessage("precision: expected \"fp32\", \"bf16\", \"fp16\" or \"int8\", got 16");
        assertThatThrownBy(() -> ModelSpec.lowPrecisionOf("int8")).as("a job's precision")
                .hasMessage("precision: \"int8\" is for inference only (a model spec's precision); training expects "
                        + "\"fp32\", \"bf16\" or \"fp16\"");
    }

    /** In int8 the features of every Linear quantize_dynamic swaps are bounded, named by the spec field that sets them. */
    @Test
    void int8BoundsTheFeaturesOfTransformerFeedForwardLayers() {
        String io = "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [-1, 3, 4]}], "
                + "\"outputs\": [{\"name\": \"y\", \"datatype\": \"FP32\", \"shape\": [-1, 3, 4]}], \"layers\": [";
        String layer = "{\"d_model\": 4, \"nhead\": 1, \"dim_feedforward\": 70000}";
        ModelSpec single = ModelSpec.parse(io + "{\"type\": \"TransformerEncoderLayer\", " + layer.substring(1)
                + "], \"precision\": \"int8\"}");
        ModelSpec stacked = ModelSpec.parse(io + "{\"type\": \"ReLU\"}, {\"type\": \"TransformerEncoder\", "
                + "\"encoder_layer\": " + layer + ", \"num_layers\": 2}], \"precision\": \"int8\"}");
        try (TensorScope scope = TensorScope.open()) {
            assertThatThrownBy(() -> ModelBuilder.build(single)).hasMessage("layers[0].dim_feedforward: precision "
                    + "\"int8\" takes at most 65536 input features (beyond, its integer sums could overflow), got 70000");
            assertThatThrownBy(() -> ModelBuilder.build(stacked)).hasMessageStartingWith(
                    "layers[1].encoder_layer.dim_feedforward: precision \"int8\" takes at most 65536");
        }
    }

    /** PyTorch's instance_norm takes a number for momentum: with running statistics null is refused when built. */
    @Test
    void instanceNormWithRunningStatisticsNeedsAMomentum() {
        ModelSpec s = ModelSpec.parse(spec("{\"type\": \"InstanceNorm1d\", \"num_features\": 3, \"track_running_stats\": "
                + "true, \"momentum\": null}"));
        try (TensorScope scope = TensorScope.open()) {
            assertThatThrownBy(() -> ModelBuilder.build(s)).hasMessageContaining("momentum: expected a number between "
                    + "0 and 1 with track_running_stats=true (instance norm has no cumulative average), got null");
        }
    }

    @Test
    void rejectsBadSeedAndEmptyLayers() {
        assertThatThrownBy(() -> ModelSpec.parse("{" + IO + "\"layers\": [{\"type\": \"ReLU\"}], \"seed\": \"x\"}"))
                .hasMessage("seed: expected an integer, got \"x\"");
        assertThatThrownBy(() -> ModelSpec.parse("{" + IO + "\"layers\": []}"))
                .hasMessage("layers: expected a non-empty list of layers, got []");
    }

    @Test
    void rejectsLayersThatDoNotFitNamingTheLayer() {
        ModelSpec s = ModelSpec.parse(spec("{\"type\": \"Linear\", \"in_features\": 784, \"out_features\": 256},"
                + "{\"type\": \"ReLU\"}, {\"type\": \"Linear\", \"in_features\": 784, \"out_features\": 10}"));
        try (TensorScope scope = TensorScope.open()) {
            assertThatThrownBy(() -> ModelBuilder.build(s)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("layers[2] (Linear) cannot take the input (-1, 256): expected an input of shape "
                            + "(*, 784) (in_features 784), got (-1, 256)");
        }
    }

    @Test
    void rejectsAStackThatDoesNotProduceTheDeclaredOutput() {
        ModelSpec s = ModelSpec.parse(spec("{\"type\": \"Linear\", \"in_features\": 784, \"out_features\": 3}"));
        ModelSpec ints = ModelSpec.parse("{\"inputs\": [{\"name\": \"t\", \"datatype\": \"INT64\", \"shape\": [-1]}],"
                + "\"outputs\": [{\"name\": \"y\", \"datatype\": \"FP32\", \"shape\": [-1, 2]}],"
                + "\"layers\": [{\"type\": \"Linear\", \"in_features\": 1, \"out_features\": 2}]}");
        ModelSpec conv = ModelSpec.parse("{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [-1, 3, 4,"
                + " 4]}], \"outputs\": [{\"name\": \"y\", \"datatype\": \"FP32\", \"shape\": [-1, 2, 1, 1]}],"
                + "\"layers\": [{\"type\": \"Conv2d\", \"in_channels\": 3, \"out_channels\": 2, \"kernel_size\": 5}]}");
        try (TensorScope scope = TensorScope.open()) {
            assertThatThrownBy(() -> ModelBuilder.build(s))
                    .hasMessage("outputs[0].shape: the layers produce (-1, 3) from an input of (-1, 784), but the "
                            + "spec says (-1, 10)");
            assertThatThrownBy(() -> ModelBuilder.build(ints))
                    .hasMessage("layers[0] (Linear): Linear expects a floating point input, got int64");
            assertThatThrownBy(() -> ModelBuilder.build(conv)).hasMessageContaining("layers[0] (Conv2d)")
                    .hasMessageContaining("the height of 4 (padded by 0 on each side) is smaller than the kernel's "
                            + "extent 5");
        }
    }

    @Test
    void groupsMustDivideChannels() {
        ModelSpec s = ModelSpec.parse("{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [-1, 3, 4,"
                + " 4]}], \"outputs\": [{\"name\": \"y\", \"datatype\": \"FP32\", \"shape\": [-1, 4, 2, 2]}],"
                + "\"layers\": [{\"type\": \"Conv2d\", \"in_channels\": 3, \"out_channels\": 4, \"kernel_size\": 3,"
                + "\"groups\": 2}]}");
        try (TensorScope scope = TensorScope.open()) {
            assertThatThrownBy(() -> ModelBuilder.build(s))
                    .hasMessage("layers[0].in_channels must be divisible by groups: in_channels 3, groups 2");
        }
    }

    /** Conv2d's padding="same" keeps height and width (also unknown ones) and, as in PyTorch, needs stride 1. */
    @Test
    void samePaddingKeepsTheSizeAndNeedsStrideOne() {
        String shapes = "\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [-1, 3, -1, 9]}],"
                + "\"outputs\": [{\"name\": \"y\", \"datatype\": \"FP32\", \"shape\": [-1, 2, -1, 9]}],";
        ModelSpec even = ModelSpec.parse("{" + shapes + "\"layers\": [{\"type\": \"Conv2d\", \"in_channels\": 3,"
                + "\"out_channels\": 2, \"kernel_size\": [2, 4], \"padding\": \"same\", \"dilation\": [3, 1]}]}");
        ModelSpec strided = ModelSpec.parse("{" + shapes + "\"layers\": [{\"type\": \"Conv2d\", \"in_channels\": 3,"
                + "\"out_channels\": 2, \"kernel_size\": 3, \"padding\": \"same\", \"stride\": [1, 2]}]}");
        try (TensorScope scope = TensorScope.open()) {
            Sequential m = ModelBuilder.build(even);
            assertThat(m.outputShape(new int[] {-1, 3, -1, 9})).containsExactly(-1, 2, -1, 9);
            assertThat(m.forward(Tensor.zeros(DType.FP32, 2, 3, 5, 9)).shape())
                    .containsExactly(2, 2, 5, 9);
            assertThat(m.toString()).contains("padding=same");
            assertThatThrownBy(() -> ModelBuilder.build(strided)).hasMessage("layers[0].padding: padding='same' is "
                    + "not supported for strided convolutions, got stride (1, 2)");
        }
    }

    /** Embedding's norm_type is taken whatever its value, as PyTorch takes it: it matters only with max_norm. */
    @Test
    void embeddingTakesAnyNormTypeWithoutMaxNorm() {
        ModelSpec s = ModelSpec.parse("{\"inputs\": [{\"name\": \"t\", \"datatype\": \"INT64\", \"shape\": [-1]}],"
                + "\"outputs\": [{\"name\": \"y\", \"datatype\": \"FP32\", \"shape\": [-1, 2]}],"
                + "\"layers\": [{\"type\": \"Embedding\", \"num_embeddings\": 3, \"embedding_dim\": 2,"
                + "\"max_norm\": null, \"norm_type\": 1}]}");
        assertThat(s.layers().get(0).args()).containsEntry("norm_type", 1.0).containsEntry("max_norm", null);
    }

    /** Softplus divides by beta: 0 is refused when the model is built, naming the argument. */
    @Test
    void softplusNeedsANonZeroBeta() {
        ModelSpec s = ModelSpec.parse("{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [-1, 3]}],"
                + "\"outputs\": [{\"name\": \"y\", \"datatype\": \"FP32\", \"shape\": [-1, 3]}],"
                + "\"layers\": [{\"type\": \"Softplus\", \"beta\": 0}]}");
        try (TensorScope scope = TensorScope.open()) {
            assertThatThrownBy(() -> ModelBuilder.build(s))
                    .hasMessage("layers[0].beta: expected a finite number other than 0, got 0.0");
        }
    }

    /**
     * A norm's eps may be 0, as in PyTorch (a constant row then normalises to 0 * inf = NaN, as there); a negative
     * or infinite eps is refused naming the layer's argument.
     */
    @Test
    void normsAcceptEpsZeroAsPyTorchDoes() {
        String io4 = "\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [-1, 4]}],"
                + "\"outputs\": [{\"name\": \"y\", \"datatype\": \"FP32\", \"shape\": [-1, 4]}],";
        try (io.nabla.tensor.TensorScope scope = io.nabla.tensor.TensorScope.open()) {
            Sequential m = ModelBuilder.build(ModelSpec.parse("{" + io4 + "\"layers\": ["
                    + "{\"type\": \"LayerNorm\", \"normalized_shape\": 4, \"eps\": 0},"
                    + "{\"type\": \"BatchNorm1d\", \"num_features\": 4, \"eps\": 0.0},"
                    + "{\"type\": \"GroupNorm\", \"num_groups\": 2, \"num_channels\": 4, \"eps\": 0}]}"));
            m.eval();
            double[] y = m.forward(io.nabla.tensor.Tensor.of(new float[] {1, 2, 3, 5, 7, 7, 7, 7}, 2, 4))
                    .toDoubleArray();
            assertThat(y[0]).isFinite();
            assertThat(y[4]).as("a constant row over eps 0").isNaN();
        }
        for (String layer : new String[] {"{\"type\": \"LayerNorm\", \"normalized_shape\": 4, \"eps\": -1e-5}",
            "{\"type\": \"BatchNorm1d\", \"num_features\": 4, \"eps\": 1e999}"}) {
            assertThatThrownBy(() -> ModelSpec.parse("{" + io4 + "\"layers\": [" + layer + "]}"))
                    .hasMessageStartingWith("layers[0].eps: expected a non-negative finite number, got");
        }
    }

    /** AdaptiveAvgPool2d's None keeps the input's size in its dim, also a size known only at run time. */
    @Test
    void adaptivePoolingKeepsTheSizesGivenAsNone() {
        String io = "\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [-1, 2, -1, 6]}],"
                + "\"outputs\": [{\"name\": \"y\", \"datatype\": \"FP32\", \"shape\": [-1, 2, -1, 3]}],";
        ModelSpec s = ModelSpec.parse("{" + io + "\"layers\": [{\"type\": \"AdaptiveAvgPool2d\","
                + "\"output_size\": [null, 3]}]}");
        try (TensorScope scope = TensorScope.open()) {
            Sequential m = ModelBuilder.build(s);
            Tensor x = Tensor.of(new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21,
                22, 23, 24}, DType.FP32, 1, 2, 2, 6);
            Tensor y = m.forward(x);
            assertThat(y.shape()).containsExactly(1, 2, 2, 3);
            assertThat(y.toDoubleArray()).containsExactly(1.5, 3.5, 5.5, 7.5, 9.5, 11.5, 13.5, 15.5, 17.5, 19.5, 21.5,
                    23.5);
            assertThat(m.toString()).contains("AdaptiveAvgPool2d(output_size=(None, 3))");
            Sequential all = ModelBuilder.build(ModelSpec.parse("{" + io.replace("[-1, 2, -1, 3]", "[-1, 2, -1, 6]")
                    + "\"layers\": [{\"type\": \"AdaptiveAvgPool2d\", \"output_size\": null}]}"));
            assertThat(all.forward(x).toDoubleArray()).containsExactly(x.toDoubleArray());
        }
    }

    /** PyTorch's pooling takes stride None or [] for the kernel size, and lists of one value for both dims. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "\"stride\": null|(2, 2)|(0, 0)",
        "\"stride\": []|(2, 2)|(0, 0)",
        "\"stride\": [1]|(1, 1)|(0, 0)",
        "\"stride\": [1], \"padding\": [1]|(1, 1)|(1, 1)",
    })
    void poolingTakesPyTorchsShortForms(String args, String stride, String padding) {
        for (String type : new String[] {"MaxPool2d", "AvgPool2d"}) {
            ModelSpec spec = ModelSpec.parse("{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", "
                    + "\"shape\": [-1, 1, 4, 4]}], \"outputs\": [{\"name\": \"y\", \"datatype\": \"FP32\", "
                    + "\"shape\": [-1, 1, -1, -1]}], \"layers\": [{\"type\": \"" + type + "\", \"kernel_size\": [2], "
                    + args + "}]}");
            try (TensorScope scope = TensorScope.open()) {
                Sequential m = ModelBuilder.build(spec);
                assertThat(m.toString()).contains("kernel_size=(2, 2), stride=" + stride + ", padding=" + padding);
            }
        }
    }

    /** Sizes past 2^31 - 1 are refused with the real figures, never wrapped into a small, wrong shape. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "\"padding\": 2147483647, \"padding_mode\": \"replicate\"|layers[0] (Conv2d) cannot take the input (-1, 1, 8, 8): the height of 8 padded by (2147483647, 2147483647) would be 4294967302, more than the largest size of a dim, 2147483647",
        "\"padding\": [2147483647, 0], \"stride\": [2147483647, 1], \"padding_mode\": \"replicate\"|layers[0] (Conv2d) cannot take the input (-1, 1, 8, 8): the height of 8 padded by (2147483647, 2147483647) would be 4294967302",
        "\"padding\": 2147483647|layers[0] (Conv2d) cannot take the input (-1, 1, 8, 8): the height of 8 (padded by 2147483647 on each side) gives an output height of 4294967300, more than the largest size of a dim, 2147483647",
    })
    void hugePaddingIsRefusedWithTheRealSizes(String args, String message) {
        ModelSpec spec = ModelSpec.parse("{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", "
                + "\"shape\": [-1, 1, 8, 8]}], \"outputs\": [{\"name\": \"y\", \"datatype\": \"FP32\", "
                + "\"shape\": [-1, 1, 4, 4]}], \"layers\": [{\"type\": \"Conv2d\", \"in_channels\": 1, "
                + "\"out_channels\": 1, \"kernel_size\": 3, " + args + "}]}");
        try (TensorScope scope = TensorScope.open()) {
            assertThatThrownBy(() -> ModelBuilder.build(spec)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith(message);
        }
    }

    /** Conv1d's and GroupNorm's own checks, at build time, with the layer's path in front. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"type\": \"Conv1d\", \"in_channels\": 1, \"out_channels\": 2, \"kernel_size\": 3, \"stride\": 2, \"padding\": \"same\"}|layers[0].padding: padding='same' is not supported for strided convolutions, got stride (2,)",
        "{\"type\": \"Conv1d\", \"in_channels\": 2, \"out_channels\": 3, \"kernel_size\": 3, \"groups\": 2}|layers[0].out_channels must be divisible by groups: out_channels 3, groups 2",
        "{\"type\": \"GroupNorm\", \"num_groups\": 3, \"num_channels\": 4}|layers[0].num_channels must be divisible by num_groups: num_channels 4, num_groups 3",
        "{\"type\": \"Hardtanh\", \"min_val\": 0.5, \"max_val\": 0.5}|layers[0].max_val: expected a finite number greater than min_val 0.5, got 0.5",
        "{\"type\": \"TransformerEncoderLayer\", \"d_model\": 6, \"nhead\": 4}|layers[0].d_model must be divisible by nhead: d_model 6, nhead 4",
        "{\"type\": \"CELU\", \"alpha\": 0}|layers[0].alpha: expected a finite number other than 0, got 0.0",
        "{\"type\": \"TransformerEncoder\", \"encoder_layer\": {\"d_model\": 6, \"nhead\": 4}, \"num_layers\": 2}|layers[0].encoder_layer.d_model must be divisible by nhead: d_model 6, nhead 4",
        "{\"type\": \"TransformerEncoder\", \"encoder_layer\": {\"d_model\": 4, \"nhead\": 2}, \"num_layers\": 1025}|layers[0].num_layers: expected at most 1024, got 1025",
    })
    void conv1dAndGroupNormCheckTheirArgumentsAtBuild(String layer, String message) {
        ModelSpec spec = ModelSpec.parse(spec(layer));
        try (TensorScope scope = TensorScope.open()) {
            assertThatThrownBy(() -> ModelBuilder.build(spec)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage(message);
        }
    }

    /** Reflect padding must be smaller than the input and circular padding at most its size, as in PyTorch. */
    @Test
    void paddingModesNeedRoomInTheInput() {
        String io = "\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [-1, 1, 3, -1]}],"
                + "\"outputs\": [{\"name\": \"y\", \"datatype\": \"FP32\", \"shape\": [-1, 1, -1, -1]}],";
        ModelSpec reflect = ModelSpec.parse("{" + io + "\"layers\": [{\"type\": \"Conv2d\", \"in_channels\": 1,"
                + "\"out_channels\": 1, \"kernel_size\": 3, \"padding\": 3, \"padding_mode\": \"reflect\"}]}");
        ModelSpec circular = ModelSpec.parse("{" + io + "\"layers\": [{\"type\": \"Conv2d\", \"in_channels\": 1,"
                + "\"out_channels\": 1, \"kernel_size\": 3, \"padding\": [3, 2], \"padding_mode\": \"circular\"}]}");
        try (TensorScope scope = TensorScope.open()) {
            assertThatThrownBy(() -> ModelBuilder.build(reflect)).hasMessage("layers[0] (Conv2d) cannot take the input "
                    + "(-1, 1, 3, -1): padding_mode 'reflect' needs the height's padding (3, 3) to be smaller than the "
                    + "height of the input, 3");
            Sequential m = ModelBuilder.build(circular);
            assertThat(m.outputShape(new int[] {-1, 1, 3, -1})).containsExactly(-1, 1, 7, -1);
            assertThat(m.forward(Tensor.zeros(DType.FP32, 1, 1, 3, 2)).shape()).containsExactly(1, 1, 7, 4);
            assertThatThrownBy(() -> m.forward(Tensor.zeros(DType.FP32, 1, 1, 3, 1)))
                    .hasMessage("padding_mode 'circular' needs the width's padding (2, 2) to be at most the width of "
                            + "the input, 1");
            assertThat(m.toString()).contains("padding_mode=circular");
        }
    }

    /** LayerNorm's bias=False (PyTorch 2.1) keeps the weight alone; elementwise_affine=False keeps nothing. */
    @Test
    void layerNormWithoutBiasOrAffine() {
        String shapes = "\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [-1, 4]}],"
                + "\"outputs\": [{\"name\": \"y\", \"datatype\": \"FP32\", \"shape\": [-1, 4]}],";
        ModelSpec noBias = ModelSpec.parse("{" + shapes + "\"layers\": [{\"type\": \"LayerNorm\", "
                + "\"normalized_shape\": 4, \"bias\": false}]}");
        ModelSpec none = ModelSpec.parse("{" + shapes + "\"layers\": [{\"type\": \"LayerNorm\", "
                + "\"normalized_shape\": 4, \"elementwise_affine\": false, \"bias\": false}]}");
        try (TensorScope scope = TensorScope.open()) {
            Sequential m = ModelBuilder.build(noBias);
            assertThat(m.stateDict().keySet()).containsExactly("0.weight");
            m.stateDict().get("0.weight").copyFrom(Tensor.of(new double[] {1, 2, 3, 4}, DType.FP32, 4));
            Tensor x = Tensor.of(new double[] {1, -2, 0.5, 7, 3, 3, 1, 0}, DType.FP32,
                    2, 4);
            Tensor expected = NormOps.layerNorm(x, new int[] {4},
                    m.stateDict().get("0.weight"), null, 1e-5);
            assertThat(m.forward(x).toDoubleArray()).containsExactly(expected.toDoubleArray());
            assertThat(m.toString()).contains("LayerNorm((4), eps=1.0E-5, elementwise_affine=True, bias=False)");
            assertThat(ModelBuilder.build(none).stateDict()).isEmpty();
            assertThat(ParameterBudget.elements(noBias)).isEqualTo(4);
            assertThat(ParameterBudget.elements(none)).isZero();
        }
    }

    /** A relu stack over an input of {@code rank} dimensions, for the rank limit. */
    private static String rankSpec(int inRank, int outRank) {
        String in = "-1" + ", 1".repeat(inRank - 1);
        String out = "-1" + ", 1".repeat(outRank - 1);
        return "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [" + in + "]}],"
                + "\"outputs\": [{\"name\": \"y\", \"datatype\": \"FP32\", \"shape\": [" + out + "]}],"
                + "\"layers\": [{\"type\": \"ReLU\"}]}";
    }

    @Test
    void refusesMoreDimensionsThanAnInferenceRequestMayHave() {
        assertThat(ModelSpec.parse(rankSpec(16, 16)).inputs().get(0).shape()).hasSize(16);
        assertThatThrownBy(() -> ModelSpec.parse(rankSpec(17, 17))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("inputs[0].shape: expected at most 16 dimensions (the most an inference request may "
                        + "have), got 17");
        assertThatThrownBy(() -> ModelSpec.parse(rankSpec(2, 17)))
                .hasMessageStartingWith("outputs[0].shape: expected at most 16 dimensions");
    }

    @Test
    void refusesInputAndOutputNamesLongerThanATensorName() {
        String ok = rankSpec(2, 2).replace("\"name\": \"x\"", "\"name\": \"" + "x".repeat(1024) + "\"");
        assertThat(ModelSpec.parse(ok).inputs().get(0).name()).hasSize(1024);
        String tooLong = rankSpec(2, 2).replace("\"name\": \"y\"", "\"name\": \"" + "y".repeat(100_000) + "\"");
        assertThatThrownBy(() -> ModelSpec.parse(tooLong))
                .hasMessage("outputs[0].name: expected at most 1024 characters, got 100000");
    }

    @Test
    void nullForAnOptionalFieldMeansItsDefaultAsInAJobRequest() {
        ModelSpec s = ModelSpec.parse("{" + IO + "\"layers\": [{\"type\": \"ReLU\"}], \"seed\": null,"
                + " \"device\": null}");
        assertThat(s.device()).isNull();
        assertThat(s.seed()).isZero();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{} {}|model spec: expected a JSON object, got invalid JSON at line 1, column 4: a second JSON value (an object) after the first one; expected a single value and then the end of the document",
        "{\"seed\": +1}|model spec: expected a JSON object, got invalid JSON at seed (line 1, column 11): unexpected character '+'; a JSON number may not start with '+'",
        "{\"seed\": NaN}|model spec: expected a JSON object, got invalid JSON at seed (line 1, column 13): NaN is not a JSON number",
        "{\"seed\": 1 /* x */}|model spec: expected a JSON object, got invalid JSON at seed (line 1, column 12): unexpected character '/'; comments are not allowed in JSON",
    })
    void describesMalformedJsonWithoutParserInternals(String json, String message) {
        assertThatThrownBy(() -> ModelSpec.parse(json)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(message)
                .extracting(Throwable::getMessage).satisfies(m -> NoInternals.check((String) m));
    }

    @Test
    void refusesASpecThatIsNotUtf8WithoutAByteOrderMark() {
        String spec = spec("{\"type\": \"ReLU\"}");
        java.nio.charset.Charset utf8 = java.nio.charset.StandardCharsets.UTF_8;
        assertThat(ModelSpec.parse(spec.getBytes(utf8)).layers()).hasSize(1);
        assertThatThrownBy(() -> ModelSpec.parse(("\ufeff" + spec).getBytes(utf8)))
                .hasMessage("model spec: expected UTF-8 JSON without a byte-order mark, got a UTF-8 byte-order mark"
                        + " (bytes EF BB BF) at the start");
        assertThatThrownBy(() -> ModelSpec.parse("\ufeff" + spec))
                .hasMessage("model spec: expected UTF-8 JSON without a byte-order mark, got a byte-order mark"
                        + " (U+FEFF) at the start");
        assertThatThrownBy(() -> ModelSpec.parse(spec.getBytes(java.nio.charset.StandardCharsets.UTF_16)))
                .hasMessage("model spec: expected UTF-8 JSON without a byte-order mark, got a UTF-16 or UTF-32"
                        + " byte-order mark (bytes FE FF) at the start");
        assertThatThrownBy(() -> ModelSpec.parse(spec.getBytes(java.nio.charset.StandardCharsets.UTF_16LE)))
                .hasMessage("model spec: expected UTF-8 JSON without a byte-order mark, got a zero byte at offset 1"
                        + " (UTF-16 or UTF-32 text?)");
        assertThatThrownBy(() -> ModelSpec.parse(new byte[] {'{', (byte) 0xC3, '}'}))
                .hasMessage("model spec: expected UTF-8 JSON, got bytes that are not valid UTF-8 (byte C3 at offset"
                        + " 1)");
    }
}
