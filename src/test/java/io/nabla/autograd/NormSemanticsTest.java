package io.nabla.autograd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import io.nabla.backend.DType;
import io.nabla.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Running statistics, evaluation mode, edge values and bad arguments of the norm ops. */
class NormSemanticsTest {

    @Test
    void batchNormTrainingUpdatesRunningStatsWithTheUnbiasedVariance() {
        // channel 0: 1, 3 (mean 2, biased var 1, unbiased 2); channel 1: 2, 6 (mean 4, biased 4, unbiased 8)
        Tensor x = Tensor.of(new double[] {1, 2, 3, 6}, 2, 2);
        Tensor rm = Tensor.of(new double[] {0, 0}, 2);
        Tensor rv = Tensor.of(new double[] {1, 1}, 2);
        int v0 = rm.version();
        Tensor y = NormOps.batchNorm(x, rm, rv, null, null, true, 0.1, 0);
        assertThat(rm.toDoubleArray()).containsExactly(0.2, 0.4);
        assertThat(rv.toDoubleArray()[0]).isCloseTo(0.9 + 0.2, offset(1e-15));
        assertThat(rv.toDoubleArray()[1]).isCloseTo(0.9 + 0.8, offset(1e-15));
        assertThat(rm.version()).as("in-place update bumps the version").isGreaterThan(v0);
        assertThat(y.toDoubleArray()).containsExactly(-1, -1, 1, 1);
    }

    @Test
    void batchNormEvalUsesRunningStats() {
        Tensor x = Tensor.of(new double[] {1, 2, 3, 6}, 2, 2);
        Tensor rm = Tensor.of(new double[] {1, 2}, 2);
        Tensor rv = Tensor.of(new double[] {4, 16}, 2);
        Tensor w = Tensor.of(new double[] {2, 1}, 2);
        Tensor b = Tensor.of(new double[] {0, 1}, 2);
        Tensor y = NormOps.batchNorm(x, rm, rv, w, b, false, 0.1, 0);
        assertThat(y.toDoubleArray()).containsExactly(0, 1, 2, 2);
        assertThat(rm.toDoubleArray()).containsExactly(1, 2);
        assertThat(rv.toDoubleArray()).containsExactly(4, 16);
    }

    @Test
    void softmaxOfLargeAndInfiniteValues() {
        Tensor x = Tensor.of(new float[] {1000, 1000, Float.NEGATIVE_INFINITY, 0}, 1, 4);
        assertThat(NormOps.softmax(x, 1).toFloatArray()).containsExactly(0.5f, 0.5f, 0f, 0f);
        float[] ls = NormOps.logSoftmax(x, -1).toFloatArray();
        assertThat(ls[0]).isCloseTo((float) -Math.log(2), offset(1e-6f));
        assertThat(ls[2]).isEqualTo(Float.NEGATIVE_INFINITY);
        Tensor s = Tensor.scalar(3.0, DType.FP32);
        assertThat(NormOps.softmax(s, 0).item()).isEqualTo(1.0);
        assertThat(NormOps.logSoftmax(s, -1).item()).isEqualTo(0.0);
    }

    @Test
    void layerNormMatchesTheDefinition() {
        Tensor x = Tensor.of(new double[] {1, 2, 3, 4, 10, 10, 10, 10}, 2, 4);
        double[] y = NormOps.layerNorm(x, new int[] {4}, null, null, 1e-5).toDoubleArray();
        double s = Math.sqrt(1.25 + 1e-5);
        assertThat(y).containsExactly(new double[] {-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s, 0, 0, 0, 0},
                offset(1e-12));
    }

    @Test
    void softmaxBadArguments() {
        Tensor x = Tensor.of(new float[6], 2, 3);
        assertThatThrownBy(() -> NormOps.softmax(x, 2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("[-2, 1]").hasMessageContaining("got 2");
        assertThatThrownBy(() -> NormOps.logSoftmax(Tensor.of(new long[] {1, 2}, 2), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("int64");
    }

    @Test
    void layerNormShapeMismatchNamesTheShapes() {
        Tensor x = Tensor.of(new float[30], 2, 3, 5);
        assertThatThrownBy(() -> NormOps.layerNorm(x, new int[] {4}, null, null, 1e-5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(4)")
                .hasMessageContaining("(2, 3, 5)");
        assertThatThrownBy(() -> NormOps.layerNorm(x, new int[] {2, 3, 5, 1}, null, null, 1e-5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(2, 3, 5)");
        Tensor w = Tensor.of(new float[3], 3);
        assertThatThrownBy(() -> NormOps.layerNorm(x, new int[] {5}, w, null, 1e-5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("weight")
                .hasMessageContaining("(5)").hasMessageContaining("(3)");
        Tensor b64 = Tensor.of(new double[5], 5);
        assertThatThrownBy(() -> NormOps.layerNorm(x, new int[] {5}, null, b64, 1e-5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("float64")
                .hasMessageContaining("float32");
        assertThatThrownBy(() -> NormOps.layerNorm(x, new int[0], null, null, 1e-5))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void batchNormChannelMismatchAndMissingStats() {
        Tensor x = Tensor.of(new float[24], 2, 3, 2, 2);
        Tensor four = Tensor.zeros(DType.FP32, 4);
        Tensor three = Tensor.zeros(DType.FP32, 3);
        assertThatThrownBy(() -> NormOps.batchNorm(x, four, three, null, null, true, 0.1, 1e-5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("running_mean")
                .hasMessageContaining("(3)").hasMessageContaining("(4)");
        assertThatThrownBy(() -> NormOps.batchNorm(x, null, null, three, four, true, 0.1, 1e-5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bias")
                .hasMessageContaining("(4)");
        assertThatThrownBy(() -> NormOps.batchNorm(x, null, null, null, null, false, 0.1, 1e-5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("evaluation mode");
        assertThatThrownBy(() -> NormOps.batchNorm(Tensor.of(new float[3], 1, 3), null, null, null, null, true,
                0.1, 1e-5)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("more than 1 value")
                .hasMessageContaining("(1, 3)");
        assertThatThrownBy(() -> NormOps.batchNorm(Tensor.of(new float[3], 3), null, null, null, null, true, 0.1,
                1e-5)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(3)");
    }

    @Test
    void savedInputModifiedInPlaceIsRefused() {
        Tensor x = Tensor.of(new double[] {1, 2, 3, 4}, 2, 2).requiresGrad(true);
        Tensor leafView = x.detach();
        Tensor y = NormOps.layerNorm(x, new int[] {2}, null, null, 1e-5);
        leafView.setDouble(7, 0, 0);
        assertThatThrownBy(() -> Autograd.backward(y, Tensor.ones(DType.FP64, 2, 2)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("inplace");
    }
}
