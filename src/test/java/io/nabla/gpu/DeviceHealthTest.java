package io.nabla.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nabla.backend.Device;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A sticky CUDA error marks a device for good, keeps the first reason, and is announced once. */
class DeviceHealthTest {

    @Test
    void theMarkIsStickyAndAnnouncedOnce() {
        DeviceHealth health = new DeviceHealth();
        List<String> heard = new ArrayList<>();
        health.onUnhealthy((d, r) -> heard.add(d + ": " + r));
        assertThat(health.allHealthy()).isTrue();
        assertThat(health.summary()).isEmpty();
        health.markUnhealthy(Device.cuda(1), "cudaErrorIllegalAddress");
        health.markUnhealthy(Device.cuda(1), "cudaErrorLaunchFailure");
        health.markUnhealthy(Device.cuda(0), "cudaErrorLaunchFailure");
        assertThat(heard).containsExactly("cuda:1: cudaErrorIllegalAddress", "cuda:0: cudaErrorLaunchFailure");
        assertThat(health.healthy(Device.cuda(1))).isFalse();
        assertThat(health.healthy(Device.cuda(2))).isTrue();
        assertThat(health.problem(Device.cuda(1))).contains("cudaErrorIllegalAddress");
        assertThat(health.summary()).isEqualTo("cuda:0 (cudaErrorLaunchFailure), cuda:1 (cudaErrorIllegalAddress)");
        assertThat(health.allHealthy()).isFalse();
    }

    @Test
    void onlyGpusCanBeMarked() {
        assertThatThrownBy(() -> new DeviceHealth().markUnhealthy(Device.CPU, "x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("only a cuda device can be marked unhealthy, got cpu");
    }
}
