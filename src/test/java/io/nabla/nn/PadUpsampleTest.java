package io.nabla.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nabla.autograd.GradCheck;
import io.nabla.autograd.GradMode;
import io.nabla.backend.DType;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The padding layers and nearest upsampling beyond the PyTorch fixture (init/*resize_pad*): finite differences,
 * PyTorch's source positions for fractional factors, cropping, and errors that name the argument.
 */
class PadUpsampleTest {

    private final Random rnd = new Random(53);

    @Test
    void gradientsMatchFiniteDifferences() {
        try (TensorScope s = TensorScope.open()) {
            GradCheck.check("constant pad 2d, cropping one side", t -> new Pad("ConstantPad2d", Pad.Mode.CONSTANT, 2,
                    new int[] {2, -1, 1, 0}, 0.5).forward(t[0]), GradCheck.randn(rnd, true, 2, 3, 4));
            GradCheck.check("reflection pad 2d", t -> new Pad("ReflectionPad2d", Pad.Mode.REFLECT, 2,
                    new int[] {2, 1, 1, 2}, 0).forward(t[0]), GradCheck.randn(rnd, false, 1, 2, 3, 4));
            GradCheck.check("replication pad 1d", t -> new Pad("ReplicationPad1d", Pad.Mode.REPLICATE, 1,
                    new int[] {3, 1}, 0).forward(t[0]), GradCheck.randn(rnd, false, 2, 3));
            GradCheck.check("upsample by 1.7", t -> new Upsample("Upsample", null, new double[] {1.7}, false)
                    .forward(t[0]), GradCheck.randn(rnd, false, 1, 2, 3, 4));
            GradCheck.check("upsample to sizes", t -> new Upsample("Upsample", new int[] {5}, null, false)
                    .forward(t[0]), GradCheck.randn(rnd, false, 2, 2, 3));
            GradCheck.check("bilinear by 1.6", t -> new Upsample("Upsample", null, new double[] {1.6}, "bilinear", null,
                    false).forward(t[0]), GradCheck.randn(rnd, true, 1, 2, 3, 4));
            GradCheck.check("linear, align_corners, to 7", t -> new Upsample("Upsample", new int[] {7}, null, "linear",
                    true, false).forward(t[0]), GradCheck.randn(rnd, false, 2, 1, 4));
            GradCheck.check("trilinear down", t -> new Upsample("Upsample", null, new double[] {0.7, 1.5, 1},
                    "trilinear", false, false).forward(t[0]), GradCheck.randn(rnd, false, 1, 1, 3, 2, 2));
            GradCheck.check("bicubic by 1.7", t -> new Upsample("Upsample", null, new double[] {1.7}, "bicubic", null,
                    false).forward(t[0]), GradCheck.randn(rnd, true, 1, 2, 4, 3));
            GradCheck.check("bicubic, align_corners, down", t -> new Upsample("Upsample", new int[] {3, 2}, null,
                    "bicubic", true, false).forward(t[0]), GradCheck.randn(rnd, false, 2, 1, 5, 4));
            GradCheck.check("nearest-exact to 7", t -> new Upsample("Upsample", new int[] {7}, null, "nearest-exact",
                    null, false).forward(t[0]), GradCheck.randn(rnd, false, 2, 1, 4));
            GradCheck.check("area 2d", t -> new Upsample("Upsample", new int[] {2, 3}, null, "area", null, false)
                    .forward(t[0]), GradCheck.randn(rnd, false, 1, 2, 5, 4));
            GradCheck.check("area 1d", t -> new Upsample("Upsample", new int[] {3}, null, "area", null, false)
                    .forward(t[0]), GradCheck.randn(rnd, false, 2, 1, 7));
            GradCheck.check("avg pool 2d, divisor_override, ceil_mode", t -> new Pool2d(Pool2d.Kind.AVG, new int[] {3, 3},
                    new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 1}, true, false, 4).forward(t[0]),
                    GradCheck.randn(rnd, false, 1, 2, 5, 4));
        }
    }

    /** PyTorch 1.13's nearest_idx: same size and doubling exactly, else floor(i * scale) in float, clamped. */
    @Test
    void nearestPositionsArePyTorchs() {
        long[] bySize = new long[7];
        long[] byScale = new long[7];
        for (int i = 0; i < 7; i++) {
            bySize[i] = Upsample.sourceIndex(i, 5, 7, null);
            byScale[i] = Upsample.sourceIndex(i, 5, 7, 1.4);
        }
        // torch.nn.functional.interpolate(torch.arange(5.).view(1, 1, 5), size=7) and scale_factor=1.4
        assertThat(bySize).containsExactly(0, 0, 1, 2, 2, 3, 4);
        assertThat(byScale).containsExactly(0, 0, 1, 2, 2, 3, 4);
        assertThat(Upsample.sourceIndex(5, 3, 6, 2.0)).isEqualTo(2);
        assertThat(Upsample.sourceIndex(2, 3, 3, 1.0)).isEqualTo(2);
        try (TensorScope s = TensorScope.open(); GradMode.Region ng = GradMode.disable()) {
            Tensor x = Tensor.of(new float[] {1, 2, 3}, 1, 1, 3);
            assertThat(new Upsample("Upsample", null, new double[] {2}, false).forward(x).toDoubleArray())
                    .containsExactly(1, 1, 2, 2, 3, 3);
            Tensor crop = new Pad("ConstantPad1d", Pad.Mode.CONSTANT, 1, new int[] {-1, 2}, 9).forward(x);
            assertThat(crop.toDoubleArray()).containsExactly(2, 3, 9, 9);
            Tensor reflect = new Pad("ReflectionPad1d", Pad.Mode.REFLECT, 1, new int[] {2, 2}, 0).forward(x);
            assertThat(reflect.toDoubleArray()).containsExactly(3, 2, 1, 2, 3, 2, 1);
            Tensor replicate = new Pad("ReplicationPad1d", Pad.Mode.REPLICATE, 1, new int[] {1, 2}, 0).forward(x);
            assertThat(replicate.toDoubleArray()).containsExactly(1, 1, 2, 3, 3, 3);
            Tensor circular = new Pad("CircularPad1d", Pad.Mode.CIRCULAR, 1, new int[] {2, 3}, 0).forward(x);
            assertThat(circular.toDoubleArray()).containsExactly(2, 3, 1, 2, 3, 1, 2, 3);
        }
    }

    @Test
    void errorsNameTheArgumentAndTheValues() {
        Pad reflect = new Pad("ReflectionPad2d", Pad.Mode.REFLECT, 2, new int[] {3, 3, 1, 1}, 0);
        assertThatThrownBy(() -> reflect.outputShape(new int[] {-1, 2, 5, 3}))
                .hasMessage("padding: reflection needs the width's padding (3, 3) to be smaller than the width of the "
                        + "input, 3");
        assertThatThrownBy(() -> reflect.outputShape(new int[] {5, 3}))
                .hasMessage("expected a 3D or 4D input for ReflectionPad2d, got (5, 3)");
        assertThatThrownBy(() -> new Pad("CircularPad1d", Pad.Mode.CIRCULAR, 1, new int[] {4, 0}, 0)
                .outputShape(new int[] {2, 3})).hasMessage("padding: circular padding needs the width's padding (4, 0) "
                        + "to be at most the width of the input, 3");
        assertThatThrownBy(() -> new Pad("ReplicationPad1d", Pad.Mode.REPLICATE, 1, new int[] {-1, 0}, 0))
                .hasMessage("padding: expected non-negative integers, got (-1, 0)");
        assertThatThrownBy(() -> new Pad("ConstantPad1d", Pad.Mode.CONSTANT, 1, new int[] {-3, -2}, 0)
                .outputShape(new int[] {2, 4})).hasMessage("padding: the width of 4 padded by (-3, -2) would be -1, "
                        + "which is not a size");
        assertThatThrownBy(() -> new Upsample("Upsample", new int[] {4}, new double[] {2}, false))
                .hasMessage("size and scale_factor: exactly one of them must be given, got both");
        assertThatThrownBy(() -> new Upsample("Upsample", null, new double[] {2}, "nearest", false, false))
                .hasMessage("align_corners: can only be set with the interpolating modes: linear | bilinear | bicubic "
                        + "| trilinear, got false with mode \"nearest\"");
        assertThatThrownBy(() -> new Upsample("Upsample", null, new double[] {2}, "bilinear", null, false)
                .outputShape(new int[] {1, 2, 3})).hasMessage("mode \"bilinear\" needs a 4D input, got (1, 2, 3)");
        assertThatThrownBy(() -> new Upsample("Upsample", new int[] {4}, null, "linear", null, true))
                .hasMessage("recompute_scale_factor: is not meaningful with an explicit size");
        assertThatThrownBy(() -> new Upsample("Upsample", null, null, false))
                .hasMessage("size and scale_factor: exactly one of them must be given, got neither");
        Upsample twice = new Upsample("Upsample", null, new double[] {2, 2}, false);
        assertThatThrownBy(() -> twice.outputShape(new int[] {-1, 3, 8}))
                .hasMessage("scale_factor: expected 1 value for an input of 1 spatial dim, got 2 in (-1, 3, 8)");
        assertThatThrownBy(() -> twice.outputShape(new int[] {3, 8}))
                .hasMessage("expected a 3D, 4D or 5D (N, C, ...) input for Upsample, got (3, 8)");
        assertThatThrownBy(() -> new Upsample("Upsample", null, new double[] {0.1}, false)
                .outputShape(new int[] {1, 1, 5})).hasMessage("scale_factor: 0.1 turns the size 5 of dim 2 into 0, "
                        + "which is not a size");
        try (TensorScope s = TensorScope.open()) {
            Upsample huge = new Upsample("Upsample", new int[] {100000, 100000}, null, false);
            assertThatThrownBy(() -> huge.forward(Tensor.zeros(DType.FP32, 1, 1, 2, 2)))
                    .hasMessageContaining("the output (1, 1, 100000, 100000) of Upsample would take 40000000000 bytes");
        }
    }
}
