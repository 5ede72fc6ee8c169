package io.nabla.config;

import io.nabla.backend.HostAllocator;
import java.lang.management.ManagementFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Caps the host memory tensors may hold ({@code nabla.limits.max-host-memory}, by default 80 % of the memory besides
 * the Java heap, as the JVM sees the machine or its container): past it an allocation fails with a 507 for the
 * request or job that asked, instead of the process being killed by the kernel.
 */
@Configuration(proxyBeanMethods = false)
class HostMemoryConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(HostMemoryConfiguration.class);

    /** The cap in force, applied to the process's one {@link HostAllocator} when the context starts. */
    record HostMemoryLimit(long bytes, boolean configured) {
    }

    @Bean
    HostMemoryLimit hostMemoryLimit(NablaProperties properties) {
        var configured = properties.limits().maxHostMemory();
        long bytes;
        if (configured != null) {
            bytes = configured.toBytes();
        } else {
            long total = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                    .getTotalMemorySize();
            bytes = HostAllocator.defaultLimit(total, Runtime.getRuntime().maxMemory());
        }
        HostAllocator.instance().limit(bytes);
        LOG.info("tensors may hold {} MiB of host memory ({})", bytes >> 20,
                configured != null ? "nabla.limits.max-host-memory" : "80 % of the memory besides the Java heap");
        return new HostMemoryLimit(bytes, configured != null);
    }
}
