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
 * RNN, LSTM and GRU beyond their PyTorch fixtures ({@code init/rnn*.json}, {@code init/forward_rnn*.json}): float64
 * finite differences through the input and every parameter of each cell, layer count and direction; the three
 * layouts giving the same answers; argument and shape errors.
 */
class RnnTest {

    private final Random rnd = new Random(47);

    private static Rnn fp64(Rnn.Mode mode, int in, int hidden, int layers, boolean bias, boolean batchFirst,
            boolean bidirectional, long seed) {
        Rnn rnn = new Rnn(mode, in, hidden, layers, bias, batchFirst, 0.0, bidirectional, new Generator(seed));
        rnn.namedParameters().values().forEach(p -> p.castTo(DType.FP64));
        return rnn;
    }

    private void gradCheck(String what, Rnn rnn, Tensor x) {
        List<Tensor> inputs = new ArrayList<>();
        inputs.add(x);
        inputs.addAll(rnn.parameters());
        GradCheck.check(what, t -> rnn.forward(t[0]), 1e-6, 1e-5, 1e-4, inputs.toArray(Tensor[]::new));
    }

    @Test
    void gradientsOfTheInputAndEveryParameterMatchFiniteDifferences() {
        try (TensorScope s = TensorScope.open()) {
            gradCheck("LSTM, 2 layers, bidirectional", fp64(Rnn.Mode.LSTM, 3, 4, 2, true, false, true, 1),
                    GradCheck.randn(rnd, false, 4, 2, 3));
            gradCheck("GRU without bias, batch first", fp64(Rnn.Mode.GRU, 3, 4, 1, false, true, false, 2),
                    GradCheck.randn(rnd, false, 2, 5, 3));
            gradCheck("tanh RNN, 2 layers, unbatched", fp64(Rnn.Mode.RNN_TANH, 2, 3, 2, true, false, false, 3),
                    GradCheck.randn(rnd, false, 4, 2));
            gradCheck("relu RNN, bidirectional, non-contiguous", fp64(Rnn.Mode.RNN_RELU, 3, 3, 1, true, true, true, 4),
                    GradCheck.randn(rnd, true, 2, 3, 3));
            Rnn projected = new Rnn(Rnn.Mode.LSTM, 3, 4, 2, true, false, 0.0, true, 2, new Generator(6));
            projected.namedParameters().values().forEach(p -> p.castTo(DType.FP64));
            gradCheck("LSTM with projections, 2 layers, bidirectional", projected, GradCheck.randn(rnd, false, 3, 2, 3));
        }
    }

    @Test
    void layoutsAndUnbatchedInputGiveTheSameAnswers() {
        try (TensorScope s = TensorScope.open(); GradMode.Region ng = GradMode.disable()) {
            for (Rnn.Mode mode : Rnn.Mode.values()) {
                Rnn seqFirst = fp64(mode, 3, 4, 2, true, false, true, 5);
                Rnn batchFirst = fp64(mode, 3, 4, 2, true, true, true, 5);
                Tensor x = GradCheck.randn(rnd, false, 2, 5, 3); // (N, L, H_in)
                Tensor a = batchFirst.forward(x);
                Tensor b = seqFirst.forward(ShapeOps.transpose(x, 0, 1));
                assertThat(a.shape()).containsExactly(2, 5, 8);
                assertThat(ShapeOps.contiguous(ShapeOps.transpose(b, 0, 1)).toDoubleArray()).as(mode.name())
                        .containsExactly(a.toDoubleArray());
                Tensor unbatched = batchFirst.forward(ShapeOps.select(x, 0, 1)); // (L, H_in)
                assertThat(unbatched.shape()).containsExactly(5, 8);
                double[] one = ShapeOps.contiguous(ShapeOps.select(a, 0, 1)).toDoubleArray();
                double[] u = unbatched.toDoubleArray();
                for (int i = 0; i < one.length; i++) { // a product of one row may take another kernel: to rounding
                    assertThat(u[i]).as(mode.name() + " unbatched [" + i + "]")
                            .isCloseTo(one[i], org.assertj.core.api.Assertions.within(1e-12));
                }
            }
        }
    }

    /**
     * Without gradients a step's temporaries are freed as it ends: an LSTM over 200 steps holds its input projection
     * (4 units of L·N·H), the stacked output and each step's h and c (one unit each), not the dozen tensors a step
     * makes.
     */
    @Test
    void inferenceMemoryGrowsWithTheOutputNotWithTheStepsTemporaries() {
        try (TensorScope outer = TensorScope.open(); GradMode.Region ng = GradMode.disable()) {
            Rnn lstm = new Rnn(Rnn.Mode.LSTM, 3, 16, 1, true, true, 0, false, new Generator(1));
            lstm.eval();
            Tensor x = GradCheck.randn(rnd, false, 2, 200, 3).dataAs(DType.FP32);
            try (TensorScope s = TensorScope.open()) {
                Tensor y = lstm.forward(x);
                long unit = 200L * 2 * 16 * 4;
                assertThat(y.shape()).containsExactly(2, 200, 16);
                assertThat(s.bytes()).as("bytes held after the forward pass").isLessThanOrEqualTo(8 * unit);
            }
        }
    }

    @Test
    void argumentsAndShapesAreChecked() {
        try (TensorScope s = TensorScope.open()) {
            Generator g = new Generator(0);
            assertThatThrownBy(() -> new Rnn(Rnn.Mode.LSTM, 0, 4, 1, true, false, 0, false, g))
                    .hasMessageContaining("input_size");
            assertThatThrownBy(() -> new Rnn(Rnn.Mode.GRU, 3, 4, 1, true, false, 1.5, false, g))
                    .hasMessage("dropout: expected a number between 0 and 1, got 1.5");
            Rnn lstm = new Rnn(Rnn.Mode.LSTM, 3, 4, 1, true, true, 0, true, g);
            assertThat(lstm.outputShape(new int[] {-1, 7, 3})).containsExactly(-1, 7, 8);
            assertThat(lstm.rowsIndependent(new int[] {-1, 7, 3})).isTrue();
            assertThat(new Rnn(Rnn.Mode.GRU, 3, 4, 1, true, false, 0, false, g).rowsIndependent(new int[] {7, -1, 3}))
                    .as("sequence first: dimension 0 is time").isFalse();
            assertThatThrownBy(() -> lstm.outputShape(new int[] {2, 7, 5})).hasMessage("expected an input of shape "
                    + "(N, L, 3) or (L, 3) (input_size 3), got (2, 7, 5)");
            assertThatThrownBy(() -> new Rnn(Rnn.Mode.GRU, 3, 4, 1, true, false, 0, false, 2, g))
                    .hasMessage("proj_size: only LSTM has projections, got 2 for GRU");
            assertThatThrownBy(() -> new Rnn(Rnn.Mode.LSTM, 3, 4, 1, true, false, 0, false, 4, g))
                    .hasMessage("proj_size: expected less than hidden_size 4, got 4");
            assertThat(new Rnn(Rnn.Mode.LSTM, 3, 4, 1, true, false, 0, true, 2, g).outputShape(new int[] {5, -1, 3}))
                    .containsExactly(5, -1, 4);
            assertThat(lstm.typeName()).isEqualTo("LSTM");
            assertThat(lstm.stateDict().keySet()).containsExactly("weight_ih_l0", "weight_hh_l0", "bias_ih_l0",
                    "bias_hh_l0", "weight_ih_l0_reverse", "weight_hh_l0_reverse", "bias_ih_l0_reverse",
                    "bias_hh_l0_reverse");
            assertThat(lstm.stateDict().get("weight_ih_l0").shape()).containsExactly(16, 3);
        }
    }
}
