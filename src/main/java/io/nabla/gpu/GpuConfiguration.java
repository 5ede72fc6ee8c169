package io.nabla.gpu;

import io.nabla.config.NablaProperties;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.LivenessState;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The GPU pool bean, built once at start from {@code nabla.gpu.*}: GPUs are discovered (unless disabled), each gets a
 * caching allocator over the raw memory the CUDA backend provides ({@link RawMemorySource}). A device marked
 * unhealthy turns the liveness state to BROKEN and the {@code gpu} health contributor down, which fails
 * {@code /v2/health/live} and {@code /actuator/health/liveness} alike.
 */
@Configuration(proxyBeanMethods = false)
public class GpuConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(GpuConfiguration.class);

    @Bean
    GpuDiscovery gpuDiscovery() {
        return new CudaDiscovery();
    }

    @Bean(destroyMethod = "close")
    GpuPool gpuPool(NablaProperties properties, GpuDiscovery discovery, ObjectProvider<RawMemorySource> memory,
            ApplicationEventPublisher events) {
        NablaProperties.Gpu gpu = properties.gpu();
        AllocatorSettings settings = new AllocatorSettings(gpu.blockRounding().toBytes(),
                gpu.smallRequestLimit().toBytes(), gpu.segmentSize().toBytes());
        DeviceHealth health = new DeviceHealth();
        health.onUnhealthy((device, reason) -> AvailabilityChangeEvent.publish(events, health, LivenessState.BROKEN));
        if (!gpu.enabled()) {
            LOG.info("GPUs disabled (nabla.gpu.enabled=false): running on the CPU");
            return new GpuPool(List.of(), health, Long.MAX_VALUE);
        }
        long limit = gpu.arenaLimit() == null ? Long.MAX_VALUE : gpu.arenaLimit().toBytes();
        return new GpuPool(open(discovery.discover(), memory.getIfAvailable(), settings, health), health, limit);
    }

    /**
     * The {@code gpu} health contributor, part of the liveness group ({@code application.properties}): down while any
     * device is unhealthy, whatever the liveness state says, so the actuator's probe and {@code /v2/health/live}
     * read the same {@link DeviceHealth}.
     */
    @Bean
    HealthIndicator gpuHealthIndicator(GpuPool pool) {
        return () -> pool.healthy() ? Health.up().build()
                : Health.down().withDetail("unhealthy", pool.health().summary()).build();
    }

    /** The pool's devices: none when no GPU was found, or GPUs were found but nothing can allocate on them. */
    static List<GpuDevice> open(List<DiscoveredGpu> found, RawMemorySource memory, AllocatorSettings settings,
            DeviceHealth health) {
        if (found.isEmpty()) {
            return List.of();
        }
        if (memory == null) {
            LOG.info("found {} GPU(s) but this build has no CUDA backend to allocate on them: running on the CPU",
                    found.size());
            return List.of();
        }
        List<GpuDevice> devices = new ArrayList<>();
        for (DiscoveredGpu g : found) {
            devices.add(new GpuDevice(g, memory.open(g), settings, health));
        }
        return devices;
    }
}
