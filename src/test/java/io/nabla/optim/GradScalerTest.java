package io.nabla.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nabla.autograd.Autograd;
import io.nabla.autograd.ElementwiseOps;
import io.nabla.autograd.ReduceOps;
import io.nabla.backend.DType;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** PyTorch 1.13 GradScaler's rules: scale, unscale, skip on inf/NaN, back off, grow, state dict, misuse. */
class GradScalerTest {

    private TensorScope scope;

    @BeforeEach
    void open() {
        scope = TensorScope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    private static Tensor param(double... v) {
        return Tensor.of(v, DType.FP32, v.length).requiresGrad(true);
    }

    /** Backward of sum(p * factor) through the scaler: p's gradient is factor * scale. */
    private static void backward(GradScaler s, Tensor p, double factor) {
        Autograd.backward(s.scale(ReduceOps.sum(ElementwiseOps.mul(p, factor))));
    }

    @Test
    void aFiniteStepIsUnscaledAndTaken() {
        Tensor p = param(1, 2);
        Sgd sgd = new Sgd(List.of(p), Sgd.Options.lr(0.5));
        GradScaler s = new GradScaler();
        assertThat(s.scale()).isEqualTo(65536.0);
        backward(s, p, 3);
        assertThat(p.grad().toDoubleArray()).containsExactly(3 * 65536.0, 3 * 65536.0);
        assertThat(s.step(sgd)).isTrue();
        assertThat(p.grad().toDoubleArray()).containsExactly(3, 3);
        assertThat(p.toDoubleArray()).containsExactly(-0.5, 0.5);
        s.update();
        assertThat(s.scale()).isEqualTo(65536.0);
        assertThat(s.growthTracker()).isEqualTo(1);
    }

    @Test
    void anInfiniteOrNanGradientSkipsTheStepAndBacksOff() {
        for (double bad : new double[] {Double.POSITIVE_INFINITY, Double.NaN}) {
            Tensor p = param(1, 2);
            Tensor q = param(5);
            Sgd sgd = new Sgd(List.of(p, q), Sgd.Options.lr(0.5));
            GradScaler s = new GradScaler(1024, 2, 0.25, 3);
            backward(s, p, 1);
            Autograd.backward(s.scale(ReduceOps.sum(ElementwiseOps.mul(q, bad))));
            assertThat(s.unscale(sgd)).as("found %s", bad).isTrue();
            assertThat(s.step(sgd)).isFalse();
            assertThat(p.toDoubleArray()).as("not updated").containsExactly(1, 2);
            assertThat(q.toDoubleArray()).containsExactly(5);
            s.update();
            assertThat(s.scale()).isEqualTo(256.0);
            assertThat(s.growthTracker()).isZero();
        }
    }

    @Test
    void theScaleGrowsAfterTheIntervalButNeverToInfinity() {
        Tensor p = param(1);
        Sgd sgd = new Sgd(List.of(p), Sgd.Options.lr(0));
        GradScaler s = new GradScaler(0x1p126, 2, 0.5, 2);
        for (int i = 0; i < 2; i++) {
            sgd.zeroGrad(true);
            backward(s, p, 0x1p-127);
            s.step(sgd);
            s.update();
        }
        assertThat(s.scale()).isEqualTo(0x1p127);
        for (int i = 0; i < 2; i++) {
            sgd.zeroGrad(true);
            backward(s, p, 0x1p-127);
            assertThat(s.step(sgd)).isTrue();
            s.update();
        }
        assertThat(s.scale()).as("2^128 overflows float32: kept").isEqualTo(0x1p127);
        assertThat(s.growthTracker()).isZero();
    }

    @Test
    void stateDictRoundTripsAndBadStateIsRefusedNamingTheKey() {
        GradScaler s = new GradScaler(8, 2, 0.5, 10);
        Tensor p = param(1);
        Sgd sgd = new Sgd(List.of(p), Sgd.Options.lr(0.1));
        backward(s, p, 1);
        s.step(sgd);
        s.update();
        Map<String, Tensor> state = s.stateDict();
        assertThat(state.get("scale").dtype()).isEqualTo(DType.FP32);
        GradScaler t = new GradScaler(1, 2, 0.5, 10);
        t.loadStateDict(state);
        assertThat(t.scale()).isEqualTo(8.0);
        assertThat(t.growthTracker()).isEqualTo(1);
        assertThatThrownBy(() -> t.loadStateDict(Map.of("scale", Tensor.scalar(-1, DType.FP32),
                "growth_tracker", Tensor.scalar(1, DType.INT64)))).hasMessageContaining("scale: expected a "
                + "non-negative finite float32, got -1.0");
        assertThatThrownBy(() -> t.loadStateDict(Map.of("scale", Tensor.scalar(4, DType.FP32),
                "growth_tracker", Tensor.scalar(10, DType.INT64)))).hasMessageContaining("growth_tracker: expected an "
                + "integer in [0, 10), got 10");
        assertThatThrownBy(() -> t.loadStateDict(Map.of("scale", Tensor.scalar(4, DType.FP32))))
                .hasMessageContaining("growth_tracker: expected a one-element tensor, got null");
        assertThat(t.scale()).as("unchanged by refused states").isEqualTo(8.0);
    }

    /**
     * Gradients that keep overflowing back the scale off to 0 (float32 underflow), as PyTorch's does; that state is
     * still saved and resumed (a job's checkpoint), not refused.
     */
    @Test
    void aScaleBackedOffToZeroStillRoundTrips() {
        GradScaler s = new GradScaler(1e-44, 2, 0.5, 10);
        Tensor p = param(1);
        Sgd sgd = new Sgd(List.of(p), Sgd.Options.lr(0.1));
        for (int i = 0; i < 20 && s.scale() > 0; i++) {
            p.setGrad(Tensor.of(new float[] {Float.POSITIVE_INFINITY}, 1));
            s.step(sgd);
            s.update();
        }
        assertThat(s.scale()).isZero();
        GradScaler t = new GradScaler();
        t.loadStateDict(s.stateDict());
        assertThat(t.scale()).isZero();
        // at scale 0 (1 / scale overflows) finite gradients unscale to inf or NaN: the step is skipped, where
        // PyTorch (which checks before unscaling) would take it and write NaN into the weights
        p.setGrad(Tensor.of(new float[] {0.5f}, 1));
        assertThat(t.step(sgd)).as("step taken").isFalse();
        assertThat(p.toFloatArray()).as("weights").doesNotContain(Float.NaN);
    }

    @Test
    void misuseIsAnErrorAsInPyTorch() {
        GradScaler s = new GradScaler();
        Tensor p = param(1);
        Sgd sgd = new Sgd(List.of(p), Sgd.Options.lr(0.1));
        assertThatThrownBy(s::update).isInstanceOf(IllegalStateException.class).hasMessageContaining("No inf checks");
        backward(s, p, 1);
        s.unscale(sgd);
        assertThatThrownBy(() -> s.unscale(sgd)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("already been called");
        assertThatThrownBy(() -> new GradScaler(0, 2, 0.5, 1)).hasMessageContaining("init_scale");
        assertThatThrownBy(() -> new GradScaler(1, 1, 0.5, 1)).hasMessageContaining("growth_factor");
        assertThatThrownBy(() -> new GradScaler(1, 2, 1, 1)).hasMessageContaining("backoff_factor");
        assertThatThrownBy(() -> new GradScaler(1, 2, 0.5, 0)).hasMessageContaining("growth_interval");
        Tensor half = Tensor.of(new double[] {1}, DType.FP16, 1).requiresGrad(true);
        Sgd halfSgd = new Sgd(List.of(half), Sgd.Options.lr(0.1));
        GradScaler h = new GradScaler();
        Autograd.backward(h.scale(ReduceOps.sum(half)));
        assertThatThrownBy(() -> h.unscale(halfSgd)).hasMessageContaining("FP16 gradients");
    }
}
