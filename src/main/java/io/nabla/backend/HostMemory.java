package io.nabla.backend;

import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;

/**
 * Host memory from the C heap (malloc through JavaCPP), freed exactly once: by {@link #close()}, or, if the owner
 * forgot to close it, by a cleaner once it is unreachable (a safety net that the counters still see).
 */
public final class HostMemory implements Memory {

    private static final Cleaner CLEANER = Cleaner.create();

    private final long byteSize;
    private final Block block;
    private final Cleaner.Cleanable cleanable;
    private volatile BytePointer pointer;
    private volatile ByteBuffer buffer;

    HostMemory(HostAllocator allocator, Pointer raw, long byteSize) {
        this.byteSize = byteSize;
        this.block = new Block(allocator, raw, byteSize);
        this.pointer = new BytePointer(raw).capacity(Math.max(byteSize, 1));
        ByteBuffer b = pointer.asByteBuffer().order(ByteOrder.nativeOrder());
        b.limit((int) byteSize);
        this.buffer = b;
        this.cleanable = CLEANER.register(this, block);
    }

    @Override
    public Device device() {
        return Device.CPU;
    }

    @Override
    public long byteSize() {
        return byteSize;
    }

    @Override
    public boolean isClosed() {
        return pointer == null;
    }

    @Override
    public ByteBuffer hostBuffer() {
        ByteBuffer b = buffer;
        if (b == null) {
            throw freed();
        }
        return b;
    }

    @Override
    public long address() {
        return pointer().address();
    }

    /** The JavaCPP pointer over this block, for native libraries (BLAS). */
    public BytePointer pointer() {
        BytePointer p = pointer;
        if (p == null) {
            throw freed();
        }
        return p;
    }

    private IllegalStateException freed() {
        return new IllegalStateException("memory of " + byteSize + " bytes was already freed (its scope closed)");
    }

    @Override
    public void close() {
        synchronized (this) {
            if (pointer == null) {
                return;
            }
            pointer = null;
            buffer = null;
        }
        cleanable.clean();
    }

    /** What must be freed; kept apart from the HostMemory so the cleaner can run after it is unreachable. */
    private static final class Block implements Runnable {
        private final HostAllocator allocator;
        private final Pointer raw;
        private final long bytes;

        Block(HostAllocator allocator, Pointer raw, long bytes) {
            this.allocator = allocator;
            this.raw = raw;
            this.bytes = bytes;
        }

        @Override
        public void run() {
            allocator.release(raw, bytes);
        }
    }
}
