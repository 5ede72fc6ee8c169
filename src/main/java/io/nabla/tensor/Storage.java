package io.nabla.tensor;

import io.nabla.backend.Backends;
import io.nabla.backend.Device;
import io.nabla.backend.Memory;

/**
 * The memory behind one or more tensor views, and the only thing that owns it. Views share a storage and its
 * version counter, which in-place ops bump so autograd can detect a saved tensor that changed.
 */
public final class Storage implements AutoCloseable {

    private final Memory memory;
    private volatile int version;
    private TensorScope owner;

    private Storage(Memory memory) {
        this.memory = memory;
    }

    /** Allocates a storage on the device, owned by the current thread's innermost {@link TensorScope}, if any. */
    public static Storage allocate(Device device, long bytes, boolean zero) {
        Storage s = new Storage(Backends.forDevice(device).allocator().allocate(bytes, zero));
        TensorScope scope = TensorScope.current();
        if (scope != null) {
            scope.adopt(s);
        }
        return s;
    }

    /** The memory, or an error when the storage was already freed. */
    public Memory memory() {
        if (memory.isClosed()) {
            throw new IllegalStateException("tensor storage of " + memory.byteSize()
                    + " bytes was freed (the TensorScope that owned it was closed)");
        }
        return memory;
    }

    public Device device() {
        return memory.device();
    }

    public long byteSize() {
        return memory.byteSize();
    }

    public boolean isClosed() {
        return memory.isClosed();
    }

    public int version() {
        return version;
    }

    public void bumpVersion() {
        version++;
    }

    /** The scope that frees this storage, or null when nothing but {@link #close()} (or the GC) does. */
    public synchronized TensorScope owner() {
        return owner;
    }

    synchronized void setOwner(TensorScope scope) {
        this.owner = scope;
    }

    @Override
    public void close() {
        memory.close();
    }
}
