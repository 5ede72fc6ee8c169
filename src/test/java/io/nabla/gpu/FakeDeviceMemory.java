package io.nabla.gpu;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A GPU's raw memory for tests: a fixed capacity, addresses that never repeat, every call recorded, and failures on
 * demand (the next n mallocs return 0 whatever the room).
 */
final class FakeDeviceMemory implements RawDeviceMemory {

    private final long capacity;
    private final Map<Long, Long> segments = new HashMap<>();
    final List<Long> mallocs = new ArrayList<>(); // sizes asked, including refused ones
    final List<Long> frees = new ArrayList<>(); // addresses returned
    private long next = 0x7f00_0000_0000L;
    private long used;
    private int failures;
    int refused;

    FakeDeviceMemory(long capacity) {
        this.capacity = capacity;
    }

    /** The next {@code n} mallocs fail. */
    synchronized void failNext(int n) {
        failures = n;
    }

    @Override
    public synchronized long malloc(long bytes) {
        mallocs.add(bytes);
        if (failures > 0 || used + bytes > capacity) {
            failures = Math.max(0, failures - 1);
            refused++;
            return 0;
        }
        long address = next;
        next += bytes + 4096; // a gap, so adjacent segments never look contiguous
        segments.put(address, bytes);
        used += bytes;
        return address;
    }

    @Override
    public synchronized void free(long address) {
        Long size = segments.remove(address);
        if (size == null) {
            throw new AssertionError("cudaFree of 0x" + Long.toHexString(address) + ", which is not a segment");
        }
        frees.add(address);
        used -= size;
    }

    @Override
    public long totalBytes() {
        return capacity;
    }

    @Override
    public synchronized long freeBytes() {
        return capacity - used;
    }

    synchronized long used() {
        return used;
    }

    /** The segment holding [address, address + size), or -1. */
    synchronized long segmentOf(long address, long size) {
        for (Map.Entry<Long, Long> e : segments.entrySet()) {
            if (address >= e.getKey() && address + size <= e.getKey() + e.getValue()) {
                return e.getKey();
            }
        }
        return -1;
    }

    synchronized int segmentCount() {
        return segments.size();
    }
}
