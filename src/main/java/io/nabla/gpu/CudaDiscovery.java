package io.nabla.gpu;

import io.nabla.backend.cuda.CudaRuntime;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.cuda.cudart.cudaDeviceProp;
import org.bytedeco.cuda.global.cudart;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds GPUs through the CUDA runtime (JavaCPP's {@code cudart}: {@code cudaGetDeviceCount} and
 * {@code cudaGetDeviceProperties}, both in CUDA 13.0). Without a driver the bindings fail to load
 * ({@code UnsatisfiedLinkError: libcuda.so.1}); that is logged in one line and gives no GPUs, never an error. The
 * same goes for any other failure to link the bindings (a {@link LinkageError}), which is remembered: a class whose
 * initialisation failed never loads again in this JVM.
 */
public final class CudaDiscovery implements GpuDiscovery {

    private static final Logger LOG = LoggerFactory.getLogger(CudaDiscovery.class);

    /** Why the bindings did not load: a class that failed to initialise never loads again in this JVM. */
    private static volatile String unavailable;

    @Override
    public List<DiscoveredGpu> discover() {
        String reason = unavailable;
        if (reason == null) {
            try {
                return probe();
            } catch (LinkageError e) { // UnsatisfiedLinkError, NoClassDefFoundError, ExceptionInInitializerError, ...
                // a second attempt to load the bindings in this JVM no longer names the missing driver; the CUDA
                // runtime's first attempt recorded it
                String first = CudaRuntime.status();
                reason = first.contains("libcuda.so.1") ? "libcuda.so.1 not found" : why(e);
                unavailable = reason;
            }
        }
        LOG.info("no CUDA driver ({}): running on the CPU", reason);
        return List.of();
    }

    private static List<DiscoveredGpu> probe() {
        int[] count = new int[1];
        int status = cudart.cudaGetDeviceCount(count);
        if (status != cudart.cudaSuccess) {
            LOG.info("no usable CUDA device (cudaGetDeviceCount: {}): running on the CPU", error(status));
            return List.of();
        }
        List<DiscoveredGpu> gpus = new ArrayList<>();
        for (int i = 0; i < count[0]; i++) {
            try (cudaDeviceProp p = new cudaDeviceProp()) {
                status = cudart.cudaGetDeviceProperties(p, i);
                if (status != cudart.cudaSuccess) {
                    LOG.warn("cuda:{} is left out: cudaGetDeviceProperties failed: {}", i, error(status));
                    continue;
                }
                gpus.add(new DiscoveredGpu(i, p.name().getString().trim(), p.totalGlobalMem()));
            }
        }
        LOG.info("found {} GPU(s): {}", gpus.size(), gpus);
        return gpus;
    }

    private static String error(int status) {
        return cudart.cudaGetErrorString(status).getString() + " (" + status + ")";
    }

    /** "libcuda.so.1 not found" when that is the cause, else the first line of the error. */
    static String why(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (m != null && m.contains("libcuda.so.1")) {
                return "libcuda.so.1 not found";
            }
        }
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        String m = String.valueOf(root.getMessage());
        int nl = m.indexOf('\n');
        return root.getClass().getSimpleName() + ": " + (nl < 0 ? m : m.substring(0, nl));
    }
}
