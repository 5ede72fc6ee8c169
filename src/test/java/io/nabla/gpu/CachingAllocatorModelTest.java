package io.nabla.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import io.nabla.backend.OutOfDeviceMemoryException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The caching allocator under random sequences of allocations and frees, checked against a simple model of what must
 * hold: live blocks never overlap, each lies inside a device segment, counters equal the sums of the live blocks, and
 * after everything is freed every segment is whole again and goes back to the device. Then the same from threads.
 */
class CachingAllocatorModelTest {

    static final long MIB = 1 << 20;

    /** A live block as the model sees it. */
    record Live(long address, long requested, long size, long stream) {
    }

    @Test
    void randomSequencesKeepTheInvariants() {
        for (long seed = 1; seed <= 4; seed++) {
            FakeDeviceMemory device = new FakeDeviceMemory(96 * MIB);
            CachingAllocator allocator = new CachingAllocator("cuda:0", device, AllocatorSettings.DEFAULT);
            Random rnd = new Random(seed);
            TreeMap<Long, Live> live = new TreeMap<>();
            List<Long> order = new ArrayList<>();
            for (int step = 0; step < 2000; step++) {
                if (!order.isEmpty() && rnd.nextInt(100) < 45) {
                    long address = order.remove(rnd.nextInt(order.size()));
                    live.remove(address);
                    allocator.free(address);
                } else {
                    long stream = rnd.nextInt(3);
                    long bytes = rnd.nextInt(10) < 8 ? rnd.nextInt((int) MIB + 1) : rnd.nextInt((int) (12 * MIB));
                    try {
                        long address = allocator.allocate(bytes, stream);
                        Live block = new Live(address, bytes, allocator.blockSize(address), stream);
                        admit(live, block, device, seed, step);
                        order.add(address);
                    } catch (OutOfDeviceMemoryException e) {
                        assertThat(e.getMessage()).startsWith("allocation of ").contains(" failed on cuda:0: ");
                    }
                }
                allocator.checkInvariants();
                AllocatorStats s = allocator.stats();
                long held = live.values().stream().mapToLong(Live::size).sum();
                if (s.allocated() != held || s.activeBlocks() != live.size() || s.reserved() != device.used()) {
                    throw new AssertionError("seed " + seed + " step " + step + ": " + s + " but the model holds "
                            + live.size() + " blocks of " + held + " bytes and the device " + device.used());
                }
            }
            for (long address : order) {
                allocator.free(address);
            }
            allFreeAndWhole(allocator, device);
        }
    }

    @Test
    void threadsAllocatingAndFreeingTogetherLeaveConsistentCounters() throws Exception {
        FakeDeviceMemory device = new FakeDeviceMemory(1L << 40);
        CachingAllocator allocator = new CachingAllocator("cuda:0", device, AllocatorSettings.DEFAULT);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Long>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                long seed = t;
                done.add(pool.submit(() -> churn(allocator, new Random(seed), seed % 2)));
            }
            long peak = 0;
            for (Future<Long> f : done) {
                peak = Math.max(peak, f.get());
            }
            assertThat(allocator.stats().peakAllocated()).isGreaterThanOrEqualTo(peak);
        } finally {
            pool.shutdownNow();
        }
        allFreeAndWhole(allocator, device);
    }

    /** Random work on one thread, checking that its own blocks never overlap; gives its own peak. */
    private static long churn(CachingAllocator allocator, Random rnd, long stream) {
        TreeMap<Long, Live> mine = new TreeMap<>();
        List<Long> order = new ArrayList<>();
        long held = 0;
        long peak = 0;
        for (int i = 0; i < 2000; i++) {
            if (!order.isEmpty() && rnd.nextBoolean()) {
                long address = order.remove(rnd.nextInt(order.size()));
                held -= mine.remove(address).size();
                allocator.free(address);
            } else {
                long bytes = rnd.nextInt(8) == 0 ? rnd.nextInt((int) (6 * MIB)) : rnd.nextInt(64 * 1024);
                long address = allocator.allocate(bytes, stream);
                Live b = new Live(address, bytes, allocator.blockSize(address), stream);
                noOverlap(mine, b);
                mine.put(address, b);
                order.add(address);
                held += b.size();
                peak = Math.max(peak, held);
            }
        }
        for (long address : order) {
            allocator.free(address);
        }
        return peak;
    }

    private static void admit(TreeMap<Long, Live> live, Live b, FakeDeviceMemory device, long seed, int step) {
        if (b.size() < b.requested() || b.size() <= 0 || b.size() % 512 != 0
                || device.segmentOf(b.address(), b.size()) == -1) {
            throw new AssertionError("seed " + seed + " step " + step + ": " + b
                    + " does not cover its request in 512 B units inside one device segment");
        }
        noOverlap(live, b);
        live.put(b.address(), b);
    }

    private static void noOverlap(TreeMap<Long, Live> live, Live b) {
        Map.Entry<Long, Live> below = live.floorEntry(b.address());
        Map.Entry<Long, Live> above = live.ceilingEntry(b.address());
        if (below != null && below.getKey() + below.getValue().size() > b.address()
                || above != null && b.address() + b.size() > above.getKey()) {
            throw new AssertionError(b + " overlaps a live block: " + below + " / " + above);
        }
    }

    private static void allFreeAndWhole(CachingAllocator allocator, FakeDeviceMemory device) {
        allocator.checkInvariants();
        AllocatorStats s = allocator.stats();
        assertThat(s.allocated()).isZero();
        assertThat(s.activeBlocks()).isZero();
        assertThat(s.largestFreeBlock() == 0 || s.fragmentation() >= 0).isTrue();
        assertThat(allocator.emptyCache()).as("every segment merged back whole").isEqualTo(s.reserved());
        assertThat(allocator.stats().segments()).isZero();
        assertThat(device.used()).isZero();
        assertThat(device.segmentCount()).isZero();
    }
}
