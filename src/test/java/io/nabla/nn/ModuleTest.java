package io.nabla.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nabla.backend.DType;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Module bookkeeping: PyTorch's state-dict names and order, loading with precise errors, modes, gradients. */
class ModuleTest {

    private static Sequential model(long seed) {
        Generator g = new Generator(seed);
        return new Sequential(new Linear(4, 3, true, g), new BatchNorm(1, 3, 1e-5, 0.1), Activation.relu(),
                new Sequential(new Linear(3, 2, false, g), new Dropout(0.5, g)), new LayerNorm(new int[] {2}, 1e-5));
    }

    @Test
    void stateDictHasPyTorchNamesAndOrder() {
        try (TensorScope s = TensorScope.open()) {
            Sequential m = model(0);
            assertThat(m.stateDict().keySet()).containsExactly("0.weight", "0.bias", "1.weight", "1.bias",
                    "1.running_mean", "1.running_var", "1.num_batches_tracked", "3.0.weight", "4.weight", "4.bias");
            assertThat(m.namedParameters().keySet()).containsExactly("0.weight", "0.bias", "1.weight", "1.bias",
                    "3.0.weight", "4.weight", "4.bias");
            assertThat(m.namedBuffers().keySet()).containsExactly("1.running_mean", "1.running_var",
                    "1.num_batches_tracked");
            assertThat(m.namedModules().keySet()).containsExactly("", "0", "1", "2", "3", "3.0", "3.1", "4");
            assertThat(m.parameters()).hasSize(7).allMatch(t -> t.requiresGrad() && t.isLeaf());
            assertThat(m.stateDict().get("0.weight").requiresGrad()).isFalse();
            assertThat(m.stateDict().get("1.running_var").toFloatArray()).containsExactly(1f, 1f, 1f);
        }
    }

    @Test
    void loadStateDictCopiesInPlaceAndRoundTrips() {
        try (TensorScope s = TensorScope.open()) {
            Sequential a = model(1);
            Sequential b = model(2);
            Tensor w = b.namedParameters().get("0.weight").tensor();
            assertThat(w.toFloatArray()).isNotEqualTo(a.stateDict().get("0.weight").toFloatArray());
            Module.LoadResult r = b.loadStateDict(a.stateDict(), true);
            assertThat(r.missingKeys()).isEmpty();
            assertThat(r.unexpectedKeys()).isEmpty();
            assertThat(b.namedParameters().get("0.weight").tensor()).isSameAs(w);
            a.stateDict().forEach((k, v) -> assertThat(b.stateDict().get(k).toDoubleArray()).as(k)
                    .containsExactly(v.toDoubleArray()));
        }
    }

    @Test
    void strictLoadNamesMissingUnexpectedAndMisshapedKeys() {
        try (TensorScope s = TensorScope.open()) {
            Sequential m = model(0);
            Map<String, Tensor> state = new LinkedHashMap<>(m.stateDict());
            state.remove("0.bias");
            state.remove("1.num_batches_tracked");
            state.put("9.weight", Tensor.zeros(DType.FP32, 2));
            state.put("0.weight", Tensor.zeros(DType.FP32, 4, 3));
            float[] before = m.stateDict().get("4.weight").toFloatArray();
            state.put("4.weight", Tensor.full(7, DType.FP32, 2));
            assertThatThrownBy(() -> m.loadStateDict(state, true)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("cannot load the state dict into Sequential: missing keys [0.bias, "
                            + "1.num_batches_tracked]; unexpected keys [9.weight]; size mismatch for 0.weight: "
                            + "expected shape (3, 4), got (4, 3)");
            assertThat(m.stateDict().get("4.weight").toFloatArray()).as("nothing written").containsExactly(before);

            state.put("0.weight", Tensor.zeros(DType.FP32, 3, 4));
            Module.LoadResult r = m.loadStateDict(state, false);
            assertThat(r.missingKeys()).containsExactly("0.bias", "1.num_batches_tracked");
            assertThat(r.unexpectedKeys()).containsExactly("9.weight");
            assertThat(m.stateDict().get("4.weight").toFloatArray()).containsExactly(7f, 7f);
            state.put("0.weight", Tensor.zeros(DType.FP32, 12));
            assertThatThrownBy(() -> m.loadStateDict(state, false))
                    .hasMessageContaining("size mismatch for 0.weight: expected shape (3, 4), got (12)");
        }
    }

    @Test
    void trainAndEvalReachEveryDescendant() {
        try (TensorScope s = TensorScope.open()) {
            Sequential m = model(0);
            assertThat(m.namedModules().values()).allMatch(Module::isTraining);
            m.eval();
            assertThat(m.namedModules().values()).noneMatch(Module::isTraining);
            m.train();
            assertThat(m.get(3).namedChildren().get("1").isTraining()).isTrue();
        }
    }

    @Test
    void zeroGradZeroesInPlace() {
        try (TensorScope s = TensorScope.open()) {
            Sequential m = model(0);
            Tensor w = m.parameters().get(0);
            w.setGrad(Tensor.full(3, DType.FP32, 3, 4));
            Tensor g = w.grad();
            m.zeroGrad();
            assertThat(w.grad()).isSameAs(g);
            assertThat(g.toFloatArray()).containsOnly(0f);
        }
    }

    @Test
    void rejectsBadRegistrationsAndArguments() {
        try (TensorScope s = TensorScope.open()) {
            assertThatThrownBy(() -> new Parameter(Tensor.zeros(DType.INT64, 2)))
                    .hasMessage("a parameter must have a floating point dtype, got int64");
            assertThatThrownBy(() -> new Linear(0, 2, true, new Generator(0)))
                    .hasMessage("in_features: expected a positive integer, got 0");
            assertThatThrownBy(() -> new Dropout(-0.1, new Generator(0)))
                    .hasMessage("p: dropout probability has to be between 0 and 1, but got -0.1");
            assertThatThrownBy(() -> new Embedding(3, 2, 3, new Generator(0)))
                    .hasMessage("padding_idx: must be within num_embeddings, i.e. in [-3, 2], got 3");
            assertThatThrownBy(() -> new Sequential(new Identity()).get(1))
                    .isInstanceOf(IndexOutOfBoundsException.class);
        }
    }

    @Test
    void printsLikePyTorch() {
        try (TensorScope s = TensorScope.open()) {
            Generator g = new Generator(0);
            assertThat(new Sequential(new Linear(2, 3, true, g), Activation.gelu("tanh")).toString())
                    .isEqualTo("Sequential(\n  (0): Linear(in_features=2, out_features=3, bias=True)\n"
                            + "  (1): GELU(approximate='tanh')\n)");
        }
    }
}
