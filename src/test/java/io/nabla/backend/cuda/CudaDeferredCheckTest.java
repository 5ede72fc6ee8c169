package io.nabla.backend.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nabla.autograd.Autograd;
import io.nabla.autograd.LossOps;
import io.nabla.backend.Backends;
import io.nabla.backend.DType;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import org.junit.jupiter.api.Test;

/**
 * Cross entropy checks its class targets on the device without stalling the host: a target out of range is reported
 * at the next synchronisation (reading the loss) with the reference backend's message, the device stays usable, and
 * the check leaves no verdict behind for the next computation.
 */
@RequiresCuda
class CudaDeferredCheckTest {

    @Test
    void badTargetIsReportedWhenTheLossIsReadAndTheDeviceKeepsWorking() {
        try (CudaBackend b = CudaBackend.direct(0); TensorScope scope = TensorScope.open()) {
            Backends.register(b);
            try {
                double[] logits = new double[4 * 10];
                for (int i = 0; i < logits.length; i++) {
                    logits[i] = Math.sin(i);
                }
                Tensor x = Tensor.of(logits, DType.FP32, 4, 10).toDevice(b.device()).requiresGrad(true);
                Tensor bad = Tensor.of(new double[] {1, 12, 3, 4}, DType.INT64, 4).toDevice(b.device());
                Tensor loss = LossOps.crossEntropy(x, bad); // queued; the host does not wait for the check
                assertThatThrownBy(loss::item).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("target 12 is out of bounds for 10 classes");

                Tensor good = Tensor.of(new double[] {1, 2, 3, 4}, DType.INT64, 4).toDevice(b.device());
                Tensor ok = LossOps.crossEntropy(x, good);
                Autograd.backward(ok);
                Tensor cpuLoss = LossOps.crossEntropy(Tensor.of(logits, DType.FP32, 4, 10),
                        Tensor.of(new double[] {1, 2, 3, 4}, DType.INT64, 4));
                assertThat(ok.item()).isCloseTo(cpuLoss.item(), org.assertj.core.data.Offset.offset(1e-5));
                assertThat(java.util.Arrays.stream(x.grad().toDoubleArray()).allMatch(Double::isFinite)).isTrue();
            } finally {
                Backends.unregister(b.device());
                CudaTestBackend.restore();
            }
        }
    }
}
