package io.nabla.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import io.nabla.backend.Device;
import io.nabla.config.NablaProperties;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.ApplicationAvailabilityBean;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.LivenessState;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

/** The pool bean from {@code nabla.gpu.*}, and an unhealthy device failing liveness. */
class GpuConfigurationTest {

    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(NablaProperties.class)
    static class Properties {
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withUserConfiguration(GpuConfiguration.class, Properties.class)
            .withBean(ApplicationAvailabilityBean.class);

    @Test
    void anUnhealthyDeviceBreaksLivenessAndTheGpuHealthContributor() {
        runner.withPropertyValues("nabla.gpu.enabled=false").run(context -> {
            GpuPool pool = context.getBean(GpuPool.class);
            assertThat(pool.gpus()).isEmpty();
            ApplicationAvailability availability = context.getBean(ApplicationAvailability.class);
            AvailabilityChangeEvent.publish(context, LivenessState.CORRECT);
            HealthIndicator gpu = context.getBean("gpuHealthIndicator", HealthIndicator.class);
            assertThat(gpu.health(true).getStatus()).isEqualTo(Status.UP);
            pool.health().markUnhealthy(Device.cuda(0), "cudaErrorIllegalAddress");
            assertThat(availability.getLivenessState()).isEqualTo(LivenessState.BROKEN);
            assertThat(gpu.health(true).getStatus()).isEqualTo(Status.DOWN);
            assertThat(gpu.health(true).getDetails()).containsEntry("unhealthy", "cuda:0 (cudaErrorIllegalAddress)");
        });
    }

    @Test
    void theAllocatorSettingsComeFromTheProperties() {
        runner.withPropertyValues("nabla.gpu.enabled=false", "nabla.gpu.block-rounding=1KB",
                "nabla.gpu.segment-size=4MB", "nabla.gpu.small-request-limit=2MB", "nabla.gpu.arena-limit=1GB")
                .run(context -> {
                    NablaProperties.Gpu gpu = context.getBean(NablaProperties.class).gpu();
                    assertThat(gpu.blockRounding().toBytes()).isEqualTo(1024);
                    assertThat(gpu.arenaLimit().toBytes()).isEqualTo(1L << 30);
                    assertThat(context).hasNotFailed();
                });
        runner.withPropertyValues("nabla.gpu.enabled=false", "nabla.gpu.block-rounding=1000B")
                .run(context -> assertThat(context).hasFailed().getFailure().rootCause()
                        .hasMessageContaining("block rounding must be a power of two, got 1000"));
    }

    @Test
    void gpusFoundWithoutACudaBackendLeaveThePoolEmptyAndSaySo() {
        List<DiscoveredGpu> found = List.of(new DiscoveredGpu(0, "NVIDIA H100", 80L << 30));
        var lines = CudaDiscoveryTest.capture(GpuConfiguration.class, () -> assertThat(GpuConfiguration.open(found,
                null, AllocatorSettings.DEFAULT, new DeviceHealth())).isEmpty());
        assertThat(lines).singleElement().satisfies(e -> assertThat(e.getFormattedMessage()).isEqualTo(
                "found 1 GPU(s) but this build has no CUDA backend to allocate on them: running on the CPU"));
        List<GpuDevice> devices = GpuConfiguration.open(found, g -> new FakeDeviceMemory(g.totalBytes()),
                AllocatorSettings.DEFAULT, new DeviceHealth());
        assertThat(devices).singleElement().satisfies(d -> {
            assertThat(d.device()).isEqualTo(Device.cuda(0));
            assertThat(d.memory().free()).isEqualTo(80L << 30);
        });
    }
}
