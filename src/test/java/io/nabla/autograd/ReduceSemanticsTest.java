package io.nabla.autograd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nabla.backend.DType;
import io.nabla.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** PyTorch conventions of the reductions that the fixtures do not pin down, and bad arguments. */
class ReduceSemanticsTest {

    private static Tensor m23() {
        return Tensor.of(new double[] {1, 5, 3, 4, 2, 6}, 2, 3);
    }

    @Test
    void integerSumAndProdGiveInt64() {
        Tensor x = Tensor.of(new int[] {1, 2, 3, 4, 5, 6}, 2, 3);
        assertThat(ReduceOps.sum(x).dtype()).isEqualTo(DType.INT64);
        assertThat(ReduceOps.sum(x).getLong()).isEqualTo(21);
        assertThat(ReduceOps.prod(x).getLong()).isEqualTo(720);
        assertThat(ReduceOps.prod(x, 1, false).toLongArray()).containsExactly(6, 120);
        Tensor b = Tensor.of(new boolean[] {true, false, true}, 3);
        assertThat(ReduceOps.sum(b).dtype()).isEqualTo(DType.INT64);
        assertThat(ReduceOps.sum(b).getLong()).isEqualTo(2);
        assertThat(ReduceOps.amax(x, new int[] {1}, false).dtype()).isEqualTo(DType.INT32);
        assertThat(ReduceOps.amax(x, new int[] {1}, false).toLongArray()).containsExactly(3, 6);
        Tensor big = Tensor.of(new long[] {Long.MAX_VALUE - 1, Long.MAX_VALUE}, 2);
        assertThat(ReduceOps.argmax(big).getLong()).isEqualTo(1);
        assertThat(ReduceOps.logsumexp(x, new int[] {1}, false).dtype()).isEqualTo(DType.FP32);
    }

    @Test
    void argmaxWithoutDimIndexesTheFlattenedInput() {
        Tensor t = ShapeOps.transpose(m23(), 0, 1); // (3, 2): [[1, 4], [5, 2], [3, 6]]
        assertThat(ReduceOps.argmax(t).getLong()).isEqualTo(5);
        assertThat(ReduceOps.argmin(t).getLong()).isEqualTo(0);
        assertThat(ReduceOps.argmax(t, 0, false).toLongArray()).containsExactly(1, 2);
        assertThat(ReduceOps.argmax(t, -1, true).shape()).containsExactly(3, 1);
        Tensor ties = Tensor.of(new float[] {2, 7, 7, 1}, 4);
        assertThat(ReduceOps.argmax(ties).getLong()).as("first of tied maxima").isEqualTo(1);
        Tensor nan = Tensor.of(new float[] {2, Float.NaN, 9, Float.NaN}, 4);
        assertThat(ReduceOps.argmax(nan).getLong()).as("NaN is the max").isEqualTo(1);
        assertThat(ReduceOps.argmin(nan).getLong()).as("NaN is the min").isEqualTo(1);
    }

    @Test
    void maxAlongDimReturnsValuesAndIndicesAndRoutesTheGradient() {
        Tensor x = Tensor.of(new double[] {1, 5, 5, 4, 2, 6}, 2, 3).requiresGrad(true);
        ReduceOps.ValuesIndices r = ReduceOps.max(x, 1, false);
        assertThat(r.values().toDoubleArray()).containsExactly(5, 6);
        assertThat(r.indices().toLongArray()).containsExactly(1, 2);
        assertThat(r.indices().dtype()).isEqualTo(DType.INT64);
        Autograd.backward(r.values(), Tensor.of(new double[] {10, 20}, 2));
        assertThat(x.grad().toDoubleArray()).containsExactly(0, 10, 0, 0, 0, 20);
        ReduceOps.ValuesIndices m = ReduceOps.min(Tensor.of(new double[] {1, 5, 3, 0}, 2, 2), 0, true);
        assertThat(m.values().shape()).containsExactly(1, 2);
        assertThat(m.values().toDoubleArray()).containsExactly(1, 0);
        assertThat(m.indices().toLongArray()).containsExactly(0, 1);
    }

    @Test
    void amaxSharesTheGradientEvenlyAmongTies() {
        Tensor x = Tensor.of(new double[] {3, 1, 3, 3, 2, 0}, 2, 3).requiresGrad(true);
        Tensor y = ReduceOps.amax(x, new int[] {1}, false);
        Autograd.backward(y, Tensor.of(new double[] {6, 9}, 2));
        assertThat(x.grad().toDoubleArray()).containsExactly(3, 0, 3, 9, 0, 0);
        Tensor z = Tensor.of(new double[] {1, 1, 1, 1}, 4).requiresGrad(true);
        Autograd.backward(ReduceOps.max(z));
        assertThat(z.grad().toDoubleArray()).containsExactly(0.25, 0.25, 0.25, 0.25);
    }

    @Test
    void prodGradientIsExactAroundZeros() {
        Tensor x = Tensor.of(new double[] {2, 0, 3, 0, 0, 5}, 2, 3).requiresGrad(true);
        Autograd.backward(ReduceOps.prod(x, 1, false), Tensor.of(new double[] {1, 1}, 2));
        assertThat(x.grad().toDoubleArray()).containsExactly(0, 6, 0, 0, 0, 0);
    }

    @Test
    void varianceCorrectionAndEdgeCases() {
        Tensor x = Tensor.of(new double[] {1, 2, 3, 4}, 4);
        assertThat(ReduceOps.var(x).item()).isCloseTo(5.0 / 3, org.assertj.core.data.Offset.offset(1e-15));
        assertThat(ReduceOps.var(x, new int[0], false, false).item()).isEqualTo(1.25);
        assertThat(ReduceOps.var(x, new int[0], 2.0, false).item()).isEqualTo(2.5);
        assertThat(ReduceOps.std(x, new int[0], false, false).item()).isEqualTo(Math.sqrt(1.25));
        assertThat(ReduceOps.var(Tensor.of(new double[] {7}, 1)).item()).as("one value, unbiased").isNaN();
        Tensor empty = Tensor.zeros(DType.FP32, 0, 3);
        assertThat(ReduceOps.sum(empty).item()).isEqualTo(0.0);
        assertThat(ReduceOps.prod(empty).item()).isEqualTo(1.0);
        assertThat(ReduceOps.mean(empty).item()).isNaN();
        assertThat(ReduceOps.sum(empty, new int[] {0}, false).toDoubleArray()).containsExactly(0, 0, 0);
        assertThat(ReduceOps.amax(empty, new int[] {1}, false).shape()).containsExactly(0);
    }

    @Test
    void nanAndInfinityPropagateAsInPyTorch() {
        Tensor x = Tensor.of(new float[] {1, Float.NaN, 3, 4}, 2, 2);
        assertThat(ReduceOps.amax(x, new int[] {1}, false).toFloatArray()).containsExactly(Float.NaN, 4f);
        assertThat(ReduceOps.amin(x, new int[0], false).item()).isNaN();
        Tensor inf = Tensor.of(new float[] {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY, 1, Float.POSITIVE_INFINITY},
                2, 2);
        assertThat(ReduceOps.logsumexp(inf, new int[] {1}, false).toFloatArray())
                .containsExactly(Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY);
    }

    @Test
    void keepdimNegativeDimsAndScalars() {
        Tensor x = Tensor.of(new float[24], 2, 3, 4);
        assertThat(ReduceOps.sum(x, new int[] {-1, 0}, true).shape()).containsExactly(1, 3, 1);
        assertThat(ReduceOps.mean(x, new int[] {-2}, false).shape()).containsExactly(2, 4);
        Tensor s = Tensor.scalar(2.5, DType.FP64);
        assertThat(ReduceOps.sum(s, new int[] {0}, false).item()).isEqualTo(2.5);
        assertThat(ReduceOps.argmax(s, -1, false).getLong()).isEqualTo(0);
        assertThat(ReduceOps.amax(s, new int[0], true).shape()).isEmpty();
    }

    @Test
    void badArgumentsNameTheValues() {
        Tensor x = Tensor.of(new float[24], 2, 3, 4);
        assertThatThrownBy(() -> ReduceOps.sum(x, new int[] {3}, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[-3, 2]")
                .hasMessageContaining("got 3");
        assertThatThrownBy(() -> ReduceOps.amax(x, new int[] {-4}, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[-3, 2]");
        assertThatThrownBy(() -> ReduceOps.mean(x, new int[] {1, -2}, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dim 1 appears multiple times");
        assertThatThrownBy(() -> ReduceOps.argmax(x, 5, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 5");
        Tensor ints = Tensor.of(new long[] {1, 2}, 2);
        assertThatThrownBy(() -> ReduceOps.mean(ints)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("int64");
        assertThatThrownBy(() -> ReduceOps.var(ints)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("int64");
        Tensor empty = Tensor.zeros(DType.FP32, 2, 0);
        assertThatThrownBy(() -> ReduceOps.amax(empty, new int[] {1}, false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dimension 1 of size 0")
                .hasMessageContaining("(2, 0)");
        assertThatThrownBy(() -> ReduceOps.argmax(empty)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("(2, 0)");
        assertThatThrownBy(() -> ReduceOps.max(empty, 1, false)).isInstanceOf(IllegalArgumentException.class);
    }
}
