package io.nabla.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.when;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import io.nabla.backend.Device;
import io.nabla.config.NablaProperties;
import io.nabla.gpu.AdmissionRefusedException;
import io.nabla.gpu.AllocatorSettings;
import io.nabla.gpu.ArenaScope;
import io.nabla.gpu.DeviceHealth;
import io.nabla.gpu.DeviceUnavailableException;
import io.nabla.gpu.DiscoveredGpu;
import io.nabla.gpu.GpuDevice;
import io.nabla.gpu.GpuPool;
import io.nabla.gpu.MemoryArena;
import io.nabla.gpu.RawDeviceMemory;
import io.nabla.inference.ModelRegistry;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.LivenessState;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;

/**
 * {@code /v1/devices} and {@code /v2/health/live} with a pool of one fake GPU: the GPU follows the CPU with its
 * allocator's figures and its arenas, and an unhealthy GPU fails liveness with a message naming it.
 */
@WebMvcTest(controllers = {DevicesController.class, ServerController.class})
class GpuEndpointsTest {

    static final long MIB = 1 << 20;

    /** 64 MiB of device memory handed out at increasing addresses. */
    static final class Memory implements RawDeviceMemory {
        private long next = 1L << 40;
        private long used;

        @Override
        public synchronized long malloc(long bytes) {
            if (used + bytes > totalBytes()) {
                return 0;
            }
            used += bytes;
            next += bytes;
            return next - bytes;
        }

        @Override
        public synchronized void free(long address) {
            throw new AssertionError("not freed in this test");
        }

        @Override
        public long totalBytes() {
            return 64 * MIB;
        }

        @Override
        public synchronized long freeBytes() {
            return totalBytes() - used;
        }
    }

    @TestConfiguration(proxyBeanMethods = false)
    @EnableConfigurationProperties(NablaProperties.class)
    static class Pool {
        @Bean
        GpuPool gpuPool() {
            DeviceHealth health = new DeviceHealth();
            return new GpuPool(List.of(new GpuDevice(new DiscoveredGpu(0, "Fake H100", 64 * MIB), new Memory(),
                    AllocatorSettings.DEFAULT, health)), health, Long.MAX_VALUE);
        }
    }

    @Autowired
    MockMvc mvc;

    @Autowired
    GpuPool pool;

    @MockitoBean
    ModelRegistry registry;

    @MockitoBean
    ApplicationAvailability availability;

    @MockitoBean
    io.nabla.jobs.JobService jobs;

    @BeforeEach
    void alive() {
        when(availability.getLivenessState()).thenReturn(LivenessState.CORRECT);
    }

    @Test
    void theGpuFollowsTheCpuWithItsMemoryAndArenas() throws Exception {
        GpuDevice gpu = pool.gpu(0);
        MemoryArena arena = pool.admit("model:mlp:1", 4 * MIB, Device.cuda(0), 32 * MIB);
        try (ArenaScope s = arena.enter()) {
            gpu.heap().allocate(3 * MIB, 0);
        }
        mvc.perform(get("/v1/devices")).andExpect(status().isOk())
                .andExpect(jsonPath("$[0].id").value("cpu"))
                .andExpect(jsonPath("$[1].id").value("cuda:0"))
                .andExpect(jsonPath("$[1].name").value("Fake H100"))
                .andExpect(jsonPath("$[1].memory.total").value(64 * MIB))
                .andExpect(jsonPath("$[1].memory.free").value(60 * MIB))
                .andExpect(jsonPath("$[1].memory.allocated").value(4 * MIB))
                .andExpect(jsonPath("$[1].memory.reserved").value(4 * MIB))
                .andExpect(jsonPath("$[1].memory.peak").value(4 * MIB))
                .andExpect(jsonPath("$[1].arenas[0].owner").value("model:mlp:1"))
                .andExpect(jsonPath("$[1].arenas[0].allocated").value(3 * MIB))
                .andExpect(jsonPath("$[1].arenas[0].reserved").value(4 * MIB))
                .andExpect(jsonPath("$[1].arenas[0].limit").value(32 * MIB));
        mvc.perform(get("/v2/health/live")).andExpect(status().isOk());
        gpu.markUnhealthy("cudaErrorIllegalAddress in add");
        mvc.perform(get("/v2/health/live")).andExpect(status().is(503))
                .andExpect(jsonPath("$.error").value("the server is broken: a device hit a sticky CUDA error:"
                        + " cuda:0 (cudaErrorIllegalAddress in add); restart the process"));
    }

    @Test
    void anUnhealthyGpuAskedForByNameIsA503AndAnAdmissionRefusalA507() {
        ApiExceptionHandler handler = new ApiExceptionHandler();
        GpuPool own = new Pool().gpuPool(); // not the context's pool, which the other test marks
        own.gpu(0).markUnhealthy("cudaErrorLaunchFailure");
        try {
            own.select("cuda:0");
            throw new AssertionError("an unhealthy GPU was selected");
        } catch (DeviceUnavailableException e) {
            assertThat(handler.deviceUnavailable(e).getStatusCode().value()).isEqualTo(503);
        }
        AdmissionRefusedException refused = new AdmissionRefusedException("job:1", "cuda:0", 2 * MIB, MIB, 0, 0);
        assertThat(handler.outOfMemory(refused).getStatusCode().value()).isEqualTo(507);
        assertThat(handler.outOfMemory(refused).getBody().error()).isEqualTo("cannot admit job:1 on cuda:0: it needs"
                + " 2.0 MiB, the device has 1.0 MiB free and 0 B cached");
    }
}
