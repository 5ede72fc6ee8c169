package io.nabla.autograd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.nabla.backend.DType;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Corner cases whose PyTorch 1.13 results were checked by hand (values in the comments). */
class LossEdgeCaseTest {

    private TensorScope scope;

    @BeforeEach
    void open() {
        scope = TensorScope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    @Test
    void everyTargetIgnoredGivesNanMeanAndZeroGradient() {
        // F.cross_entropy(x, [-100, -100, -100], weight=w, label_smoothing=ls) -> nan; x.grad all zeros
        Tensor t = Tensor.of(new long[] {-100, -100, -100}, 3);
        for (Tensor w : new Tensor[] {null, Tensor.of(new float[] {0.5f, 1, 2, 3}, 4)}) {
            for (double eps : new double[] {0, 0.2}) {
                Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, 3, 4).requiresGrad(true);
                Tensor loss = LossOps.crossEntropy(x, t, w, -100, "mean", eps);
                assertThat(loss.item()).isNaN();
                Autograd.backward(loss);
                assertThat(x.grad().toDoubleArray()).containsOnly(0.0);
            }
        }
        Tensor x = Tensor.zeros(DType.FP64, 3, 4).requiresGrad(true);
        Tensor loss = LossOps.nllLoss(x, t);
        assertThat(loss.item()).isNaN();
        Autograd.backward(loss);
        assertThat(x.grad().toDoubleArray()).containsOnly(0.0);
    }

    @Test
    void emptyBatch() {
        // cross_entropy on (0, 5): mean nan, sum 0, none shape (0)
        Tensor x = Tensor.zeros(DType.FP32, 0, 5).requiresGrad(true);
        Tensor t = Tensor.zeros(DType.INT64, 0);
        assertThat(LossOps.crossEntropy(x, t, null, -100, "mean", 0).item()).isNaN();
        assertThat(LossOps.crossEntropy(x, t, null, -100, "sum", 0).item()).isZero();
        assertThat(LossOps.crossEntropy(x, t, null, -100, "none", 0).shape()).containsExactly(0);
        assertThat(LossOps.mseLoss(Tensor.zeros(DType.FP32, 0), Tensor.zeros(DType.FP32, 0)).item()).isNaN();
        Tensor loss = LossOps.crossEntropy(x, t, null, -100, "sum", 0.1);
        Autograd.backward(loss);
        assertThat(x.grad().shape()).containsExactly(0, 5);
    }

    @Test
    void bceIsStableForLargeLogits() {
        // F.binary_cross_entropy_with_logits([1000, -1000, 30, -30], [0, 1, .5, .5], reduction='none')
        //   -> [1000, 1000, 15, 15]; grad [1, -1, .5, -.5]
        Tensor x = Tensor.of(new float[] {1000, -1000, 30, -30}, 4).requiresGrad(true);
        Tensor t = Tensor.of(new float[] {0, 1, 0.5f, 0.5f}, 4);
        Tensor loss = LossOps.binaryCrossEntropyWithLogits(x, t, null, null, "none");
        assertThat(loss.toDoubleArray()).containsExactly(new double[] {1000, 1000, 15, 15}, within(1e-5));
        Autograd.backward(loss, Tensor.ones(DType.FP32, 4));
        assertThat(x.grad().toDoubleArray()).containsExactly(new double[] {1, -1, 0.5, -0.5}, within(1e-6));
    }

    @Test
    void crossEntropyIsStableForLargeLogits() {
        // F.cross_entropy([[1e4, 0, -1e4]], [2]) -> 20000; grad [[1, 0, -1]]
        Tensor x = Tensor.of(new float[] {1e4f, 0, -1e4f}, 1, 3).requiresGrad(true);
        Tensor loss = LossOps.crossEntropy(x, Tensor.of(new long[] {2}, 1));
        assertThat(loss.item()).isEqualTo(20000.0);
        Autograd.backward(loss);
        assertThat(x.grad().toDoubleArray()).containsExactly(1, 0, -1);
    }

    @Test
    void klDivTreatsZeroTargetAsZeroLoss() {
        // F.kl_div(zeros(3), [0, .5, 1], reduction='none') -> [0, -0.3466, 0]
        Tensor loss = LossOps.klDiv(Tensor.zeros(DType.FP64, 3), Tensor.of(new double[] {0, 0.5, 1}, 3), "none",
                false);
        assertThat(loss.toDoubleArray()).containsExactly(new double[] {0, 0.5 * Math.log(0.5), 0}, within(1e-15));
    }

    @Test
    void dtypesPromoteAndGradientsKeepTheInputsDtype() {
        Tensor a = Tensor.ones(DType.FP32, 3).requiresGrad(true);
        Tensor b = Tensor.full(2, DType.FP64, 3).requiresGrad(true);
        Tensor loss = LossOps.mseLoss(a, b);
        assertThat(loss.dtype()).isEqualTo(DType.FP64);
        assertThat(loss.item()).isEqualTo(1.0);
        Autograd.backward(loss);
        assertThat(a.grad().dtype()).isEqualTo(DType.FP32);
        assertThat(b.grad().dtype()).isEqualTo(DType.FP64);
        assertThat(a.grad().toDoubleArray()).containsExactly(new double[] {-2 / 3.0, -2 / 3.0, -2 / 3.0},
                within(1e-7));
    }

    @Test
    void halfPrecisionIsComputedInDoubleAndRoundedOnce() {
        float[] v = {0.5f, -1.25f, 2, 0.75f, 1, -0.5f};
        Tensor t = Tensor.of(new long[] {2, 0}, 2);
        double expected = LossOps.crossEntropy(Tensor.of(v, 2, 3), t).item();
        for (DType dt : new DType[] {DType.FP16, DType.BF16}) {
            Tensor x = Tensor.of(new double[] {0.5, -1.25, 2, 0.75, 1, -0.5}, dt, 2, 3).requiresGrad(true);
            Tensor loss = LossOps.crossEntropy(x, t);
            assertThat(loss.dtype()).isEqualTo(dt);
            assertThat(loss.item()).isCloseTo(expected, within(expected * (dt == DType.FP16 ? 1e-3 : 8e-3)));
            Autograd.backward(loss);
            assertThat(x.grad().dtype()).isEqualTo(dt);
        }
    }

    @Test
    void modifyingASavedInputBeforeBackwardFails() {
        Tensor x = Tensor.zeros(DType.FP32, 2, 3).requiresGrad(true);
        Tensor leafView = x.detach();
        Tensor loss = LossOps.crossEntropy(x, Tensor.of(new long[] {0, 1}, 2));
        leafView.fill(1);
        assertThatThrownBy(() -> Autograd.backward(loss)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("modified by an inplace operation");
    }
}
