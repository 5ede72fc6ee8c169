package io.nabla.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nabla.autograd.Autograd;
import io.nabla.autograd.GradCheck;
import io.nabla.autograd.GradMode;
import io.nabla.backend.DType;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * AdaptiveMaxPool1d/2d, PixelShuffle/PixelUnshuffle, Softmax2d and EmbeddingBag beyond the PyTorch fixtures
 * (init/*pool_shuffle*, init/*embedding_bag*):
 * finite differences, the gradient of tied maxima going to the first (as PyTorch's), shuffling round trips, errors.
 */
class PoolShuffleTest {

    private final Random rnd = new Random(61);

    @Test
    void gradientsMatchFiniteDifferences() {
        try (TensorScope s = TensorScope.open()) {
            GradCheck.check("adaptive max pool, uneven windows", t -> new AdaptiveMaxPool2d(new int[] {2, 3})
                    .forward(t[0]), GradCheck.randn(rnd, false, 2, 2, 5, 4));
            GradCheck.check("adaptive max pool 1d", t -> Pool1d.adaptiveMax(4).forward(t[0]),
                    GradCheck.randn(rnd, true, 3, 7));
            GradCheck.check("pixel shuffle", t -> new PixelShuffle(2, false).forward(t[0]),
                    GradCheck.randn(rnd, false, 2, 8, 2, 3));
            GradCheck.check("pixel unshuffle, extra batch dims", t -> new PixelShuffle(2, true).forward(t[0]),
                    GradCheck.randn(rnd, false, 2, 1, 1, 4, 2));
            GradCheck.check("softmax2d", t -> Softmax.softmax2d().forward(t[0]), GradCheck.randn(rnd, false, 3, 2, 2));
        }
    }

    /** Ties: the whole gradient goes to the first maximum of each window (row-major), as PyTorch routes it. */
    @Test
    void tiedMaximaPassTheGradientToTheFirst() {
        try (TensorScope s = TensorScope.open()) {
            Tensor x = Tensor.zeros(DType.FP32, 1, 1, 3, 5).requiresGrad(true); // all tied
            Tensor y = new AdaptiveMaxPool2d(new int[] {2, 2}).forward(x);
            assertThat(y.shape()).containsExactly(1, 1, 2, 2);
            Autograd.backward(y, Tensor.ones(DType.FP32, 1, 1, 2, 2));
            // windows rows [0, 2) and [1, 3), columns [0, 3) and [2, 5): first elements (0, 0), (0, 2), (1, 0), (1, 2)
            assertThat(x.grad().toDoubleArray()).containsExactly(
                    1, 0, 1, 0, 0,
                    1, 0, 1, 0, 0,
                    0, 0, 0, 0, 0);
        }
    }

    @Test
    void embeddingBagTakesRowsOfIntegerIndices() {
        try (TensorScope s = TensorScope.open()) {
            EmbeddingBag bag = new EmbeddingBag(5, 3, "mean", 0, new Generator(2));
            assertThat(bag.stateDict().get("weight").shape()).containsExactly(5, 3);
            assertThat(bag.outputShape(new int[] {-1, 7})).containsExactly(-1, 3);
            assertThatThrownBy(() -> bag.outputShape(new int[] {7}))
                    .hasMessageStartingWith("expected a 2D input (bags, entries) for EmbeddingBag");
            assertThatThrownBy(() -> bag.outputDType(DType.FP32))
                    .hasMessage("EmbeddingBag expects integer indices, got float32");
            assertThatThrownBy(() -> new EmbeddingBag(5, 3, "median", null, new Generator(2)))
                    .hasMessage("mode: expected \"sum\", \"mean\" or \"max\", got \"median\"");
            Tensor idx = Tensor.of(new long[] {0, 0, 0, 2, 0, 2}, 2, 3);
            double[] y = bag.forward(idx).toDoubleArray();
            double[] row2 = bag.stateDict().get("weight").toDoubleArray();
            assertThat(java.util.Arrays.copyOf(y, 3)).as("a bag of padding only").containsOnly(0.0);
            for (int d = 0; d < 3; d++) {
                assertThat(y[3 + d]).as("the mean of row 2 twice, padding left out")
                        .isCloseTo(row2[6 + d], org.assertj.core.data.Offset.offset(1e-6));
            }
        }
    }

    @Test
    void shufflingRoundTripsAndErrorsNameTheFactor() {
        try (TensorScope s = TensorScope.open(); GradMode.Region ng = GradMode.disable()) {
            Tensor x = GradCheck.randn(rnd, false, 2, 12, 3, 2);
            Tensor up = new PixelShuffle(2, false).forward(x);
            assertThat(up.shape()).containsExactly(2, 3, 6, 4);
            assertThat(new PixelShuffle(2, true).forward(up).toDoubleArray()).containsExactly(x.toDoubleArray());
            Tensor one = Tensor.of(new float[] {0, 1, 2, 3}, 4, 1, 1);
            assertThat(new PixelShuffle(2, false).forward(one).toDoubleArray()).containsExactly(0, 1, 2, 3);
        }
        assertThatThrownBy(() -> new PixelShuffle(3, false).outputShape(new int[] {-1, 8, 2, 2}))
                .hasMessage("expected the channels, 8 in (-1, 8, 2, 2), to be divisible by upscale_factor squared, 9");
        assertThatThrownBy(() -> new PixelShuffle(2, true).outputShape(new int[] {-1, 1, 3, 4}))
                .hasMessage("expected the height and width of (-1, 1, 3, 4) to be divisible by downscale_factor, 2");
        assertThat(new PixelShuffle(2, false).rowsIndependent(new int[] {8, 2, 2})).isFalse();
        assertThatThrownBy(() -> Softmax.softmax2d().outputShape(new int[] {2, 3}))
                .hasMessage("expected a 3D (C, H, W) or 4D (N, C, H, W) input for Softmax2d, got (2, 3)");
        assertThat(Softmax.softmax2d().rowsIndependent(new int[] {3, 2, 2})).isFalse();
        assertThat(Softmax.softmax2d().rowsIndependent(new int[] {-1, 3, 2, 2})).isTrue();
    }
}
