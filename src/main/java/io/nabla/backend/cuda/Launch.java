package io.nabla.backend.cuda;

import io.nabla.backend.Layout;
import io.nabla.backend.Memory;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.cuda.cudart.CUfunc_st;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * The arguments of one kernel launch, in the order of the kernel's C parameters: 64-bit integers, doubles, layouts
 * (the prelude's {@code struct L}: offset, rank, sizes[8], strides[8]) and device pointers. Every launch uses
 * blocks of 256 threads in a grid-stride loop over {@code n} work items.
 */
final class Launch implements AutoCloseable {

    /** Threads per block (a power of two: {@code block_sum} halves it). */
    static final int BLOCK = 256;
    private static final int MAX_BLOCKS = 65535;

    private final List<Pointer> args = new ArrayList<>();

    Launch i64(long v) {
        args.add(new LongPointer(1).put(v));
        return this;
    }

    Launch f64(double v) {
        args.add(new DoublePointer(1).put(v));
        return this;
    }

    /** A layout; its rank must be at most {@link CudaC#MAX_RANK}. */
    Launch layout(Layout l) {
        int r = l.rank();
        if (r > CudaC.MAX_RANK) {
            throw new IllegalArgumentException("CUDA kernels take tensors of rank <= " + CudaC.MAX_RANK + ", got rank "
                    + r + " " + java.util.Arrays.toString(l.shape()));
        }
        LongPointer p = new LongPointer(2 + 2 * CudaC.MAX_RANK);
        p.put(0, l.offset()).put(1, r);
        for (int d = 0; d < r; d++) {
            p.put(2 + d, l.shape()[d]);
            p.put(2 + CudaC.MAX_RANK + d, l.strides()[d]);
        }
        args.add(p);
        return this;
    }

    /** The device address of a memory block (0 for an absent optional operand). */
    Launch ptr(Memory m) {
        return ptr(m == null ? 0 : m.address());
    }

    Launch ptr(long address) {
        return i64(address);
    }

    /** Runs {@code f} over {@code n} work items on {@code stream}. */
    void run(CUfunc_st f, long n, CUstream_st stream, String what) {
        if (n <= 0) {
            return;
        }
        int blocks = (int) Math.min(MAX_BLOCKS, (n + BLOCK - 1) / BLOCK);
        try (PointerPointer<?> pp = new PointerPointer<>(args.toArray(new Pointer[0]))) {
            CudaRuntime.check(cudart.cuLaunchKernel(f, blocks, 1, 1, BLOCK, 1, 1, 0, stream, pp,
                    (PointerPointer<?>) null), "cuLaunchKernel(" + what + ")");
        }
    }

    @Override
    public void close() {
        args.forEach(Pointer::close);
        args.clear();
    }
}
