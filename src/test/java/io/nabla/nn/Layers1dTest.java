package io.nabla.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nabla.autograd.Autograd;
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
 * PReLU, InstanceNorm1d/2d, the 1-D pools, Unflatten, GLU, Softmin and Dropout1d/2d beyond the PyTorch fixtures
 * (init/*layers_1d*, init/*feature_dropout*): float64 finite differences, PyTorch's gradients on PReLU's kink, unbatched inputs
 * answering as a batch of one, shapes and the errors for inputs that do not fit.
 */
class Layers1dTest {

    private final Random rnd = new Random(47);

    /** Finite differences of the input and of every parameter (cast to FP64) of {@code layer}. */
    private static void gradCheck(String what, Module layer, Tensor x) {
        layer.namedParameters().values().forEach(p -> p.castTo(DType.FP64));
        List<Tensor> inputs = new ArrayList<>();
        inputs.add(x);
        inputs.addAll(layer.parameters());
        GradCheck.check(what, t -> layer.forward(t[0]), inputs.toArray(Tensor[]::new));
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        try (TensorScope s = TensorScope.open()) {
            gradCheck("prelu per channel", new PReLU(3, 0.2), GradCheck.randn(rnd, false, 2, 3, 4));
            gradCheck("prelu shared, 1-D", new PReLU(1, -0.3), GradCheck.randn(rnd, false, 5));
            gradCheck("instance norm 1d affine", new InstanceNorm(1, 3, 1e-5, true), GradCheck.randn(rnd, false, 2, 3,
                    5));
            gradCheck("instance norm 2d unbatched", new InstanceNorm(2, 2, 1e-5, true), GradCheck.randn(rnd, true, 2,
                    3, 4));
            gradCheck("max pool 1d", Pool1d.max(3, 2, 1, 2, true), GradCheck.randn(rnd, false, 2, 2, 9));
            gradCheck("avg pool 1d", Pool1d.avg(3, 2, 1, true, false), GradCheck.randn(rnd, false, 2, 7));
            gradCheck("adaptive avg pool 1d", Pool1d.adaptiveAvg(3), GradCheck.randn(rnd, false, 2, 2, 7));
            gradCheck("unflatten", new Unflatten(-1, new int[] {2, -1}), GradCheck.randn(rnd, false, 3, 6));
            gradCheck("glu", new Glu(1), GradCheck.randn(rnd, true, 2, 6, 3));
            gradCheck("softmin", Softmax.softmin(-1), GradCheck.randn(rnd, false, 3, 5));
            assertThatThrownBy(() -> new Glu(-1).outputShape(new int[] {2, 5}))
                    .hasMessage("Halving dimension must be even, but dimension 1 is size 5 in (2, 5)");
            assertThat(new Glu(0).rowsIndependent(new int[] {-1, 4})).isFalse();
        }
    }

    /** PyTorch's PReLU gradients at x = 0: the slope for the input, 0 for the weight. */
    @Test
    void preluAtZeroTakesTheNegativeSideForTheInputAndNothingForTheWeight() {
        try (TensorScope s = TensorScope.open()) {
            PReLU prelu = new PReLU(1, 0.25);
            Tensor x = Tensor.of(new float[] {0f, -2f, 3f}, 3);
            x.requiresGrad(true);
            Tensor y = prelu.forward(x);
            assertThat(y.toDoubleArray()).containsExactly(0.0, -0.5, 3.0);
            Autograd.backward(y, Tensor.of(new float[] {1f, 1f, 1f}, 3));
            assertThat(x.grad().toDoubleArray()).containsExactly(0.25, 0.25, 1.0);
            assertThat(prelu.stateDict().get("weight").toDoubleArray()).containsExactly(0.25);
            assertThat(prelu.namedParameters().get("weight").grad().toDoubleArray()).containsExactly(-2.0);
        }
    }

    @Test
    void unbatchedInputsAnswerAsABatchOfOne() {
        try (TensorScope s = TensorScope.open(); GradMode.Region ng = GradMode.disable()) {
            Module[] layers = {new InstanceNorm(1, 3, 1e-5, false), Pool1d.max(2, 1, 1, 1, false),
                Pool1d.avg(3, 3, 0, false, true), Pool1d.adaptiveAvg(2)};
            Tensor x = GradCheck.randn(rnd, false, 3, 8);
            for (Module m : layers) {
                Tensor alone = m.forward(x);
                Tensor batched = m.forward(ShapeOps.unsqueeze(x, 0));
                assertThat(alone.shape()).as(m.typeName()).containsExactly(ShapeOps.squeeze(batched, 0).shape());
                assertThat(alone.toDoubleArray()).as(m.typeName()).containsExactly(batched.toDoubleArray());
                assertThat(m.outputShape(x.shape())).containsExactly(alone.shape());
            }
            Tensor planes = GradCheck.randn(rnd, false, 2, 3, 4);
            InstanceNorm norm2d = new InstanceNorm(2, 2, 1e-5, false);
            assertThat(norm2d.forward(planes).toDoubleArray())
                    .containsExactly(norm2d.forward(ShapeOps.unsqueeze(planes, 0)).toDoubleArray());
        }
    }

    /** Dropout1d/2d zero whole channels: each (sample, channel) is all zeros or all scaled by 1 / (1 - p). */
    @Test
    void channelDropoutZeroesWholeChannelsAndIsTheIdentityInEvaluation() {
        try (TensorScope s = TensorScope.open(); GradMode.Region ng = GradMode.disable()) {
            Tensor x = Tensor.ones(DType.FP32, 4, 6, 3, 5);
            Dropout d2 = Dropout.channels2d(0.5, new Generator(3));
            double[] y = d2.forward(x).toDoubleArray();
            int zeros = 0;
            for (int plane = 0; plane < 24; plane++) {
                double first = y[plane * 15];
                assertThat(first).isIn(0.0, 2.0);
                zeros += first == 0 ? 1 : 0;
                for (int i = 1; i < 15; i++) {
                    assertThat(y[plane * 15 + i]).as("plane %d", plane).isEqualTo(first);
                }
            }
            assertThat(zeros).as("some planes dropped, some kept").isBetween(1, 23);
            Generator a = new Generator(9);
            Generator b = new Generator(9);
            Tensor planes = GradCheck.randn(rnd, false, 5, 7);
            Tensor alone = Dropout.channels1d(0.4, a).forward(planes);
            Tensor batched = Dropout.channels1d(0.4, b).forward(ShapeOps.unsqueeze(planes, 0));
            assertThat(alone.toDoubleArray()).as("unbatched (C, L) as a batch of one")
                    .containsExactly(batched.toDoubleArray());
            d2.eval();
            assertThat(d2.forward(x)).isSameAs(x);
            assertThat(d2.typeName()).isEqualTo("Dropout2d");
        }
        assertThatThrownBy(() -> Dropout.channels1d(0.5, new Generator(0)).outputShape(new int[] {2, 3, 4, 5}))
                .hasMessage("expected a 2D (C, L) or 3D (N, C, L) input for Dropout1d, got (2, 3, 4, 5)");
        assertThatThrownBy(() -> Dropout.channels2d(0.5, new Generator(0)).outputShape(new int[] {2, 3}))
                .hasMessage("expected a 4D (N, C, H, W) or 3D (N, C, L) input for Dropout2d, got (2, 3)");
    }

    @Test
    void shapesAndNames() {
        assertThat(Pool1d.max(3, 2, 1, 1, true).outputShape(new int[] {-1, 4, 12})).containsExactly(-1, 4, 7);
        assertThat(Pool1d.avg(2, 1, 1, false, false).outputShape(new int[] {4, 7})).containsExactly(4, 8);
        assertThat(Pool1d.adaptiveAvg(5).outputShape(new int[] {-1, 2, 16})).containsExactly(-1, 2, 5);
        assertThat(new Unflatten(1, new int[] {2, -1}).outputShape(new int[] {-1, 8, 3})).containsExactly(-1, 2, 4, 3);
        assertThat(new Unflatten(-1, new int[] {3, 2}).outputShape(new int[] {5, -1})).containsExactly(5, 3, 2);
        assertThat(new Unflatten(0, new int[] {2, 3}).rowsIndependent(new int[] {6, 4})).isFalse();
        assertThat(Pool1d.max(3, 2, 1, 1, true).typeName()).isEqualTo("MaxPool1d");
        assertThat(new InstanceNorm(2, 4, 1e-5, true).typeName()).isEqualTo("InstanceNorm2d");
        try (TensorScope s = TensorScope.open()) {
            assertThat(new InstanceNorm(1, 4, 1e-5, false).stateDict()).isEmpty();
            assertThat(new InstanceNorm(1, 4, 1e-5, true).stateDict().keySet()).containsExactly("weight", "bias");
            assertThat(new PReLU(4, 0.25).stateDict().get("weight").shape()).containsExactly(4);
        }
    }

    @Test
    void errorsNameTheArgumentAndTheValues() {
        assertThatThrownBy(() -> Pool1d.max(3, 1, 0, 1, false).outputShape(new int[] {2, 3, 4, 5}))
                .hasMessage("expected a 2D (C, L) or 3D (N, C, L) input for MaxPool1d, got (2, 3, 4, 5)");
        assertThatThrownBy(() -> Pool1d.avg(5, 1, 0, false, true).outputShape(new int[] {2, 3, 4}))
                .hasMessageContaining("the length of 4").hasMessageContaining("smaller than the kernel's extent 5");
        assertThatThrownBy(() -> Pool1d.max(2, 1, 2, 1, false))
                .hasMessageContaining("pad should be at most half of the kernel size");
        assertThatThrownBy(() -> new PReLU(3, 0.25).outputShape(new int[] {-1, 4}))
                .hasMessage("expected 3 channels (num_parameters) in dim 1, got 4 in (-1, 4)");
        assertThatThrownBy(() -> new PReLU(3, 0.25).outputShape(new int[] {3}))
                .hasMessage("expected 3 channels (num_parameters) in dim 1, got an input of 1 dims in (3)");
        assertThatThrownBy(() -> new InstanceNorm(1, 3, 1e-5, true).outputShape(new int[] {2, 4, 5}))
                .hasMessage("expected 3 channels (num_features), got 4 in (2, 4, 5)");
        assertThat(new InstanceNorm(1, 3, 1e-5, false).outputShape(new int[] {2, 4, 5})).as("PyTorch only warns")
                .containsExactly(2, 4, 5);
        assertThatThrownBy(() -> new InstanceNorm(2, 3, 1e-5, true).outputShape(new int[] {3, 5}))
                .hasMessage("expected a 3D or 4D input for InstanceNorm2d, got (3, 5)");
        assertThatThrownBy(() -> new Unflatten(1, new int[] {4, 2}).outputShape(new int[] {-1, 6}))
                .hasMessage("unflattened_size: (4, 2) must multiply to the size of dim 1, 6, in (-1, 6)");
        assertThatThrownBy(() -> new Unflatten(1, new int[] {-1, -1}))
                .hasMessage("unflattened_size: only one size can be inferred (-1), got (-1, -1)");
        assertThatThrownBy(() -> new Unflatten(3, new int[] {2}).outputShape(new int[] {-1, 6}))
                .hasMessage("dim: 3 is out of range for an input of shape (-1, 6)");
    }
}
