package io.nabla.autograd;

import static org.assertj.core.api.Assertions.assertThat;

import io.nabla.backend.DType;
import io.nabla.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Cases the PyTorch fixtures do not cover: integer and BF16 products, empty products, and result shapes. */
class LinalgSemanticsTest {

    @Test
    void integerProductsAreExact() {
        Tensor a = Tensor.of(new long[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor b = Tensor.of(new long[] {7, 8, 9, 10, 11, 12}, 3, 2);
        Tensor c = LinalgOps.matmul(a, b);
        assertThat(c.dtype()).isEqualTo(DType.INT64);
        assertThat(c.toLongArray()).containsExactly(58, 64, 139, 154);
        Tensor big = Tensor.of(new long[] {1L << 40}, 1, 1);
        assertThat(LinalgOps.matmul(big, Tensor.of(new long[] {3}, 1, 1)).toLongArray()).containsExactly(3L << 40);
    }

    @Test
    void bf16ProductsRoundOnce() {
        Tensor a = Tensor.of(new double[] {1, 1.0078125, 3}, DType.BF16, 1, 3);
        Tensor b = Tensor.of(new double[] {1, 1, 1}, DType.BF16, 3, 1);
        Tensor c = LinalgOps.matmul(a, b);
        assertThat(c.dtype()).isEqualTo(DType.BF16);
        assertThat(c.toDoubleArray()).containsExactly(5.0); // 5.0078125 rounds to the nearest bf16, 5.0
    }

    @Test
    void emptyProducts() {
        Tensor zeroK = LinalgOps.matmul(Tensor.zeros(DType.FP32, 2, 0), Tensor.zeros(DType.FP32, 0, 3));
        assertThat(zeroK.shape()).containsExactly(2, 3);
        assertThat(zeroK.toFloatArray()).containsOnly(0f);
        Tensor noRows = LinalgOps.matmul(Tensor.zeros(DType.FP32, 4, 0, 3), Tensor.ones(DType.FP32, 3, 5));
        assertThat(noRows.shape()).containsExactly(4, 0, 5);
        Tensor lin = LinalgOps.linear(Tensor.zeros(DType.FP32, 0, 3), Tensor.ones(DType.FP32, 2, 3),
                Tensor.ones(DType.FP32, 2));
        assertThat(lin.shape()).containsExactly(0, 2);
    }

    @Test
    void resultShapes() {
        assertThat(LinalgOps.matmul(Tensor.ones(DType.FP32, 4), Tensor.ones(DType.FP32, 4)).shape()).isEmpty();
        assertThat(LinalgOps.matmul(Tensor.ones(DType.FP32, 4), Tensor.ones(DType.FP32, 2, 3, 4, 5)).shape())
                .containsExactly(2, 3, 5);
        assertThat(LinalgOps.matmul(Tensor.ones(DType.FP32, 2, 1, 3, 4), Tensor.ones(DType.FP32, 4)).shape())
                .containsExactly(2, 1, 3);
        assertThat(LinalgOps.matmul(Tensor.ones(DType.FP32, 2, 1, 3, 4), Tensor.ones(DType.FP32, 5, 4, 2)).shape())
                .containsExactly(2, 5, 3, 2);
        Tensor dot = LinalgOps.matmul(Tensor.of(new float[] {1, 2, 3}, 3), Tensor.of(new float[] {4, 5, 6}, 3));
        assertThat(dot.item()).isEqualTo(32.0);
    }
}
