package io.nabla.backend.cuda;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nabla.autograd.ShapeOps;
import io.nabla.backend.DType;
import io.nabla.backend.Device;
import io.nabla.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The device-move API on a machine without a device: moves to the cpu are free, the others fail by name. */
class DeviceMoveTest {

    @Test
    void movingToTheOwnDeviceReturnsTheTensorItself() {
        Tensor t = Tensor.of(new double[] {1, 2}, DType.FP32, 2);
        assertThat(t.toDevice(Device.CPU)).isSameAs(t);
        assertThat(ShapeOps.to(t, Device.CPU)).isSameAs(t);
    }

    @Test
    void aDeviceWithoutABackendOrNullIsANamedError() {
        Tensor t = Tensor.of(new double[] {1, 2}, DType.FP32, 2);
        assertThatThrownBy(() -> t.toDevice(Device.cuda(7))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cuda:7");
        assertThatThrownBy(() -> ShapeOps.to(t, (Device) null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("null");
    }

    @Test
    void withoutCudaTheRuntimeSaysWhyAndTheBackendRefusesToOpen() {
        if (CudaRuntime.available()) {
            assertThat(CudaRuntime.deviceCount()).isPositive();
            return;
        }
        assertThat(CudaRuntime.status()).startsWith("unavailable: ");
        assertThatThrownBy(() -> CudaBackend.direct(0)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot open cuda:0");
    }
}
