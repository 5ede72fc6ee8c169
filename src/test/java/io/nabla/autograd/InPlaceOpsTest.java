package io.nabla.autograd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nabla.backend.DType;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** In-place updates: values, views, versions, casting rules and the autograd guards. */
class InPlaceOpsTest {

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
    void updatesTheViewBumpsTheVersionAndReturnsSelf() {
        Tensor p = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
        int v0 = p.version();
        assertThat(InPlaceOps.add_(p, Tensor.of(new float[] {10, 20}, 2))).isSameAs(p);
        assertThat(p.toFloatArray()).containsExactly(11, 22, 13, 24);
        assertThat(p.version()).isGreaterThan(v0);
        InPlaceOps.mul_(p, 2.0);
        InPlaceOps.sub_(p, 2.0);
        InPlaceOps.div_(p, Tensor.of(new float[] {4, 2}, 2, 1));
        assertThat(p.toFloatArray()).containsExactly(5, 10.5f, 12, 23);
        InPlaceOps.clamp_(p, 6.0, 20.0);
        assertThat(p.toFloatArray()).containsExactly(6, 10.5f, 12, 20);
    }

    @Test
    void scaledAndFusedUpdatesRoundLikePyTorch() {
        float[] pv = {0.1f, -0.7f, 3.3f};
        float[] gv = {0.3f, 0.9f, -1.7f};
        float[] dv = {1.1f, 0.2f, 5.5f};
        Tensor p = Tensor.of(pv.clone(), 3);
        Tensor g = Tensor.of(gv, 3);
        Tensor d = Tensor.of(dv, 3);
        InPlaceOps.add_(p, g, -0.01);
        InPlaceOps.addcmul_(p, g, g, 0.999);
        InPlaceOps.addcdiv_(p, g, d, -0.05);
        float[] want = new float[3];
        for (int i = 0; i < 3; i++) {
            float x = pv[i] + (-0.01f) * gv[i];
            x = x + 0.999f * gv[i] * gv[i];
            want[i] = x + (-0.05f) * gv[i] / dv[i];
        }
        assertThat(p.toFloatArray()).containsExactly(want);
        Tensor q = Tensor.of(new double[] {1, 2}, DType.FP64, 2);
        InPlaceOps.sub_(q, Tensor.of(new double[] {4, 8}, DType.FP64, 2), 0.25);
        assertThat(q.toDoubleArray()).containsExactly(0, 0);
    }

    @Test
    void writesThroughNonContiguousViewsAndCopiesOverlappingOperands() {
        Tensor base = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
        Tensor t = ShapeOps.transpose(base, 0, 1);
        InPlaceOps.add_(t, Tensor.of(new float[] {100, 200}, 2)); // t[i][j] += [100, 200][j]
        assertThat(base.toFloatArray()).containsExactly(101, 102, 203, 204);
        Tensor a = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
        InPlaceOps.add_(a, ShapeOps.transpose(a, 0, 1)); // as if the transpose were copied first
        assertThat(a.toFloatArray()).containsExactly(2, 5, 5, 8);
        Tensor s = Tensor.of(new float[] {1, 2}, 2);
        InPlaceOps.addcmul_(s, s, s, 1.0);
        assertThat(s.toFloatArray()).containsExactly(2, 6);
    }

    @Test
    void computesInTheResultTypeAndCastsBack() {
        Tensor f = Tensor.of(new float[] {1}, 1);
        InPlaceOps.add_(f, Tensor.of(new double[] {1e-9}, DType.FP64, 1));
        assertThat(f.dtype()).isEqualTo(DType.FP32);
        assertThat(f.toDoubleArray()).containsExactly(1.0);
        Tensor i = Tensor.of(new long[] {Long.MAX_VALUE, 5}, 2);
        InPlaceOps.add_(i, Elementwise.scalarFor(i, 1L));
        assertThat(i.toLongArray()).containsExactly(Long.MIN_VALUE, 6);
        InPlaceOps.add_(i, Tensor.of(new int[] {1, 2}, 2), 3);
        assertThat(i.toLongArray()).containsExactly(Long.MIN_VALUE + 3, 12);
    }

    @Test
    void refusesWhatPyTorchRefuses() {
        Tensor i = Tensor.of(new long[] {1, 2}, 2);
        assertThatThrownBy(() -> InPlaceOps.add_(i, 1.5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("result type float32 can't be cast to the desired output type int64");
        assertThatThrownBy(() -> InPlaceOps.div_(i, Tensor.of(new long[] {2, 2}, 2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("can't be cast");
        assertThatThrownBy(() -> InPlaceOps.add_(i, Tensor.of(new long[] {2, 2}, 2), 0.5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("alpha");
        Tensor col = Tensor.zeros(DType.FP32, 3, 1);
        assertThatThrownBy(() -> InPlaceOps.add_(col, Tensor.zeros(DType.FP32, 3, 4)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("output with shape (3, 1) doesn't match the broadcast shape (3, 4)");
        assertThatThrownBy(() -> InPlaceOps.add_(col, Tensor.zeros(DType.FP32, 4, 2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(3, 1)")
                .hasMessageContaining("(4, 2)");
        Tensor expanded = ShapeOps.expand(Tensor.zeros(DType.FP32, 1, 4), 3, 4);
        assertThatThrownBy(() -> InPlaceOps.mul_(expanded, 2.0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("single memory location");
        assertThatThrownBy(() -> InPlaceOps.clamp_(i, 0.5, null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("can't be cast");
    }

    @Test
    void guardsTheAutogradGraph() {
        Tensor w = Tensor.of(new float[] {1, 2}, 2).requiresGrad(true);
        assertThatThrownBy(() -> InPlaceOps.add_(w, 1.0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a leaf Variable that requires grad is being used in an in-place operation.");
        Tensor y = ElementwiseOps.mul(w, 2.0);
        assertThatThrownBy(() -> InPlaceOps.mul_(y, 2.0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("grad mode");
        Tensor buffer = Tensor.zeros(DType.FP32, 2);
        assertThatThrownBy(() -> InPlaceOps.add_(buffer, w)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("requires grad");
        try (GradMode.Region ng = GradMode.disable()) {
            InPlaceOps.add_(w, Tensor.of(new float[] {0.5f, 0.5f}, 2), -2.0);
        }
        assertThat(w.toFloatArray()).containsExactly(0, 1);
        assertThat(w.isLeaf()).isTrue();
    }

    @Test
    void backwardDetectsASavedTensorChangedInPlace() {
        Tensor x = Tensor.of(new double[] {0.5, -1}, DType.FP64, 2).requiresGrad(true);
        Tensor y = ActivationOps.sigmoid(x); // saves its output
        Tensor z = ReduceOps.sum(y);
        try (GradMode.Region ng = GradMode.disable()) {
            InPlaceOps.mul_(y, 2.0);
        }
        assertThatThrownBy(() -> Autograd.backward(z)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("modified by an inplace operation");
    }
}
