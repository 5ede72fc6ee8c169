package io.nabla.gpu;

import io.nabla.backend.OutOfDeviceMemoryException;

/**
 * Device memory as the CUDA backend asks for it: blocks handed out by the per-device caching allocator and charged to
 * the arena that is current on the calling thread (a loaded model, a job). Blocks freed on one stream are reused on
 * that stream at once and on other streams only after the freeing stream has passed that point.
 */
public interface DeviceHeap {

    /**
     * Device address of a block of at least {@code bytes} bytes (rounded up to the allocator's granularity), usable
     * on {@code stream} (a {@code cudaStream_t} address; 0 is the legacy default stream).
     *
     * @throws OutOfDeviceMemoryException when neither the cache, nor the device after emptying the cache, nor the
     *     current arena's limit leaves room; the message gives the request and the figures
     */
    long allocate(long bytes, long stream);

    /** Gives back a block obtained from {@link #allocate}; its memory goes to the cache, not to the driver. */
    void free(long address);
}
