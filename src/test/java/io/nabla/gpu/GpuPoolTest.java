package io.nabla.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nabla.backend.Device;
import io.nabla.backend.OutOfDeviceMemoryException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Device selection, admission control and health over fake GPUs. */
class GpuPoolTest {

    static final long MIB = 1 << 20;

    private final DeviceHealth health = new DeviceHealth();
    private final List<FakeDeviceMemory> memories = new ArrayList<>();

    private GpuPool pool(long... capacities) {
        List<GpuDevice> gpus = new ArrayList<>();
        for (int i = 0; i < capacities.length; i++) {
            FakeDeviceMemory m = new FakeDeviceMemory(capacities[i]);
            memories.add(m);
            gpus.add(new GpuDevice(new DiscoveredGpu(i, "Fake GPU " + i, capacities[i]), m, AllocatorSettings.DEFAULT,
                    health));
        }
        return new GpuPool(gpus, health, Long.MAX_VALUE);
    }

    @Test
    void autoPrefersTheHealthyGpuWithTheMostRoomElseTheCpu() {
        GpuPool pool = pool(64 * MIB, 128 * MIB, 128 * MIB);
        assertThat(pool.select("auto")).isEqualTo(Device.cuda(1));
        pool.gpu(1).heap().allocate(4 * MIB, 0);
        assertThat(pool.select("auto")).isEqualTo(Device.cuda(2));
        assertThat(pool.select("cuda")).isEqualTo(Device.cuda(2));
        health.markUnhealthy(Device.cuda(2), "cudaErrorIllegalAddress");
        assertThat(pool.select("auto")).isEqualTo(Device.cuda(1));
        health.markUnhealthy(Device.cuda(1), "cudaErrorLaunchFailure");
        health.markUnhealthy(Device.cuda(0), "cudaErrorLaunchFailure");
        assertThat(pool.select("auto")).isEqualTo(Device.CPU);
        assertThatThrownBy(() -> pool.select("cuda")).isInstanceOf(DeviceUnavailableException.class)
                .hasMessageStartingWith("no healthy GPU: cuda:0 (cudaErrorLaunchFailure), cuda:1");
        assertThat(pool.select("cpu")).isEqualTo(Device.CPU);
    }

    @Test
    void cachedMemoryCountsAsRoomButPromisedMemoryDoesNot() {
        GpuPool pool = pool(64 * MIB, 64 * MIB);
        pool.gpu(0).heap().free(pool.gpu(0).heap().allocate(16 * MIB, 0)); // cached, still available
        assertThat(pool.select("auto")).isEqualTo(Device.cuda(0));
        pool.admit("model:m:1", 8 * MIB, Device.cuda(0));
        assertThat(pool.select("auto")).isEqualTo(Device.cuda(1));
    }

    @Test
    void withoutGpusAutoIsTheCpuAndCudaIsRefusedNamingWhatThereIs() {
        GpuPool pool = GpuPool.empty();
        assertThat(pool.select(DeviceRequest.AUTO)).isEqualTo(Device.CPU);
        assertThatThrownBy(() -> pool.select("cuda")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("device 'cuda' asked for, but there is no GPU here; available: cpu");
        assertThatThrownBy(() -> pool.select("cuda:0")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("device cuda:0 does not exist here; available: cpu");
    }

    @Test
    void aNamedGpuMustExistAndBeHealthy() {
        GpuPool pool = pool(64 * MIB, 64 * MIB);
        assertThat(pool.select("cuda:1")).isEqualTo(Device.cuda(1));
        assertThatThrownBy(() -> pool.select("cuda:3")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("device cuda:3 does not exist here; available: cpu, cuda:0, cuda:1");
        pool.gpu(1).markUnhealthy("cudaErrorIllegalAddress in matmul");
        assertThatThrownBy(() -> pool.select("cuda:1")).isInstanceOf(DeviceUnavailableException.class)
                .hasMessage("cuda:1 is unhealthy: cudaErrorIllegalAddress in matmul; it takes no work until the"
                        + " process restarts");
        assertThatThrownBy(() -> pool.select("gpu")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("device must be 'auto', 'cpu', 'cuda' or 'cuda:N', got 'gpu'");
    }

    @Test
    void admissionRefusesWhatCannotFitWithTheFigures() {
        GpuPool pool = pool(64 * MIB);
        GpuDevice gpu = pool.gpu(0);
        long held = gpu.heap().allocate(40 * MIB, 0);
        gpu.heap().free(gpu.heap().allocate(8 * MIB, 0)); // 8 MiB cached, 16 MiB free on the device
        MemoryArena first = pool.admit("model:a:1", 20 * MIB, Device.cuda(0));
        assertThat(first.stats().admitted()).isEqualTo(20 * MIB);
        assertThatThrownBy(() -> pool.admit("job:9", 8 * MIB, Device.cuda(0)))
                .isInstanceOf(AdmissionRefusedException.class).isInstanceOf(OutOfDeviceMemoryException.class)
                .hasMessage("cannot admit job:9 on cuda:0: it needs 8.0 MiB, the device has 16.0 MiB free and 8.0 MiB"
                        + " cached, of which 20.0 MiB is promised to others")
                .satisfies(e -> {
                    AdmissionRefusedException r = (AdmissionRefusedException) e;
                    assertThat(r.requestedBytes()).isEqualTo(8 * MIB);
                    assertThat(r.freeBytes()).isEqualTo(16 * MIB);
                    assertThat(r.cachedBytes()).isEqualTo(8 * MIB);
                    assertThat(r.promisedBytes()).isEqualTo(20 * MIB);
                    assertThat(r.owner()).isEqualTo("job:9");
                });
        try (ArenaScope s = first.enter()) {
            gpu.heap().allocate(20 * MIB, 0); // the promise is kept (the device took back the cached 8 MiB to fit it)
        }
        assertThat(gpu.heap().outstandingAdmissions()).isZero();
        assertThatThrownBy(() -> pool.admit("job:9", 8 * MIB, Device.cuda(0)))
                .isInstanceOf(AdmissionRefusedException.class).hasMessageContaining("has 4.0 MiB free and 0 B cached");
        first.close();
        assertThat(pool.admit("job:9", 8 * MIB, Device.cuda(0)).owner()).isEqualTo("job:9");
        gpu.heap().free(held);
    }

    @Test
    void admissionIsForHealthyKnownGpus() {
        GpuPool pool = pool(64 * MIB);
        assertThatThrownBy(() -> pool.admit("model:a:1", MIB, Device.CPU)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("admission is for GPUs (cuda:N), got cpu");
        assertThatThrownBy(() -> pool.admit("model:a:1", MIB, Device.cuda(4)))
                .hasMessage("device cuda:4 does not exist here; available: cpu, cuda:0");
        assertThatThrownBy(() -> pool.admit("model:a:1", 2 * MIB, Device.cuda(0), MIB))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("arena limit 1048576");
        health.markUnhealthy(Device.cuda(0), "cudaErrorLaunchFailure");
        assertThatThrownBy(() -> pool.admit("model:a:1", MIB, Device.cuda(0)))
                .isInstanceOf(DeviceUnavailableException.class);
    }

    @Test
    void theArenaLimitDefaultsToTheConfiguredOne() {
        FakeDeviceMemory m = new FakeDeviceMemory(64 * MIB);
        GpuPool pool = new GpuPool(List.of(new GpuDevice(new DiscoveredGpu(0, "g", 64 * MIB), m,
                AllocatorSettings.DEFAULT, health)), health, 16 * MIB);
        assertThat(pool.admit("job:1", MIB, Device.cuda(0)).limit()).isEqualTo(16 * MIB);
    }

    @Test
    void devicesReportTheirMemory() {
        GpuPool pool = pool(64 * MIB);
        GpuDevice gpu = pool.gpu(0);
        gpu.heap().free(gpu.heap().allocate(3 * MIB, 0));
        long a = gpu.heap().allocate(MIB / 2, 0);
        DeviceMemory m = gpu.memory();
        assertThat(m).isEqualTo(new DeviceMemory(64 * MIB, 58 * MIB, MIB / 2, 6 * MIB, 4 * MIB));
        assertThat(gpu.name()).isEqualTo("Fake GPU 0");
        assertThat(gpu.toString()).isEqualTo("cuda:0 (Fake GPU 0)");
        gpu.heap().free(a);
        pool.close();
        assertThat(memories.get(0).used()).isZero();
    }
}
