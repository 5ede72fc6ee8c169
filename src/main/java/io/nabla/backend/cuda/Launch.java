package io.nabla.backend.cuda;

import io.nabla.backend.Layout;
import io.nabla.backend.Memory;
import java.nio.LongBuffer;
import java.util.ArrayDeque;
import org.bytedeco.cuda.cudart.CUfunc_st;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * The arguments of one kernel launch, in the order of the kernel's C parameters: 64-bit integers, doubles, layouts
 * (the prelude's {@code struct L}: offset, rank, sizes[8], strides[8]) and device pointers. Every launch uses
 * blocks of 256 threads in a grid-stride loop over {@code n} work items.
 *
 * <p>The values and the parameter-pointer array live in a native buffer that the thread reuses from launch to launch
 * ({@code cuLaunchKernel} copies the parameters when it queues the kernel, so a buffer is free again as soon as the
 * call returns): a launch allocates nothing. A thread that builds a second launch before running the first (an
 * argument computed by another kernel) gets a second buffer; {@link #close()} hands the buffer back.
 */
final class Launch implements AutoCloseable {

    /** Threads per block (a power of two: {@code block_sum} halves it). */
    static final int BLOCK = 256;
    private static final int MAX_BLOCKS = 65535;
    /** Parameters of one kernel, at most. */
    static final int MAX_ARGS = 48;
    /** 8-byte words of parameter values: room for every parameter to be a layout. */
    private static final int LAYOUT_WORDS = 2 + 2 * CudaC.MAX_RANK;
    private static final int WORDS = MAX_ARGS * LAYOUT_WORDS;

    /** Kernels launched (generated kernels and cuBLAS calls) since the JVM started, on every device. */
    static final java.util.concurrent.atomic.LongAdder COUNT = new java.util.concurrent.atomic.LongAdder();

    private static final ThreadLocal<ArrayDeque<Buffer>> FREE = ThreadLocal.withInitial(ArrayDeque::new);

    private Buffer buffer;
    private int args;
    private int words;

    private Buffer buffer() {
        if (buffer == null) {
            Buffer b = FREE.get().poll();
            buffer = b != null ? b : new Buffer();
        }
        return buffer;
    }

    private int slot(int size) {
        if (args == MAX_ARGS) {
            throw new IllegalStateException("a kernel launch takes at most " + MAX_ARGS + " parameters");
        }
        Buffer b = buffer();
        int at = words;
        b.slots.put(args++, b.valuesAddress + 8L * at);
        words += size;
        return at;
    }

    Launch i64(long v) {
        buffer().values.put(slot(1), v);
        return this;
    }

    Launch f64(double v) {
        buffer().values.put(slot(1), Double.doubleToRawLongBits(v));
        return this;
    }

    /** A layout; its rank must be at most {@link CudaC#MAX_RANK}. */
    Launch layout(Layout l) {
        int r = l.rank();
        if (r > CudaC.MAX_RANK) {
            throw new IllegalArgumentException("CUDA kernels take tensors of rank <= " + CudaC.MAX_RANK + ", got rank "
                    + r + " " + java.util.Arrays.toString(l.shape()));
        }
        int at = slot(LAYOUT_WORDS);
        LongBuffer v = buffer.values;
        v.put(at, l.offset()).put(at + 1, r);
        int[] shape = l.shape();
        int[] strides = l.strides();
        for (int d = 0; d < r; d++) {
            v.put(at + 2 + d, shape[d]);
            v.put(at + 2 + CudaC.MAX_RANK + d, strides[d]);
        }
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
        COUNT.increment();
        CudaRuntime.check(cudart.cuLaunchKernel(f, blocks, 1, 1, BLOCK, 1, 1, 0, stream, buffer().params,
                (PointerPointer<?>) null), "cuLaunchKernel(" + what + ")");
    }

    @Override
    public void close() {
        if (buffer != null) {
            FREE.get().push(buffer);
            buffer = null;
        }
        args = 0;
        words = 0;
    }

    /** A thread's native argument block: the values, and the array of pointers to them that the driver reads. */
    private static final class Buffer {
        final LongPointer valueBlock = new LongPointer(WORDS);
        final LongPointer slotBlock = new LongPointer(MAX_ARGS);
        final long valuesAddress = valueBlock.address();
        final LongBuffer values = valueBlock.asBuffer();
        final LongBuffer slots = slotBlock.asBuffer();
        final PointerPointer<?> params = new PointerPointer<>(slotBlock);
    }
}
