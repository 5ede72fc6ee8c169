package io.nabla.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nabla.backend.OutOfDeviceMemoryException;
import org.junit.jupiter.api.Test;

/** The caching allocator over a fake device: rounding, reuse, splitting and merging, streams, the cache, OOM. */
class CachingAllocatorTest {

    static final long KIB = 1024;
    static final long MIB = 1024 * KIB;

    private final FakeDeviceMemory device = new FakeDeviceMemory(64 * MIB);
    private final CachingAllocator allocator = new CachingAllocator("cuda:0", device, AllocatorSettings.DEFAULT);

    @Test
    void aFreedBlockIsReusedWithoutAskingTheDevice() {
        long a = allocator.allocate(1000, 0);
        allocator.free(a);
        long b = allocator.allocate(800, 0);
        assertThat(b).isEqualTo(a);
        assertThat(device.mallocs).containsExactly(2 * MIB);
        assertThat(allocator.stats().deviceMallocs()).isEqualTo(1);
    }

    @Test
    void smallRequestsAreRoundedTo512BytesAndShareA2MiBSegment() {
        long a = allocator.allocate(1, 0);
        long b = allocator.allocate(513, 0);
        long c = allocator.allocate(0, 0);
        assertThat(allocator.blockSize(a)).isEqualTo(512);
        assertThat(allocator.blockSize(b)).isEqualTo(1024);
        assertThat(allocator.blockSize(c)).isEqualTo(512);
        assertThat(b).isEqualTo(a + 512);
        assertThat(c).isEqualTo(b + 1024);
        assertThat(device.mallocs).containsExactly(2 * MIB);
        AllocatorStats s = allocator.stats();
        assertThat(s.allocated()).isEqualTo(2048);
        assertThat(s.reserved()).isEqualTo(2 * MIB);
        assertThat(s.cachedFree()).isEqualTo(2 * MIB - 2048);
        assertThat(s.activeBlocks()).isEqualTo(3);
        allocator.checkInvariants();
    }

    @Test
    void largeRequestsGetSegmentsOfTheirOwnRoundedTo2MiB() {
        long a = allocator.allocate(3 * MIB + 1, 0);
        assertThat(device.mallocs).containsExactly(4 * MIB);
        // the rest, 1 MiB - 512 B, is not more than the small request limit: not worth splitting off a large block
        assertThat(allocator.blockSize(a)).isEqualTo(4 * MIB);
        long b = allocator.allocate(MIB + MIB / 2, 0); // its rest (0.5 MiB) is too small to split off a large block
        assertThat(device.mallocs).containsExactly(4 * MIB, 2 * MIB);
        assertThat(allocator.blockSize(b)).isEqualTo(2 * MIB);
        allocator.free(a);
        long c = allocator.allocate(2 * MIB, 0); // best fit in the freed 4 MiB segment, the 2 MiB rest stays cached
        assertThat(c).isEqualTo(a);
        assertThat(allocator.blockSize(c)).isEqualTo(2 * MIB);
        assertThat(allocator.stats().cachedFree()).isEqualTo(2 * MIB);
        assertThat(device.mallocs).hasSize(2);
        allocator.checkInvariants();
    }

    @Test
    void bestFitTakesTheSmallestBlockThatHolds() {
        long a = allocator.allocate(64 * KIB, 0);
        long gap1 = allocator.allocate(512, 0);
        long b = allocator.allocate(16 * KIB, 0);
        long gap2 = allocator.allocate(512, 0);
        allocator.free(a);
        allocator.free(b);
        assertThat(allocator.allocate(10 * KIB, 0)).isEqualTo(b);
        assertThat(allocator.allocate(20 * KIB, 0)).isEqualTo(a);
        assertThat(gap1).isNotEqualTo(gap2);
        allocator.checkInvariants();
    }

    @Test
    void freeingMergesNeighboursBackIntoTheWholeSegment() {
        long a = allocator.allocate(4 * KIB, 0);
        long b = allocator.allocate(8 * KIB, 0);
        long c = allocator.allocate(16 * KIB, 0);
        allocator.free(b);
        allocator.checkInvariants();
        assertThat(allocator.stats().largestFreeBlock()).isEqualTo(2 * MIB - 28 * KIB);
        assertThat(allocator.stats().fragmentation()).isGreaterThan(0);
        allocator.free(a);
        allocator.checkInvariants();
        allocator.free(c);
        allocator.checkInvariants();
        AllocatorStats s = allocator.stats();
        assertThat(s.largestFreeBlock()).isEqualTo(2 * MIB);
        assertThat(s.fragmentation()).isZero();
        assertThat(s.allocated()).isZero();
        assertThat(allocator.emptyCache()).isEqualTo(2 * MIB);
        assertThat(device.used()).isZero();
    }

    @Test
    void aBlockFreedOnOneStreamIsReusedOnlyOnThatStream() {
        long a = allocator.allocate(4 * KIB, 7);
        allocator.free(a);
        long b = allocator.allocate(4 * KIB, 8);
        assertThat(device.segmentOf(b, 4 * KIB)).isNotEqualTo(device.segmentOf(a, 4 * KIB));
        assertThat(device.mallocs).hasSize(2);
        assertThat(allocator.allocate(4 * KIB, 7)).isEqualTo(a);
        allocator.free(b);
        assertThat(allocator.allocate(4 * KIB, 8)).isEqualTo(b);
        assertThat(device.mallocs).hasSize(2);
        allocator.checkInvariants();
    }

    @Test
    void emptyCacheReturnsOnlyWholeFreeSegments() {
        long held = allocator.allocate(4 * KIB, 0); // keeps its small segment
        long large = allocator.allocate(6 * MIB, 0);
        long other = allocator.allocate(4 * KIB, 1);
        allocator.free(large);
        allocator.free(other);
        assertThat(allocator.stats().segments()).isEqualTo(3);
        assertThat(allocator.emptyCache()).isEqualTo(6 * MIB + 2 * MIB);
        assertThat(device.frees).hasSize(2);
        AllocatorStats s = allocator.stats();
        assertThat(s.segments()).isEqualTo(1);
        assertThat(s.reserved()).isEqualTo(2 * MIB);
        assertThat(s.deviceFrees()).isEqualTo(2);
        assertThat(device.segmentOf(held, 4 * KIB)).isPositive();
        allocator.checkInvariants();
    }

    @Test
    void whenTheDeviceIsFullTheCacheIsEmptiedAndTheAllocationRetried() {
        FakeDeviceMemory small = new FakeDeviceMemory(8 * MIB);
        CachingAllocator a = new CachingAllocator("cuda:0", small, AllocatorSettings.DEFAULT);
        a.free(a.allocate(6 * MIB, 0)); // 6 MiB cached, 2 MiB left on the device
        long b = a.allocate(4 * MIB, 1); // another stream: needs its own segment
        assertThat(small.mallocs).containsExactly(6 * MIB, 4 * MIB, 4 * MIB);
        assertThat(small.frees).hasSize(1);
        assertThat(a.stats().cacheFlushes()).isEqualTo(1);
        assertThat(a.blockSize(b)).isEqualTo(4 * MIB);
        a.checkInvariants();
    }

    @Test
    void aFailureOnDemandIsRetriedOnce() {
        device.failNext(1);
        long a = allocator.allocate(KIB, 0);
        assertThat(a).isNotZero();
        assertThat(device.mallocs).containsExactly(2 * MIB, 2 * MIB);
        device.failNext(2);
        assertThatThrownBy(() -> allocator.allocate(3 * MIB, 0)).isInstanceOf(OutOfDeviceMemoryException.class);
        assertThat(device.mallocs).hasSize(4);
        assertThat(allocator.stats().outOfMemory()).isEqualTo(1);
        allocator.checkInvariants();
    }

    @Test
    void outOfMemoryAfterTheRetryNamesTheRequestAndTheFigures() {
        FakeDeviceMemory small = new FakeDeviceMemory(8 * MIB);
        CachingAllocator a = new CachingAllocator("cuda:0", small, AllocatorSettings.DEFAULT);
        long held = a.allocate(4 * MIB, 0);
        long cachedOnly = a.allocate(KIB, 0);
        a.free(cachedOnly); // its 2 MiB segment goes back to the device on the retry
        assertThatThrownBy(() -> a.allocate(6 * MIB, 0))
                .isInstanceOf(OutOfDeviceMemoryException.class)
                .hasMessage("allocation of 6.0 MiB failed on cuda:0: 4.0 of 8.0 MiB in use (reserved 4.0 MiB,"
                        + " cached free 0 B)")
                .satisfies(e -> assertThat(((OutOfDeviceMemoryException) e).requestedBytes()).isEqualTo(6 * MIB));
        assertThat(small.mallocs).containsExactly(4 * MIB, 2 * MIB, 6 * MIB, 6 * MIB);
        assertThat(a.stats().allocated()).isEqualTo(4 * MIB);
        a.free(held);
        a.checkInvariants();
    }

    @Test
    void freeingAnUnknownOrFreedAddressIsRefusedAndChangesNothing() {
        long a = allocator.allocate(KIB, 0);
        allocator.free(a);
        AllocatorStats before = allocator.stats();
        assertThatThrownBy(() -> allocator.free(a)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot free 0x" + Long.toHexString(a) + " on cuda:0");
        assertThatThrownBy(() -> allocator.free(12345)).isInstanceOf(IllegalArgumentException.class);
        assertThat(allocator.stats()).isEqualTo(before);
        assertThatThrownBy(() -> allocator.allocate(-1, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("allocation size must be >= 0, got -1");
    }

    @Test
    void peaksFollowTheHighestFiguresUntilReset() {
        long a = allocator.allocate(3 * MIB, 0);
        long b = allocator.allocate(MIB / 2, 0);
        allocator.free(a);
        AllocatorStats s = allocator.stats();
        assertThat(s.peakAllocated()).isEqualTo(4 * MIB + MIB / 2); // the 3 MiB block took its whole 4 MiB segment
        assertThat(s.peakReserved()).isEqualTo(6 * MIB);
        allocator.emptyCache();
        allocator.resetPeak();
        assertThat(allocator.stats().peakAllocated()).isEqualTo(MIB / 2);
        assertThat(allocator.stats().peakReserved()).isEqualTo(2 * MIB);
        allocator.free(b);
    }

    @Test
    void byteFiguresReadAsInTheHouseStyle() {
        assertThat(ByteFormat.of((long) (2.1 * (1L << 30)))).isEqualTo("2.1 GiB");
        assertThat(ByteFormat.of((long) (77.9 * (1L << 30)), (long) (79.6 * (1L << 30)))).isEqualTo("77.9 of 79.6 GiB");
        assertThat(ByteFormat.of(512)).isEqualTo("512 B");
        assertThat(ByteFormat.of(1536)).isEqualTo("1.5 KiB");
    }

    @Test
    void settingsAreChecked() {
        assertThatThrownBy(() -> new AllocatorSettings(500, MIB, 2 * MIB)).hasMessageContaining("power of two");
        assertThatThrownBy(() -> new AllocatorSettings(512, 4 * MIB, 2 * MIB))
                .hasMessageContaining("small request limit");
    }
}
