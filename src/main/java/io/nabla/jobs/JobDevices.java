package io.nabla.jobs;

import io.nabla.backend.Device;
import io.nabla.gpu.AdmissionRefusedException;
import io.nabla.gpu.DeviceRequest;
import io.nabla.gpu.GpuDevice;
import io.nabla.gpu.GpuPool;
import io.nabla.gpu.MemoryArena;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The one place that decides where a job runs, over the {@link GpuPool} (empty on a machine without GPUs: then
 * {@code auto} and {@code cpu} run on the CPU and {@code cuda}/{@code cuda:N} are refused).
 *
 * <p>Guarantees: {@link #check} (at submission) refuses a device that cannot exist here with a 400 naming the field
 * and the devices there are, and a job whose estimated memory does not fit the GPU it names with
 * {@link AdmissionRefusedException} (507, with the figures); {@link #place} (when the job starts) opens the job's
 * arena {@code job:<id>} on the GPU it runs on, so everything it allocates there is accounted and capped, and
 * {@code auto} falls back to the CPU when no healthy GPU admits it.
 */
final class JobDevices {

    /** Where a job runs, and its arena there (null on the CPU): close the arena when the job ends. */
    record Placement(Device device, MemoryArena arena) {
    }

    private final GpuPool pool;

    JobDevices(GpuPool pool) {
        this.pool = pool;
    }

    /** Jobs on the CPU only. */
    static JobDevices cpuOnly() {
        return new JobDevices(GpuPool.empty());
    }

    GpuPool pool() {
        return pool;
    }

    /**
     * The device a job asking for {@code requested} and needing {@code bytes} would run on now; 400 naming the field
     * when no device here can serve the request, 507 when the GPU it names cannot hold it.
     */
    Device check(String owner, String requested, long bytes) {
        DeviceRequest r = parse(requested);
        return switch (r.kind()) {
            case CPU -> Device.CPU;
            case AUTO -> bytes > pool.defaultArenaLimit() ? Device.CPU
                    : roomiest(bytes).map(GpuDevice::device).orElse(Device.CPU);
            case CUDA, CUDA_INDEX -> {
                GpuDevice gpu = gpu(r, requested);
                pool.checkArenaLimit(owner, bytes, gpu.device());
                if (bytes > gpu.availableBytes()) {
                    throw refusal(owner, gpu, bytes);
                }
                yield gpu.device();
            }
        };
    }

    /**
     * Chooses a device for a job as if every device's worker were idle, and opens its arena there ({@link #placeOn});
     * {@code auto} takes the healthy GPU with the most room that admits the job, else the CPU. (The runner places on
     * the device of the worker that took the job; this is for running a job by hand, as the GPU scenarios do.)
     *
     * @throws AdmissionRefusedException when a named GPU cannot hold it now
     * @throws IllegalArgumentException when the named device does not exist (any more)
     */
    Placement place(String owner, String requested, long bytes) {
        DeviceRequest r = parse(requested);
        switch (r.kind()) {
            case CPU:
                return placeOn(owner, requested, bytes, Device.CPU);
            case AUTO:
                for (GpuDevice g : pool.gpus().stream().filter(GpuDevice::healthy)
                        .sorted(Comparator.comparingLong(GpuDevice::availableBytes).reversed()).toList()) {
                    try {
                        return placeOn(owner, requested, bytes, g.device());
                    } catch (AdmissionRefusedException e) {
                        // the next GPU, else the CPU
                    }
                }
                return placeOn(owner, requested, bytes, Device.CPU);
            default:
                return placeOn(owner, requested, bytes, gpu(r, requested).device());
        }
    }

    /**
     * Opens the arena of a job starting on {@code on}, the device of the worker that took it (see {@link JobRunner}):
     * a {@code cuda}/{@code cuda:N} job on the CPU's worker is one whose GPU is missing or unhealthy, and fails here
     * with the reason.
     *
     * @throws AdmissionRefusedException when the GPU cannot hold it now
     * @throws IllegalArgumentException when the named device does not exist (any more)
     */
    Placement placeOn(String owner, String requested, long bytes, Device on) {
        DeviceRequest r = parse(requested);
        boolean named = r.kind() == DeviceRequest.Kind.CUDA || r.kind() == DeviceRequest.Kind.CUDA_INDEX;
        if (on.isCpu()) {
            if (named) {
                throw new IllegalStateException("device: " + gpu(r, requested).device() + " was asked for, but the"
                        + " job reached the CPU's worker");
            }
            return new Placement(Device.CPU, null);
        }
        if (r.kind() == DeviceRequest.Kind.CPU) {
            throw new IllegalStateException("device: \"cpu\" was asked for, but the job reached " + on + "'s worker");
        }
        GpuDevice gpu = pool.gpu(on.index());
        if (named) {
            gpu(r, requested); // 503 when it became unhealthy
            pool.checkArenaLimit(owner, bytes, on);
        } else if (bytes > pool.defaultArenaLimit()) {
            throw refusal(owner, gpu, bytes);
        }
        return new Placement(on, pool.admit(owner, bytes, on));
    }

    private static DeviceRequest parse(String requested) {
        try {
            return DeviceRequest.parse(requested);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("device: expected \"auto\", \"cpu\", \"cuda\" or \"cuda:N\", got \""
                    + requested + "\"", e);
        }
    }

    /** The GPU of {@code cuda} (the healthy one with the most room) or {@code cuda:N}; 400 when there is none. */
    private GpuDevice gpu(DeviceRequest r, String requested) {
        if (pool.gpus().isEmpty()) {
            throw new IllegalArgumentException("device: no CUDA device is available on this server; expected "
                    + "\"auto\" or \"cpu\", got \"" + requested + "\"");
        }
        if (r.kind() == DeviceRequest.Kind.CUDA_INDEX) {
            if (pool.find(r.index()).isEmpty()) {
                throw new IllegalArgumentException("device: there is no " + requested + " on this server; expected "
                        + "one of " + available() + ", got \"" + requested + "\"");
            }
        }
        Device d = pool.select(r); // DeviceUnavailableException (503) when unhealthy
        return pool.gpu(d.index());
    }

    private Optional<GpuDevice> roomiest(long bytes) {
        return pool.gpus().stream().filter(GpuDevice::healthy).filter(g -> g.availableBytes() >= bytes)
                .max(Comparator.comparingLong(GpuDevice::availableBytes));
    }

    private static AdmissionRefusedException refusal(String owner, GpuDevice gpu, long bytes) {
        return new AdmissionRefusedException(owner, gpu.device().toString(), bytes, gpu.memory().free(),
                gpu.allocator().cachedFreeBytes(), gpu.heap().outstandingAdmissions());
    }

    private String available() {
        return "\"auto\", \"cpu\"" + (pool.gpus().isEmpty() ? "" : ", \"cuda\"") + pool.gpus().stream()
                .map(g -> ", \"" + g.device() + "\"").collect(Collectors.joining());
    }
}
