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
        for (long seed = 1; seed <= 6; seed++) {
            FakeDeviceMemory device = new FakeDeviceMemory(96 * MIB);
            CachingAllocator allocator = new CachingAllocator("cuda:0", device, AllocatorSettings.DEFAULT);
            Random rnd = new Random(seed);
            TreeMap<Long, Live> live = new TreeMap<>();
            List<Long> order = new ArrayList<>();
            for (int step = 0; step < 3000; step++) {
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
                assertThat(s.allocated()).as("seed %d step %d", seed, step)
                        .isEqualTo(live.values().stream().mapToLong(Live::size).sum());
                assertThat(s.activeBlocks()).isEqualTo(live.size());
                assertThat(s.reserved()).isEqualTo(device.used());
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
        assertThat(b.size()).as("seed %d step %d: block covers the request", seed, step)
                .isGreaterThanOrEqualTo(b.requested()).isPositive();
        assertThat(b.size() % 512).isZero();
        assertThat(device.segmentOf(b.address(), b.size())).as("seed %d step %d: block inside a segment", seed, step)
                .isNotEqualTo(-1);
        noOverlap(live, b);
        live.put(b.address(), b);
    }

    private static void noOverlap(TreeMap<Long, Live> live, Live b) {
        Map.Entry<Long, Live> below = live.floorEntry(b.address());
        Map.Entry<Long, Live> above = live.ceilingEntry(b.address());
        if (below != null) {
            assertThat(below.getKey() + below.getValue().size()).as("block below 0x%x", b.address())
                    .isLessThanOrEqualTo(b.address());
        }
        if (above != null) {
            assertThat(b.address() + b.size()).as("block above 0x%x", b.address()).isLessThanOrEqualTo(above.getKey());
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
