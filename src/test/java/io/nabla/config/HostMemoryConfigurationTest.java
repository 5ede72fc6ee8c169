package io.nabla.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nabla.backend.HostAllocator;
import java.lang.management.ManagementFactory;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** nabla.limits.max-host-memory reaches the host allocator; unset, the cap is derived from the machine. */
class HostMemoryConfigurationTest {

    private static NablaProperties bind(Map<String, String> properties) {
        return new Binder(new MapConfigurationPropertySource(properties))
                .bindOrCreate("nabla", Bindable.of(NablaProperties.class));
    }

    @Test
    void theConfiguredCapOrTheDerivedOneIsApplied() {
        long previous = HostAllocator.instance().limit();
        try {
            var set = new HostMemoryConfiguration().hostMemoryLimit(bind(Map.of("nabla.limits.max-host-memory",
                    "3GB")));
            assertThat(set.bytes()).isEqualTo(3L << 30);
            assertThat(set.configured()).isTrue();
            assertThat(HostAllocator.instance().limit()).isEqualTo(3L << 30);
            var derived = new HostMemoryConfiguration().hostMemoryLimit(bind(Map.of()));
            long total = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                    .getTotalMemorySize();
            assertThat(derived.bytes()).isEqualTo(HostAllocator.defaultLimit(total, Runtime.getRuntime().maxMemory()));
            assertThat(derived.configured()).isFalse();
            assertThat(HostAllocator.instance().limit()).isEqualTo(derived.bytes());
        } finally {
            HostAllocator.instance().limit(previous);
        }
        assertThatThrownBy(() -> bind(Map.of("nabla.limits.max-host-memory", "0B")))
                .hasStackTraceContaining("nabla.limits.max-host-memory");
    }
}
