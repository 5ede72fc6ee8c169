package io.nabla.gpu;

import io.nabla.backend.Device;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The GPUs of this process, found once at start (none on a machine without a CUDA driver).
 *
 * <p>What it guarantees:
 * <ul>
 *   <li>{@link #select} never picks an unhealthy GPU: {@code auto} takes the healthy GPU with the most available
 *       memory and falls back to the CPU; {@code cuda:N} of an unknown GPU is an {@link IllegalArgumentException}
 *       naming the devices there are, of an unhealthy one a {@link DeviceUnavailableException}.</li>
 *   <li>{@link #admit} opens an owner's arena only when what it needs fits in the device's free memory plus the
 *       allocator's cache, less what earlier admissions were promised and have not allocated yet; otherwise
 *       {@link AdmissionRefusedException} with the figures. Admissions are serialised, so two cannot both take the
 *       same room.</li>
 * </ul>
 */
public final class GpuPool implements AutoCloseable {

    private final List<GpuDevice> gpus;
    private final DeviceHealth health;
    private final long defaultArenaLimit;

    /**
     * @param gpus the GPUs, by index
     * @param defaultArenaLimit the limit of arenas opened by {@link #admit(String, long, Device)}; {@link Long#MAX_VALUE}
     *     for none
     */
    public GpuPool(List<GpuDevice> gpus, DeviceHealth health, long defaultArenaLimit) {
        this.gpus = gpus.stream().sorted(Comparator.comparingInt(GpuDevice::index)).toList();
        this.health = health;
        this.defaultArenaLimit = defaultArenaLimit;
    }

    /** A pool without GPUs: everything runs on the CPU. */
    public static GpuPool empty() {
        return new GpuPool(List.of(), new DeviceHealth(), Long.MAX_VALUE);
    }

    public List<GpuDevice> gpus() {
        return gpus;
    }

    /** The cap of arenas opened by {@link #admit(String, long, Device)}; {@link Long#MAX_VALUE} for none. */
    public long defaultArenaLimit() {
        return defaultArenaLimit;
    }

    /**
     * Refuses, as admission does, an owner that needs more than the default arena limit: an
     * {@link io.nabla.backend.OutOfDeviceMemoryException} (507) naming the owner, the device and both figures.
     */
    public void checkArenaLimit(String owner, long bytes, Device device) {
        if (bytes > defaultArenaLimit) {
            throw new io.nabla.backend.OutOfDeviceMemoryException("cannot admit " + owner + " on " + device
                    + ": it needs " + ByteFormat.of(bytes) + ", over the arena limit of " + ByteFormat.of(
                    defaultArenaLimit) + " (nabla.gpu.arena-limit)", bytes);
        }
    }

    public DeviceHealth health() {
        return health;
    }

    /** True while no GPU hit a sticky error. */
    public boolean healthy() {
        return health.allHealthy();
    }

    /** The GPU {@code cuda:index}; an {@link IllegalArgumentException} naming the devices there are when absent. */
    public GpuDevice gpu(int index) {
        return find(index).orElseThrow(() -> new IllegalArgumentException("device cuda:" + index
                + " does not exist here; available: " + available()));
    }

    public Optional<GpuDevice> find(int index) {
        return gpus.stream().filter(g -> g.index() == index).findFirst();
    }

    /** The device a request names, as the guarantees above say. */
    public Device select(DeviceRequest request) {
        return switch (request.kind()) {
            case CPU -> Device.CPU;
            case AUTO -> roomiest().map(GpuDevice::device).orElse(Device.CPU);
            case CUDA -> roomiest().map(GpuDevice::device).orElseThrow(() -> gpus.isEmpty()
                    ? new IllegalArgumentException("device 'cuda' asked for, but there is no GPU here; available: "
                            + available())
                    : new DeviceUnavailableException("no healthy GPU: " + health.summary()));
            case CUDA_INDEX -> healthy(gpu(request.index())).device();
        };
    }

    /** {@link #select(DeviceRequest)} of {@code auto}, {@code cpu}, {@code cuda} or {@code cuda:N}. */
    public Device select(String request) {
        return select(DeviceRequest.parse(request));
    }

    /** {@link #admit(String, long, Device, long)} with the configured default arena limit. */
    public MemoryArena admit(String owner, long bytes, Device device) {
        return admit(owner, bytes, device, defaultArenaLimit);
    }

    /**
     * Opens the arena of {@code owner} on a GPU if {@code bytes} fit there (see the guarantees); close the arena to give
     * everything back.
     *
     * @param limit the arena's cap; {@link Long#MAX_VALUE} for none
     * @throws AdmissionRefusedException when it does not fit
     */
    public synchronized MemoryArena admit(String owner, long bytes, Device device, long limit) {
        if (device == null || device.isCpu()) {
            throw new IllegalArgumentException("admission is for GPUs (cuda:N), got " + device);
        }
        if (bytes < 0 || bytes > limit) {
            throw new IllegalArgumentException(owner + " needs " + bytes + " bytes, which must lie between 0 and its"
                    + " arena limit " + limit);
        }
        GpuDevice gpu = healthy(gpu(device.index()));
        long free = gpu.memory().free();
        long cached = gpu.allocator().cachedFreeBytes();
        long promised = gpu.heap().outstandingAdmissions();
        if (bytes > free + cached - promised) {
            throw new AdmissionRefusedException(owner, device.toString(), bytes, free, cached, promised);
        }
        return gpu.heap().openArena(owner, limit, bytes);
    }

    /** Returns every GPU's cached memory to its device. */
    @Override
    public void close() {
        for (GpuDevice g : gpus) {
            g.allocator().emptyCache();
        }
    }

    private Optional<GpuDevice> roomiest() {
        List<GpuDevice> candidates = new ArrayList<>();
        for (GpuDevice g : gpus) {
            if (g.healthy()) {
                candidates.add(g);
            }
        }
        return candidates.stream().max(Comparator.comparingLong(GpuDevice::availableBytes)
                .thenComparing(Comparator.comparingInt(GpuDevice::index).reversed()));
    }

    private GpuDevice healthy(GpuDevice gpu) {
        if (!gpu.healthy()) {
            throw new DeviceUnavailableException(gpu.device() + " is unhealthy: " + health.problem(gpu.device())
                    .orElse("unknown") + "; it takes no work until the process restarts");
        }
        return gpu;
    }

    private String available() {
        return "cpu" + gpus.stream().map(g -> ", " + g.device()).collect(Collectors.joining());
    }
}
