package io.nabla.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.nabla.autograd.Autograd;
import io.nabla.backend.DType;
import io.nabla.backend.Device;
import io.nabla.nn.Sequential;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Built models run as PyTorch's (src/test/resources/init/forward_*.json, written by gen_forward.py): a training-mode
 * forward including Dropout masks drawn from the seed's generator after the initialisation, the gradients of every
 * parameter, the updated running statistics, and an evaluation-mode forward.
 */
public class LayerForwardTest {

    private static final double RTOL = 1e-4;
    private static final double ATOL = 1e-5;

    public static Tensor tensor(JsonNode t) {
        int[] shape = new int[t.get("shape").size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = t.get("shape").get(i).intValue();
        }
        double[] data = new double[t.get("data").size()];
        for (int i = 0; i < data.length; i++) {
            data[i] = t.get("data").get(i).asDouble();
        }
        return Tensor.of(data, DType.parse(t.get("dtype").stringValue()), shape);
    }

    /** The fixtures, by name: forward_<name>.json (and init/<name>.json, {@link ModelInitTest}'s). */
    public static final String[] FIXTURES = {
        "cnn", "embedding", "small_embedding", "pytorch_args", "pooling_args", "padding_modes", "hard_activations",
        "embedding_args", "conv1d", "group_norm", "transformer", "transformer_encoder", "layers_1d",
        "feature_dropout", "more_activations", "resize_pad", "conv_transpose", "upsample_linear", "pool_shuffle",
        "embedding_bag", "embedding_bag_mean", "embedding_bag_sum", "circular_pad", "rnn", "rnn_seq_first",
        "upsample_modes", "instance_norm_running", "embedding_freq", "lstm_proj", "pool_divisor"};

    static java.util.stream.Stream<String> fixtures() {
        return java.util.Arrays.stream(FIXTURES);
    }

    @ParameterizedTest
    @MethodSource("fixtures")
    void trainAndEvalForwardMatchPyTorch(String name) {
        check(name, Device.CPU);
    }

    /** Runs fixture {@code name} with the model and its input on {@code device} (the CUDA suite runs it on a GPU). */
    public static void check(String name, Device device) {
        JsonNode root = JsonMapper.builder().build().readTree(GoldenModels.text("/init/forward_" + name + ".json"));
        try (TensorScope scope = TensorScope.open()) {
            Sequential model = ModelBuilder.build(ModelSpec.parse(root.get("spec")));
            model.to(device);
            Tensor x = tensor(root.get("input")).toDevice(device);
            model.train();
            Tensor out = model.forward(x);
            assertClose(name + " train output", out, tensor(root.get("train_output")));
            Autograd.backward(out, tensor(root.get("upstream")).toDevice(device));
            for (Map.Entry<String, JsonNode> e : root.get("grads").properties()) {
                assertClose(name + " grad " + e.getKey(), model.namedParameters().get(e.getKey()).grad(),
                        tensor(e.getValue()));
            }
            for (Map.Entry<String, JsonNode> e : root.get("buffers").properties()) {
                assertClose(name + " buffer " + e.getKey(), model.namedBuffers().get(e.getKey()),
                        tensor(e.getValue()));
            }
            model.eval();
            Tensor eval = model.forward(x);
            assertClose(name + " eval output", eval, tensor(root.get("eval_output")));
            assertThat(eval.requiresGrad()).isTrue();
            assertThat(eval.device()).isEqualTo(device);
        }
    }

    /**
     * TransformerEncoderLayer(bias=False), which Debian's PyTorch 1.13 lacks: its fixture (gen_bias_free.py) is the
     * 1.13 layer with every bias zeroed, run from the weights in the file. The state dict has no bias; the training
     * forward, every gradient and the evaluation forward are PyTorch's.
     */
    @org.junit.jupiter.api.Test
    void biasFreeTransformerLayersMatchPyTorch() {
        JsonNode root = JsonMapper.builder().build().readTree(GoldenModels.text("/init/transformer_bias_free.json"));
        try (TensorScope scope = TensorScope.open()) {
            ModelSpec spec = ModelSpec.parse(root.get("spec"));
            Sequential model = ModelBuilder.build(spec);
            Map<String, Tensor> weights = new java.util.LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> e : root.get("weights").properties()) {
                weights.put(e.getKey(), tensor(e.getValue()));
            }
            assertThat(model.stateDict().keySet()).containsExactlyElementsOf(weights.keySet());
            assertThat(ParameterBudget.elements(spec)).isEqualTo(weights.values().stream().mapToLong(Tensor::numel)
                    .sum());
            model.loadStateDict(weights, true);
            Tensor x = tensor(root.get("input"));
            model.train();
            Tensor out = model.forward(x);
            assertClose("bias-free train output", out, tensor(root.get("train_output")));
            Autograd.backward(out, tensor(root.get("upstream")));
            for (Map.Entry<String, JsonNode> e : root.get("grads").properties()) {
                assertClose("bias-free grad " + e.getKey(), model.namedParameters().get(e.getKey()).grad(),
                        tensor(e.getValue()));
            }
            model.eval();
            assertClose("bias-free eval output", model.forward(x), tensor(root.get("eval_output")));
        }
    }

    private static void assertClose(String what, Tensor actual, Tensor expected) {
        TrainingGoldenTest.assertClose(what, actual.toDevice(Device.CPU), expected, RTOL, ATOL);
    }
}
