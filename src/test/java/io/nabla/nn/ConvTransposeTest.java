package io.nabla.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nabla.autograd.ConvOps;
import io.nabla.autograd.ElementwiseOps;
import io.nabla.autograd.GradCheck;
import io.nabla.autograd.GradMode;
import io.nabla.autograd.ReduceOps;
import io.nabla.backend.DType;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * ConvTranspose1d/2d beyond the PyTorch fixture (init/*conv_transpose*): float64 finite differences of input, weight
 * and bias; the defining identity (the transposed convolution is the adjoint of the convolution with the same
 * weight: {@code <conv_transpose(x), y> = <x, conv(y)>}); shapes, names and errors.
 */
class ConvTransposeTest {

    private final Random rnd = new Random(59);

    @Test
    void gradientsMatchFiniteDifferences() {
        try (TensorScope s = TensorScope.open()) {
            GradCheck.check("conv_transpose2d strided, padded", t -> ConvOps.convTranspose2d(t[0], t[1], t[2],
                    new int[] {2, 1}, new int[] {1, 0}, new int[] {1, 0}, new int[] {1, 1}, 1),
                    GradCheck.randn(rnd, false, 2, 3, 3, 2), GradCheck.randn(rnd, false, 3, 2, 3, 2),
                    GradCheck.randn(rnd, false, 2));
            GradCheck.check("conv_transpose2d grouped, dilated, unbatched", t -> ConvOps.convTranspose2d(t[0], t[1],
                    null, new int[] {1, 2}, new int[] {0, 1}, new int[] {0, 1}, new int[] {2, 1}, 2),
                    GradCheck.randn(rnd, true, 4, 3, 3), GradCheck.randn(rnd, false, 4, 1, 2, 2));
        }
    }

    /** {@code <conv_transpose2d(x, w), y> == <x, conv2d(y, w)>} for every stride, padding and grouping. */
    @Test
    void isTheAdjointOfTheConvolution() {
        try (TensorScope s = TensorScope.open(); GradMode.Region ng = GradMode.disable()) {
            int[][] settings = {{1, 0, 0, 1, 1}, {2, 1, 1, 1, 1}, {3, 2, 2, 2, 2}, {2, 0, 1, 1, 2}};
            for (int[] c : settings) {
                int stride = c[0];
                int pad = c[1];
                int outPad = c[2];
                int dil = c[3];
                int groups = c[4];
                Tensor x = GradCheck.randn(rnd, false, 2, 4, 4, 3);
                Tensor w = GradCheck.randn(rnd, false, 4, 6 / groups, 3, 2);
                Tensor up = ConvOps.convTranspose2d(x, w, null, new int[] {stride}, new int[] {pad},
                        new int[] {outPad}, new int[] {dil}, groups);
                Tensor y = GradCheck.randn(rnd, false, up.shape());
                Tensor down = ConvOps.conv2d(y, w, null, new int[] {stride}, new int[] {pad}, new int[] {dil}, groups);
                assertThat(down.shape()).containsExactly(x.shape());
                double lhs = ReduceOps.sum(ElementwiseOps.mul(up, y)).toDoubleArray()[0];
                double rhs = ReduceOps.sum(ElementwiseOps.mul(x, down)).toDoubleArray()[0];
                assertThat(lhs).as("setting %s", java.util.Arrays.toString(c)).isCloseTo(rhs,
                        org.assertj.core.data.Offset.offset(1e-9 * Math.max(1, Math.abs(rhs))));
            }
        }
    }

    @Test
    void shapesNamesAndErrors() {
        try (TensorScope s = TensorScope.open()) {
            Generator g = new Generator(0);
            ConvTranspose up = new ConvTranspose(2, 3, 4, new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1},
                    new int[] {1, 1}, 1, true, new int[] {1, 1}, g);
            assertThat(up.stateDict().get("weight").shape()).containsExactly(3, 4, 3, 3);
            assertThat(up.stateDict().get("bias").shape()).containsExactly(4);
            assertThat(up.outputShape(new int[] {-1, 3, 5, 4})).containsExactly(-1, 4, 10, 8);
            assertThat(up.forward(Tensor.zeros(DType.FP32, 3, 5, 4)).shape()).containsExactly(4, 10, 8);
            assertThat(up.rowsIndependent(new int[] {3, 5, 4})).isFalse();
            ConvTranspose line = new ConvTranspose(1, 2, 2, new int[] {1, 3}, new int[] {1, 2}, new int[] {0, 0},
                    new int[] {0, 1}, 2, false, new int[] {1, 1}, g);
            assertThat(line.stateDict().keySet()).containsExactly("weight");
            assertThat(line.stateDict().get("weight").shape()).containsExactly(2, 1, 3);
            assertThat(line.outputShape(new int[] {-1, 2, 6})).containsExactly(-1, 2, 14);
            assertThat(line.typeName()).isEqualTo("ConvTranspose1d");
            assertThatThrownBy(() -> up.outputShape(new int[] {-1, 2, 5, 4}))
                    .hasMessage("expected 3 input channels (in_channels), got 2 in (-1, 2, 5, 4)");
            assertThatThrownBy(() -> new ConvTranspose(2, 3, 4, new int[] {3, 3}, new int[] {2, 2},
                    new int[] {0, 0}, new int[] {2, 0}, 1, true, new int[] {1, 1}, g))
                    .hasMessage("output_padding: must be smaller than either stride or dilation, got output_padding "
                            + "(2, 0), stride (2, 2), dilation (1, 1)");
            assertThatThrownBy(() -> new ConvTranspose(2, 3, 4, new int[] {3, 3}, new int[] {1, 1},
                    new int[] {0, 0}, new int[] {0, 0}, 2, true, new int[] {1, 1}, g))
                    .hasMessage("in_channels must be divisible by groups: in_channels 3, groups 2");
            assertThatThrownBy(() -> new ConvTranspose(2, 1, 1, new int[] {1, 1}, new int[] {1, 1},
                    new int[] {3, 3}, new int[] {0, 0}, 1, true, new int[] {1, 1}, g)
                    .outputShape(new int[] {1, 1, 2, 2})).hasMessageContaining("which is not a size");
        }
    }
}
