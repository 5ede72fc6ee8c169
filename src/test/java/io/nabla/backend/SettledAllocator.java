package io.nabla.backend;

/**
 * The host allocator's counters once the JVM has freed what earlier tests left to the garbage collector.
 *
 * <p>Why: memory whose owner was never closed is freed by a cleaner thread after a collection, at any moment. A test
 * that reads {@link HostAllocator#allocatedBytes()} before and after its own work (to prove that it frees what it
 * allocates) must start from a reading with no such frees pending, or one of them lands in between and the
 * counter moves by bytes that were never the test's (seen once on CI: a model load "grew" the counter by -2.8 MB).
 */
public final class SettledAllocator {

    private SettledAllocator() {
    }

    /**
     * {@link HostAllocator#allocatedBytes()} after collections until two readings 20 ms apart agree (at most 50
     * rounds, then the last reading).
     */
    public static long allocatedBytes() {
        HostAllocator a = HostAllocator.instance();
        long last = Long.MIN_VALUE;
        for (int i = 0; i < 50; i++) {
            System.gc();
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            long now = a.allocatedBytes();
            if (now == last) {
                return now;
            }
            last = now;
        }
        return a.allocatedBytes();
    }
}
