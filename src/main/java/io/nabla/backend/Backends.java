package io.nabla.backend;

import io.nabla.backend.cpu.CpuBackend;
import io.nabla.backend.reference.ReferenceBackend;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Chooses the backend for a device. The CPU device runs on the fast {@link CpuBackend}; a thread can swap in
 * another backend for host tensors (the scalar {@link ReferenceBackend} in conformance tests) with {@link #use}.
 * Accelerator backends register themselves when their device is found.
 */
public final class Backends {

    private static final Backend CPU = new CpuBackend();
    private static final Backend REFERENCE = new ReferenceBackend();
    private static final Map<Device, Backend> DEVICES = new ConcurrentHashMap<>();
    private static final ThreadLocal<Backend> HOST_OVERRIDE = new ThreadLocal<>();

    private Backends() {
    }

    public static Backend cpu() {
        return CPU;
    }

    public static Backend reference() {
        return REFERENCE;
    }

    /** The backend that runs kernels for tensors on this device. */
    public static Backend forDevice(Device device) {
        if (device.isCpu()) {
            Backend o = HOST_OVERRIDE.get();
            return o != null ? o : CPU;
        }
        Backend b = DEVICES.get(device);
        if (b == null) {
            throw new IllegalStateException("no backend for device " + device + ": it was not found at start");
        }
        return b;
    }

    /** Makes {@code backend} run every host kernel on this thread until the returned handle is closed. */
    public static Scope use(Backend backend) {
        if (!backend.device().isCpu()) {
            throw new IllegalArgumentException("only a host backend can replace the cpu backend, got "
                    + backend.name() + " on " + backend.device());
        }
        Backend previous = HOST_OVERRIDE.get();
        HOST_OVERRIDE.set(backend);
        return () -> HOST_OVERRIDE.set(previous);
    }

    /** Registers the backend of an accelerator device. */
    public static void register(Backend backend) {
        if (backend.device().isCpu()) {
            throw new IllegalArgumentException("the cpu backend is built in; cannot register " + backend.name());
        }
        DEVICES.put(backend.device(), backend);
    }

    public static void unregister(Device device) {
        DEVICES.remove(device);
    }

    /** {@link Backend#releaseThread()} on every accelerator backend, for a thread that is about to end. */
    public static void releaseThread() {
        for (Backend b : DEVICES.values()) {
            b.releaseThread();
        }
    }

    /** Ends a {@link #use} block. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }
}
