package io.nabla.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nabla.autograd.GradCheck;
import io.nabla.autograd.GradMode;
import io.nabla.autograd.ShapeOps;
import io.nabla.backend.DType;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * TransformerEncoderLayer, its self-attention and TransformerEncoder beyond the PyTorch fixtures (init/transformer*.json,
 * forward_transformer*.json): float64 finite differences through every parameter in both norm orders, both
 * activations and both layouts; the layouts and unbatched input agreeing with each other; state-dict names;
 * INT8 replacing exactly the Linears PyTorch's {@code quantize_dynamic} replaces; errors that name the argument.
 */
class TransformerEncoderLayerTest {

    private final Random rnd = new Random(43);

    /** A layer (dropout 0) with its parameters cast to FP64 for finite differences. */
    private static TransformerEncoderLayer fp64Layer(boolean normFirst, String activation, boolean batchFirst,
                                                     long seed) {
        TransformerEncoderLayer layer = new TransformerEncoderLayer(4, 2, 6, 0.0, activation, 1e-5, batchFirst,
                normFirst, new Generator(seed));
        layer.namedParameters().values().forEach(p -> p.castTo(DType.FP64));
        return layer;
    }

    private void gradCheck(String what, TransformerEncoderLayer layer, Tensor x) {
        List<Tensor> inputs = new ArrayList<>();
        inputs.add(x);
        inputs.addAll(layer.parameters()); // perturbed in place by the check, read by forward through the layer
        GradCheck.check(what, t -> layer.forward(t[0]), 1e-6, 1e-5, 1e-4, inputs.toArray(Tensor[]::new));
    }

    @Test
    void gradientsOfTheInputAndEveryParameterMatchFiniteDifferences() {
        try (TensorScope s = TensorScope.open()) {
            gradCheck("post-norm relu, sequence first", fp64Layer(false, "relu", false, 1),
                    GradCheck.randn(rnd, false, 3, 2, 4));
            gradCheck("pre-norm gelu, batch first", fp64Layer(true, "gelu", true, 2),
                    GradCheck.randn(rnd, false, 2, 3, 4));
            gradCheck("post-norm gelu, unbatched, non-contiguous", fp64Layer(false, "gelu", true, 3),
                    GradCheck.randn(rnd, true, 3, 4));
        }
    }

    @Test
    void layoutsAndUnbatchedInputGiveTheSameAnswers() {
        try (TensorScope s = TensorScope.open(); GradMode.Region ng = GradMode.disable()) {
            TransformerEncoderLayer seqFirst = fp64Layer(false, "relu", false, 5);
            TransformerEncoderLayer batchFirst = fp64Layer(false, "relu", true, 5);
            Tensor x = GradCheck.randn(rnd, false, 2, 3, 4); // (N, S, E)
            Tensor a = batchFirst.forward(x);
            Tensor b = seqFirst.forward(ShapeOps.transpose(x, 0, 1));
            assertThat(a.shape()).containsExactly(2, 3, 4);
            assertThat(b.shape()).containsExactly(3, 2, 4);
            assertThat(ShapeOps.contiguous(ShapeOps.transpose(b, 0, 1)).toDoubleArray())
                    .containsExactly(a.toDoubleArray());
            Tensor one = ShapeOps.select(x, 0, 1); // (S, E)
            Tensor unbatched = batchFirst.forward(one);
            assertThat(unbatched.shape()).containsExactly(3, 4);
            assertThat(unbatched.toDoubleArray()).containsExactly(ShapeOps.select(a, 0, 1).toDoubleArray());
            // each sequence attends within itself only: the other batch entry does not change this one's answer
            Tensor alone = batchFirst.forward(ShapeOps.narrow(x, 0, 1, 1));
            assertThat(alone.toDoubleArray()).containsExactly(unbatched.toDoubleArray());
        }
    }

    @Test
    void stateDictNamesAndShapesArePyTorchs() {
        try (TensorScope s = TensorScope.open()) {
            TransformerEncoderLayer layer = new TransformerEncoderLayer(8, 2, 16, 0.1, "relu", 1e-5, false, false,
                    new Generator(0));
            assertThat(layer.stateDict().keySet()).containsExactly("self_attn.in_proj_weight",
                    "self_attn.in_proj_bias", "self_attn.out_proj.weight", "self_attn.out_proj.bias", "linear1.weight",
                    "linear1.bias", "linear2.weight", "linear2.bias", "norm1.weight", "norm1.bias", "norm2.weight",
                    "norm2.bias");
            assertThat(layer.stateDict().get("self_attn.in_proj_weight").shape()).containsExactly(24, 8);
            assertThat(layer.stateDict().get("linear2.weight").shape()).containsExactly(8, 16);
            assertThat(layer.selfAttn().outProj().bias().tensor().toDoubleArray()).containsOnly(0.0);
            assertThat(layer.stateDict().get("self_attn.in_proj_bias").toDoubleArray()).containsOnly(0.0);
            // xavier_uniform_ of a (24, 8) weight: bound sqrt(6 / 32)
            double bound = Math.sqrt(6.0 / 32);
            for (double w : layer.stateDict().get("self_attn.in_proj_weight").toDoubleArray()) {
                assertThat(Math.abs(w)).isLessThanOrEqualTo(bound);
            }
            assertThat(layer.outputShape(new int[] {-1, 5, 8})).containsExactly(-1, 5, 8);
            assertThat(layer.outputShape(new int[] {5, 8})).containsExactly(5, 8);
        }
    }

    @Test
    void int8ReplacesTheFeedForwardLinearsAsQuantizeDynamicDoes() {
        try (TensorScope s = TensorScope.open(); GradMode.Region ng = GradMode.disable()) {
            Generator g = new Generator(7);
            Sequential model = new Sequential(new TransformerEncoderLayer(16, 4, 32, 0.1, "gelu", 1e-5, true, false,
                    g), new Linear(16, 3, true, g));
            model.eval();
            assertThat(model.quantizableLinears().keySet()).containsExactly("0.linear1", "0.linear2", "1");
            Tensor x = Init.normal(Tensor.empty(DType.FP32, 2, 5, 16), 0, 1, new Generator(8));
            double[] fp32 = model.forward(x).toDoubleArray();
            Sequential q = model.quantizeDynamic();
            TransformerEncoderLayer layer = (TransformerEncoderLayer) q.get(0);
            assertThat(layer.namedChildren().get("linear1")).isInstanceOf(QuantizedLinear.class);
            assertThat(layer.namedChildren().get("linear2")).isInstanceOf(QuantizedLinear.class);
            assertThat(layer.selfAttn().outProj()).as("PyTorch's NonDynamicallyQuantizableLinear stays FP32")
                    .isInstanceOf(Linear.class);
            assertThat(layer.isTraining()).isFalse();
            assertThat(q.quantizableLinears()).isEmpty();
            double[] int8 = q.forward(x).toDoubleArray();
            for (int i = 0; i < fp32.length; i++) {
                assertThat(int8[i]).as("output %d", i).isCloseTo(fp32[i],
                        org.assertj.core.data.Offset.offset(0.05 + 0.02 * Math.abs(fp32[i])));
            }
        }
    }

    @Test
    void anEncoderQuantizesEveryLayersFeedForwardAndKeepsItsNorm() {
        try (TensorScope s = TensorScope.open(); GradMode.Region ng = GradMode.disable()) {
            Generator g = new Generator(9);
            List<Module> layers = List.of(new TransformerEncoderLayer(8, 2, 16, 0.1, "relu", 1e-5, true, false, g),
                    new TransformerEncoderLayer(8, 2, 16, 0.1, "relu", 1e-5, true, false, g));
            Sequential model = new Sequential(new TransformerEncoder(layers, new LayerNorm(new int[] {8}, 1e-5)));
            model.eval();
            assertThat(model.stateDict().keySet()).contains("0.layers.1.self_attn.in_proj_weight",
                    "0.norm.weight", "0.norm.bias");
            assertThat(model.quantizableLinears().keySet()).containsExactly("0.layers.0.linear1",
                    "0.layers.0.linear2", "0.layers.1.linear1", "0.layers.1.linear2");
            Tensor x = Init.normal(Tensor.empty(DType.FP32, 3, 4, 8), 0, 1, new Generator(10));
            double[] fp32 = model.forward(x).toDoubleArray();
            Sequential q = model.quantizeDynamic();
            assertThat(q.quantizableLinears()).isEmpty();
            assertThat(q.stateDict().keySet()).contains("0.layers.1.linear2.weight", "0.layers.1.linear2.scale",
                    "0.norm.weight");
            double[] int8 = q.forward(x).toDoubleArray();
            for (int i = 0; i < fp32.length; i++) {
                assertThat(int8[i]).as("output %d", i).isCloseTo(fp32[i],
                        org.assertj.core.data.Offset.offset(0.05 + 0.02 * Math.abs(fp32[i])));
            }
        }
    }

    @Test
    void errorsNameTheArgumentAndTheValues() {
        Generator g = new Generator(0);
        assertThatThrownBy(() -> new TransformerEncoderLayer(10, 3, 8, 0.1, "relu", 1e-5, false, false, g))
                .hasMessage("d_model must be divisible by nhead: d_model 10, nhead 3");
        assertThatThrownBy(() -> new TransformerEncoderLayer(8, 2, 8, 0.1, "tanh", 1e-5, false, false, g))
                .hasMessage("activation: expected \"relu\" or \"gelu\", got \"tanh\"");
        try (TensorScope s = TensorScope.open()) {
            TransformerEncoderLayer layer = new TransformerEncoderLayer(8, 2, 8, 0.1, "relu", 1e-5, true, false, g);
            assertThatThrownBy(() -> layer.outputShape(new int[] {-1, 5, 6}))
                    .hasMessage("expected an input of shape (N, L, 8) or (L, 8) (d_model 8), got (-1, 5, 6)");
            assertThatThrownBy(() -> layer.outputShape(new int[] {2, 3, 5, 8}))
                    .hasMessageContaining("got (2, 3, 5, 8)");
            assertThatThrownBy(() -> layer.forward(Tensor.zeros(DType.FP32, 8)))
                    .hasMessageContaining("got (8)");
        }
    }
}
