package io.nabla.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nabla.autograd.GradCheck;
import io.nabla.autograd.NormOps;
import io.nabla.backend.DType;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Conv1d and GroupNorm beyond the PyTorch fixtures (init/forward_conv1d.json, forward_group_norm.json): float64
 * finite differences through every padding mode, shapes, parameter names and the errors for bad inputs.
 */
class Conv1dGroupNormTest {

    private final Random rnd = new Random(41);

    @Test
    void conv1dGradientsInEveryPaddingMode() {
        for (String mode : Conv2d.PADDING_MODES) {
            GradCheck.check("conv1d " + mode, t -> Conv1d.conv1d(t[0], t[1], t[2], 1, 2, 1, 1, 1, mode),
                    GradCheck.randn(rnd, false, 2, 3, 7), GradCheck.randn(rnd, false, 4, 3, 3),
                    GradCheck.randn(rnd, false, 4));
        }
        GradCheck.check("conv1d strided, dilated, grouped, non-contiguous, unbatched", t -> Conv1d.conv1d(t[0], t[1],
                null, 2, 1, 1, 2, 2, "circular"), GradCheck.randn(rnd, true, 4, 9), GradCheck.randn(rnd, false, 2, 2, 3));
    }

    @Test
    void conv1dShapesAndNames() {
        try (TensorScope s = TensorScope.open()) {
            Generator g = new Generator(0);
            Conv1d same = new Conv1d(3, 5, 4, 1, 0, "same", 2, 1, true, "reflect", g);
            assertThat(same.stateDict().keySet()).containsExactly("weight", "bias");
            assertThat(same.weight().tensor().shape()).containsExactly(5, 3, 4);
            assertThat(same.outputShape(new int[] {-1, 3, 11})).containsExactly(-1, 5, 11);
            assertThat(same.outputShape(new int[] {3, 11})).containsExactly(5, 11);
            Tensor x = Tensor.zeros(DType.FP32, 2, 3, 11);
            assertThat(same.forward(x).shape()).containsExactly(2, 5, 11);
            Conv1d strided = new Conv1d(2, 2, 3, 2, 1, null, 1, 2, false, "zeros", g);
            assertThat(strided.outputShape(new int[] {1, 2, 10})).containsExactly(1, 2, 5);
            assertThat(strided.stateDict().keySet()).containsExactly("weight");
            assertThat(strided.toString()).isEqualTo("Conv1d(2, 2, kernel_size=(3,), stride=(2,), padding=(1,), "
                    + "groups=2, bias=False)");
        }
    }

    @Test
    void conv1dErrorsNameTheArgumentAndTheValues() {
        Generator g = new Generator(0);
        assertThatThrownBy(() -> new Conv1d(3, 4, 3, 2, 0, "same", 1, 1, true, "zeros", g))
                .hasMessageContaining("padding='same' is not supported for strided convolutions, got stride (2,)");
        assertThatThrownBy(() -> new Conv1d(3, 4, 3, 1, 0, null, 1, 2, true, "zeros", g))
                .hasMessageContaining("in_channels must be divisible by groups: in_channels 3, groups 2");
        Conv1d c = new Conv1d(3, 4, 5, 1, 3, null, 1, 1, true, "reflect", g);
        assertThatThrownBy(() -> c.outputShape(new int[] {1, 3, 2, 2}))
                .hasMessageContaining("expected a 2D (C, L) or 3D (N, C, L) input for Conv1d, got (1, 3, 2, 2)");
        assertThatThrownBy(() -> c.outputShape(new int[] {1, 2, 9}))
                .hasMessage("expected 3 input channels (in_channels), got 2 in (1, 2, 9)");
        try (TensorScope s = TensorScope.open()) {
            assertThatThrownBy(() -> c.forward(Tensor.zeros(DType.FP32, 2, 9)))
                    .hasMessage("expected 3 input channels (in_channels), got 2 in (2, 9)");
        }
        assertThatThrownBy(() -> c.outputShape(new int[] {1, 3, 3}))
                .hasMessageContaining("padding_mode 'reflect' needs the length's padding (3, 3) to be smaller than "
                        + "the length of the input, 3");
        Conv1d valid = new Conv1d(3, 4, 5, 1, 0, "valid", 1, 1, true, "zeros", g);
        try (TensorScope s = TensorScope.open()) {
            assertThatThrownBy(() -> valid.forward(Tensor.zeros(DType.FP32, 1, 3, 4)))
                    .hasMessageContaining("the length of 4")
                    .hasMessageContaining("smaller than the kernel's extent 5");
        }
    }

    @Test
    void groupNormShapesNamesAndErrors() {
        try (TensorScope s = TensorScope.open()) {
            GroupNorm gn = new GroupNorm(2, 4, 1e-5, true);
            assertThat(gn.stateDict().keySet()).containsExactly("weight", "bias");
            assertThat(gn.toString()).isEqualTo("GroupNorm(2, 4, eps=1.0E-5, affine=True)");
            assertThat(new GroupNorm(2, 4, 1e-5, false).stateDict()).isEmpty();
            assertThat(gn.forward(Tensor.zeros(DType.FP32, 0, 4, 3)).shape()).containsExactly(0, 4, 3);
            // a constant group normalises to 0, then the affine gives the bias
            Tensor y = gn.forward(Tensor.ones(DType.FP32, 1, 4));
            assertThat(y.toFloatArray()).containsExactly(0f, 0f, 0f, 0f);
            // PyTorch's check: more than one value in N * C / G * positions
            assertThatThrownBy(() -> new GroupNorm(2, 2, 1e-5, true).forward(Tensor.ones(DType.FP32, 1, 2, 1)))
                    .hasMessage("group_norm: expected more than 1 value per group, got input size (1, 2, 1) with 2 "
                            + "groups");
            assertThat(new GroupNorm(4, 4, 1e-5, true).forward(Tensor.ones(DType.FP32, 2, 4)).shape())
                    .containsExactly(2, 4);
            assertThatThrownBy(() -> new GroupNorm(3, 4, 1e-5, true))
                    .hasMessageContaining("num_channels must be divisible by num_groups: num_channels 4, num_groups 3");
            assertThatThrownBy(() -> gn.outputShape(new int[] {4}))
                    .hasMessageContaining("expected an input of at least 2 dims (N, C, *) for GroupNorm, got (4)");
            assertThatThrownBy(() -> gn.forward(Tensor.zeros(DType.FP32, 2, 6, 3)))
                    .hasMessageContaining("expected 4 channels (num_channels) in dim 1, got 6 in (2, 6, 3)");
            assertThatThrownBy(() -> NormOps.groupNorm(Tensor.zeros(DType.FP32, 2, 6), 4, null, null, 1e-5))
                    .hasMessageContaining("number of channels 6 to be divisible by the number of groups, got 4");
            assertThatThrownBy(() -> NormOps.groupNorm(Tensor.zeros(DType.FP32, 2, 6), 2,
                    Tensor.ones(DType.FP32, 3), null, 1e-5))
                    .hasMessageContaining("expected weight and bias of shape (6) (the channels), got (3)");
        }
    }
}
