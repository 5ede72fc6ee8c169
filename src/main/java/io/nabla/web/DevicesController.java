package io.nabla.web;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.nabla.backend.HostAllocator;
import io.nabla.gpu.ArenaStats;
import io.nabla.gpu.DeviceMemory;
import io.nabla.gpu.GpuDevice;
import io.nabla.gpu.GpuPool;
import io.nabla.inference.ModelRegistry;
import io.nabla.jobs.JobService;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /v1/devices}: the devices models run on and their memory. The CPU's total and free memory come from the
 * operating system; allocated and peak are the engine's host allocator counters (tensor memory off the Java heap);
 * each loaded model and each running fine-tuning job is an arena with the bytes its scope holds. Each GPU of the pool follows the CPU, with its caching
 * allocator's figures (allocated and reserved bytes, peak allocated) and its arenas (allocated = bytes asked for,
 * reserved = bytes in the blocks held, limit = the arena's cap).
 */
@RestController
@Tag(name = "devices")
class DevicesController {

    private final ModelRegistry registry;
    private final GpuPool gpus;
    private final JobService jobs;

    DevicesController(ModelRegistry registry, GpuPool gpus, JobService jobs) {
        this.registry = registry;
        this.gpus = gpus;
        this.jobs = jobs;
    }

    @Schema(name = "MemoryFigures", description = "Bytes")
    record MemoryFigures(long total, long free, long allocated, long reserved, long peak) {
    }

    @Schema(name = "Arena", description = "Memory held by one owner, in bytes; limit is null when uncapped")
    @JsonInclude(JsonInclude.Include.ALWAYS)
    record Arena(String owner, long allocated, long reserved, Long limit) {
    }

    @Schema(name = "Device")
    record Device(String id, String name, MemoryFigures memory, List<Arena> arenas) {
    }

    @GetMapping("/v1/devices")
    @Operation(summary = "Devices and their memory")
    @ApiResponse(responseCode = "200")
    List<Device> devices() {
        HostAllocator host = HostAllocator.instance();
        long total = 0;
        long free = 0;
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            total = os.getTotalMemorySize();
            free = os.getFreeMemorySize();
        }
        long allocated = host.allocatedBytes();
        List<Arena> arenas = new ArrayList<>(registry.arenas().stream()
                .map(a -> new Arena(a.owner(), a.allocated(), a.allocated(), null)).toList());
        jobs.arenas().forEach((owner, bytes) -> arenas.add(new Arena(owner, bytes, bytes, null)));
        String name = "cpu (" + System.getProperty("os.arch") + ", " + Runtime.getRuntime().availableProcessors()
                + " threads)";
        List<Device> devices = new ArrayList<>();
        devices.add(new Device("cpu", name, new MemoryFigures(total, free, allocated, host.reservedBytes(),
                host.peakBytes()), arenas));
        for (GpuDevice gpu : gpus.gpus()) {
            devices.add(gpu(gpu));
        }
        return devices;
    }

    private static Device gpu(GpuDevice gpu) {
        DeviceMemory m = gpu.memory();
        List<Arena> arenas = gpu.arenas().stream().map(a -> {
            ArenaStats s = a.stats();
            return new Arena(s.owner(), s.allocated(), s.reserved(), s.limit());
        }).toList();
        return new Device(gpu.device().toString(), gpu.name(), new MemoryFigures(m.total(), m.free(), m.allocated(),
                m.reserved(), m.peak()), arenas);
    }
}
