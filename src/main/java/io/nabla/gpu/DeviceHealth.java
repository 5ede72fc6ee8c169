package io.nabla.gpu;

import io.nabla.backend.Device;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which GPUs hit a sticky CUDA error (illegal address, launch failure, ...): after one the device's context is unusable
 * until the process restarts, so the mark is permanent. The pool stops selecting a marked device, and liveness fails
 * while any device is marked (listeners hear of each device once).
 */
public final class DeviceHealth {

    private static final Logger LOG = LoggerFactory.getLogger(DeviceHealth.class);

    private final Map<Device, String> problems = new ConcurrentHashMap<>();
    private final List<BiConsumer<Device, String>> listeners = new CopyOnWriteArrayList<>();

    /**
     * Marks {@code device} unhealthy for the rest of the process; the first reason is kept.
     *
     * @param reason what happened, e.g. {@code "cudaErrorIllegalAddress in matmul"}
     */
    public void markUnhealthy(Device device, String reason) {
        if (device == null || device.isCpu()) {
            throw new IllegalArgumentException("only a cuda device can be marked unhealthy, got " + device);
        }
        if (problems.putIfAbsent(device, reason) == null) {
            LOG.error("{} is unhealthy: {}; it takes no more work and liveness fails until the process restarts",
                    device, reason);
            for (BiConsumer<Device, String> l : listeners) {
                l.accept(device, reason);
            }
        }
    }

    public boolean healthy(Device device) {
        return !problems.containsKey(device);
    }

    /** True while no device is marked. */
    public boolean allHealthy() {
        return problems.isEmpty();
    }

    public Optional<String> problem(Device device) {
        return Optional.ofNullable(problems.get(device));
    }

    /** The marked devices and why, by index. */
    public Map<Device, String> problems() {
        Map<Device, String> sorted = new LinkedHashMap<>();
        problems.entrySet().stream().sorted(Map.Entry.comparingByKey(Comparator.comparingInt(Device::index)))
                .forEach(e -> sorted.put(e.getKey(), e.getValue()));
        return sorted;
    }

    /** "cuda:0 (reason), cuda:2 (reason)", or empty when all are healthy. */
    public String summary() {
        StringBuilder s = new StringBuilder();
        problems().forEach((d, r) -> s.append(s.isEmpty() ? "" : ", ").append(d).append(" (").append(r).append(')'));
        return s.toString();
    }

    /** Calls {@code listener} once for each device marked from now on. */
    public void onUnhealthy(BiConsumer<Device, String> listener) {
        listeners.add(listener);
    }
}
