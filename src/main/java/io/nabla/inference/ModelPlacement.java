package io.nabla.inference;

import io.nabla.backend.Device;
import io.nabla.gpu.AdmissionRefusedException;
import io.nabla.gpu.ArenaScope;
import io.nabla.gpu.DeviceRequest;
import io.nabla.gpu.GpuDevice;
import io.nabla.gpu.GpuPool;
import io.nabla.gpu.MemoryArena;
import java.util.Comparator;
import java.util.stream.Collectors;

/**
 * Decides where a model version is loaded: the spec's {@code device} when it names one, else the server's
 * {@code nabla.models.device} (default {@code auto}). On a GPU the version gets its arena
 * {@code model:<name>:<version>}, admitted with the loader's estimate of its memory, so everything it allocates there
 * is accounted and capped, and closing the arena returns every byte.
 *
 * <p>Guarantees: {@code auto} takes the healthy GPU with the most room that admits the model, else the CPU; a named
 * GPU that cannot hold it, or an estimate over the arena limit, refuses the load with {@link AdmissionRefusedException}
 * or {@link io.nabla.backend.OutOfDeviceMemoryException} (507, with the figures); a named
 * device that does not exist here is a 400 naming the model, the device and the devices there are. Without GPUs
 * every model is placed on the CPU, exactly as before GPUs existed.
 */
public final class ModelPlacement {

    /** Where a version lives, and its arena there (null on the CPU). */
    public record Placement(Device device, MemoryArena arena) {

        /** Makes the arena current on this thread (null on the CPU: nothing to enter). */
        public ArenaScope enter() {
            return arena == null ? null : arena.enter();
        }

        /** Closes the arena, freeing whatever the version still held there. */
        public void release() {
            if (arena != null) {
                arena.close();
            }
        }
    }

    private final GpuPool pool;
    private final String defaultDevice;

    /**
     * @param defaultDevice where a model whose spec names no device goes ({@code nabla.models.device})
     */
    public ModelPlacement(GpuPool pool, String defaultDevice) {
        DeviceRequest.parse(defaultDevice);
        this.pool = pool;
        this.defaultDevice = defaultDevice;
    }

    /** Every model on the CPU. */
    public static ModelPlacement cpuOnly() {
        return new ModelPlacement(GpuPool.empty(), "auto");
    }

    /** The server's default device request. */
    public String defaultDevice() {
        return defaultDevice;
    }

    /**
     * Places {@code version}, whose spec asks for {@code specDevice} (null: the server's default) and which needs
     * about {@code bytes} on a GPU.
     */
    public Placement place(StoredVersion version, String specDevice, long bytes) {
        String requested = specDevice != null ? specDevice : defaultDevice;
        String owner = version.owner();
        DeviceRequest r = DeviceRequest.parse(requested);
        switch (r.kind()) {
            case CPU:
                return new Placement(Device.CPU, null);
            case AUTO:
                if (bytes > pool.defaultArenaLimit()) {
                    return new Placement(Device.CPU, null);
                }
                for (GpuDevice g : pool.gpus().stream().filter(GpuDevice::healthy)
                        .sorted(Comparator.comparingLong(GpuDevice::availableBytes).reversed()).toList()) {
                    try {
                        return new Placement(g.device(), pool.admit(owner, bytes, g.device()));
                    } catch (AdmissionRefusedException e) {
                        // the next GPU, else the CPU
                    }
                }
                return new Placement(Device.CPU, null);
            default:
                if (pool.gpus().isEmpty() || (r.kind() == DeviceRequest.Kind.CUDA_INDEX
                        && pool.find(r.index()).isEmpty())) {
                    throw new InferenceException(InferenceException.Kind.INVALID, "model '" + version.name()
                            + "' version " + version.version() + " asks for device " + requested + " ("
                            + (specDevice != null ? "its spec's device" : "nabla.models.device") + "), which this "
                            + "server does not have; available: " + available(), null, null);
                }
                Device d = pool.select(r); // DeviceUnavailableException when unhealthy
                pool.checkArenaLimit(owner, bytes, d);
                return new Placement(d, pool.admit(owner, bytes, d));
        }
    }

    /**
     * Refuses, with a 400 naming the field, a spec whose {@code device} cannot exist on this server ({@code cuda} or
     * {@code cuda:N} without that GPU), as {@code POST /v1/jobs} refuses such a device: checked when a version is
     * uploaded, so such a version is never stored (it could never load, and the older version would go on answering
     * requests meant for the newest). A GPU that exists but is unhealthy is not refused here: it may recover, and
     * loading reports it (503). Null (no device in the spec) passes: the server's default applies.
     */
    public void checkDevice(String specDevice) {
        if (specDevice == null) {
            return;
        }
        DeviceRequest r;
        try {
            r = DeviceRequest.parse(specDevice);
        } catch (IllegalArgumentException e) {
            throw InferenceException.invalid("device: expected \"auto\", \"cpu\", \"cuda\" or \"cuda:N\", got \""
                    + specDevice + "\"");
        }
        boolean cuda = r.kind() == DeviceRequest.Kind.CUDA || r.kind() == DeviceRequest.Kind.CUDA_INDEX;
        if (cuda && pool.gpus().isEmpty()) {
            throw InferenceException.invalid("device: no CUDA device is available on this server; expected \"auto\""
                    + " or \"cpu\", got \"" + specDevice + "\"");
        }
        if (r.kind() == DeviceRequest.Kind.CUDA_INDEX && pool.find(r.index()).isEmpty()) {
            throw InferenceException.invalid("device: there is no " + specDevice + " on this server; expected one of "
                    + "\"auto\", \"cpu\", \"cuda\"" + pool.gpus().stream().map(g -> ", \"" + g.device() + "\"")
                    .collect(Collectors.joining()) + ", got \"" + specDevice + "\"");
        }
    }

    private String available() {
        return "cpu" + pool.gpus().stream().map(g -> ", " + g.device()).collect(Collectors.joining());
    }
}
