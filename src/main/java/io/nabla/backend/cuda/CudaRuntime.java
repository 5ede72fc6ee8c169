package io.nabla.backend.cuda;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;

/**
 * The CUDA runtime as the backend sees it. Guarantees: loading the bindings never throws out of this class (a
 * machine without a driver reads as {@link #available()} false with the reason); every status code goes through one
 * {@link #check} that throws a {@link CudaException} naming the call and the error, and reports sticky errors to
 * the registered listeners (the GPU pool marks the device unhealthy).
 */
public final class CudaRuntime {

    private static final String UNAVAILABLE;
    private static final int DEVICE_COUNT;
    private static final List<Consumer<CudaException>> STICKY_LISTENERS = new CopyOnWriteArrayList<>();

    static {
        String reason = null;
        int count = 0;
        try {
            int[] n = new int[1];
            int st = cudart.cudaGetDeviceCount(n);
            if (st != 0) {
                reason = "cudaGetDeviceCount failed: " + errorName(st) + " (" + errorString(st) + ")";
            } else {
                count = n[0];
                if (count == 0) {
                    reason = "the driver reports 0 devices";
                }
            }
        } catch (LinkageError | RuntimeException e) {
            reason = describe(e);
        }
        UNAVAILABLE = reason;
        DEVICE_COUNT = count;
    }

    private CudaRuntime() {
    }

    /** The exception and its causes, one after another (the first names the JNI library, a cause the CUDA one). */
    private static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null && sb.length() < 600; t = t.getCause() == t ? null : t.getCause()) {
            sb.append(sb.length() == 0 ? "" : "; caused by ").append(t.getClass().getSimpleName()).append(": ")
                    .append(t.getMessage());
        }
        return sb.toString();
    }

    /** True when the CUDA bindings loaded and at least one device is present. */
    public static boolean available() {
        return UNAVAILABLE == null;
    }

    /** Why CUDA cannot be used ("unavailable: ..."), or "available" with the device count. */
    public static String status() {
        return UNAVAILABLE == null ? "available: " + DEVICE_COUNT + " device(s)" : "unavailable: " + UNAVAILABLE;
    }

    /** Number of CUDA devices (0 when unavailable). */
    public static int deviceCount() {
        return DEVICE_COUNT;
    }

    /** Calls {@code listener} with every sticky error any check sees (the GPU pool marks the device unhealthy). */
    public static void onStickyError(Consumer<CudaException> listener) {
        STICKY_LISTENERS.add(listener);
    }

    /** Throws a {@link CudaException} unless {@code status} is cudaSuccess (runtime and driver codes agree). */
    public static void check(int status, String what) {
        if (status == 0) {
            return;
        }
        boolean sticky = isSticky(status);
        CudaException e = new CudaException(what + " failed: " + errorName(status) + " (" + errorString(status)
                + ")" + (sticky ? "; the device context is lost" : ""), status, sticky);
        if (sticky) {
            STICKY_LISTENERS.forEach(l -> l.accept(e));
        }
        throw e;
    }

    /** Errors after which the context is unusable and the process must not use the device again. */
    static boolean isSticky(int status) {
        return STICKY.contains(status);
    }

    private static final Set<Integer> STICKY = Set.of(cudart.cudaErrorIllegalAddress, cudart.cudaErrorLaunchFailure,
            cudart.cudaErrorHardwareStackError, cudart.cudaErrorIllegalInstruction, cudart.cudaErrorMisalignedAddress,
            cudart.cudaErrorInvalidAddressSpace, cudart.cudaErrorInvalidPc, cudart.cudaErrorAssert,
            cudart.cudaErrorECCUncorrectable, cudart.cudaErrorLaunchTimeout);

    static String errorName(int status) {
        BytePointer p = cudart.cudaGetErrorName(status);
        return p == null || p.isNull() ? "error " + status : p.getString();
    }

    static String errorString(int status) {
        BytePointer p = cudart.cudaGetErrorString(status);
        return p == null || p.isNull() ? "no description" : p.getString();
    }

    /** The device this thread made current through {@link #setDevice}, or -1: cudaSetDevice is skipped when unchanged. */
    private static final ThreadLocal<int[]> CURRENT = ThreadLocal.withInitial(() -> new int[] {-1});

    /**
     * cudaSetDevice, skipped when this thread already made {@code device} current (every call in Nabla goes through
     * here, and nothing else changes a thread's device): it is on the path of every kernel launch.
     */
    static int setDevice(int device) {
        int[] current = CURRENT.get();
        if (current[0] == device) {
            return cudart.cudaSuccess;
        }
        int st = cudart.cudaSetDevice(device);
        current[0] = st == cudart.cudaSuccess ? device : -1;
        return st;
    }

    /** A JavaCPP pointer at a raw (device or host) address, for bindings that take {@code void*}. */
    static Pointer at(long address) {
        return new RawPointer(address);
    }

    /** A pointer with a given address; JavaCPP keeps the address in a protected field. */
    private static final class RawPointer extends Pointer {
        RawPointer(long address) {
            this.address = address;
        }
    }
}
