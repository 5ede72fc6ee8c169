package io.nabla.backend.cuda;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.bytedeco.cuda.cudart.CUfunc_st;
import org.bytedeco.cuda.cudart.CUmod_st;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.cuda.global.nvrtc;
import org.bytedeco.cuda.nvrtc._nvrtcProgram;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.SizeTPointer;

/**
 * Compiled kernels of one device, one per signature (op, dtypes, contiguity): the first use generates the CUDA C,
 * compiles it with NVRTC for the device's architecture, loads the PTX as a module and keeps the function; later uses
 * reuse it. Closing unloads every module.
 */
final class KernelCache implements AutoCloseable {

    /** NVRTC options: no FMA contraction, so every arithmetic step rounds as the reference backend's does. */
    static final String[] OPTIONS = {"--fmad=false", "--std=c++17"};

    private final int device;
    private final String arch;
    private final Map<String, CUfunc_st> functions = new ConcurrentHashMap<>();
    private final Map<String, CUmod_st> modules = new ConcurrentHashMap<>();

    KernelCache(int device, int major, int minor) {
        this.device = device;
        this.arch = "--gpu-architecture=compute_" + major + minor;
    }

    /** The kernel of signature {@code key}, generated and compiled (the prelude added) on first use. */
    CUfunc_st get(String key, Supplier<Kernel> source) {
        CUfunc_st f = functions.get(key);
        if (f != null) {
            return f;
        }
        synchronized (this) {
            return functions.computeIfAbsent(key, n -> {
                Kernel k = source.get();
                return load(k.name(), CudaC.PRELUDE + k.source());
            });
        }
    }

    /** Number of kernels compiled so far. */
    int size() {
        return functions.size();
    }

    private CUfunc_st load(String name, String source) {
        byte[] ptx = compile(name, source);
        CUmod_st module = new CUmod_st();
        CudaRuntime.check(CudaRuntime.setDevice(device), "cudaSetDevice(" + device + ")");
        try (BytePointer image = new BytePointer(ptx.length + 1)) {
            image.put(ptx).put(ptx.length, (byte) 0);
            CudaRuntime.check(cudart.cuModuleLoadData(module, image), "cuModuleLoadData(" + name + ")");
        }
        modules.put(name, module);
        CUfunc_st f = new CUfunc_st();
        CudaRuntime.check(cudart.cuModuleGetFunction(f, module, name), "cuModuleGetFunction(" + name + ")");
        return f;
    }

    private byte[] compile(String name, String source) {
        _nvrtcProgram prog = new _nvrtcProgram();
        checkNvrtc(nvrtc.nvrtcCreateProgram(prog, new BytePointer(source), new BytePointer(name + ".cu"), 0,
                (PointerPointer<?>) null, (PointerPointer<?>) null), "nvrtcCreateProgram(" + name + ")");
        try {
            String[] opts = {arch, OPTIONS[0], OPTIONS[1]};
            int st = nvrtc.nvrtcCompileProgram(prog, opts.length, new PointerPointer<>(opts));
            if (st != nvrtc.NVRTC_SUCCESS) {
                throw new CudaException("nvrtcCompileProgram(" + name + ") failed: " + nvrtcError(st) + "\n"
                        + log(prog) + "\n" + source, st, false);
            }
            try (SizeTPointer size = new SizeTPointer(1)) {
                checkNvrtc(nvrtc.nvrtcGetPTXSize(prog, size), "nvrtcGetPTXSize");
                byte[] ptx = new byte[(int) size.get(0)];
                checkNvrtc(nvrtc.nvrtcGetPTX(prog, ptx), "nvrtcGetPTX");
                int len = ptx.length;
                while (len > 0 && ptx[len - 1] == 0) {
                    len--;
                }
                return java.util.Arrays.copyOf(ptx, len);
            }
        } finally {
            nvrtc.nvrtcDestroyProgram(prog);
        }
    }

    private static String log(_nvrtcProgram prog) {
        try (SizeTPointer size = new SizeTPointer(1)) {
            if (nvrtc.nvrtcGetProgramLogSize(prog, size) != nvrtc.NVRTC_SUCCESS) {
                return "(no log)";
            }
            byte[] log = new byte[(int) size.get(0)];
            nvrtc.nvrtcGetProgramLog(prog, log);
            return new String(log, java.nio.charset.StandardCharsets.UTF_8).trim();
        }
    }

    static void checkNvrtc(int status, String what) {
        if (status != nvrtc.NVRTC_SUCCESS) {
            throw new CudaException(what + " failed: " + nvrtcError(status), status, false);
        }
    }

    private static String nvrtcError(int status) {
        BytePointer p = nvrtc.nvrtcGetErrorString(status);
        return p == null || p.isNull() ? "nvrtc error " + status : p.getString();
    }

    @Override
    public synchronized void close() {
        for (CUmod_st m : modules.values()) {
            cudart.cuModuleUnload(m);
        }
        modules.clear();
        functions.clear();
    }
}
