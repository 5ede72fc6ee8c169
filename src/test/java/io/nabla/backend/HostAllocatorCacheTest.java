package io.nabla.backend;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class HostAllocatorCacheTest {

    private final HostAllocator host = HostAllocator.instance();

    @Test
    void aFreedLargeBlockIsReusedAndZeroedWhenAskedFor() {
        long bytes = 3 * HostAllocator.CACHE_MIN_BYTES + 12;
        long allocatedBefore = SettledAllocator.allocatedBytes();
        Memory a = host.allocate(bytes, false);
        long address = a.address();
        ByteBuffer b = a.hostBuffer();
        for (int i = 0; i < bytes; i += 4096) {
            b.put(i, (byte) 7);
        }
        a.close();
        assertThat(host.allocatedBytes()).isEqualTo(allocatedBefore);
        assertThat(host.reservedBytes()).isGreaterThanOrEqualTo(allocatedBefore + bytes);

        Memory again = host.allocate(bytes, true);
        assertThat(again.address()).as("the cached block is handed out again").isEqualTo(address);
        ByteBuffer z = again.hostBuffer();
        for (int i = 0; i < bytes; i += 4096) {
            assertThat(z.get(i)).as("byte %d of a zeroed reused block", i).isZero();
        }
        assertThat(host.allocatedBytes()).isEqualTo(allocatedBefore + bytes);
        again.close();
    }

    @Test
    void smallBlocksAreNotCachedAndEmptyCacheReturnsEverything() {
        long before = SettledAllocator.allocatedBytes();
        Memory small = host.allocate(1024, false);
        small.close();
        Memory large = host.allocate(HostAllocator.CACHE_MIN_BYTES * 2, false);
        large.close();
        host.emptyCache();
        assertThat(host.allocatedBytes()).isEqualTo(before);
        assertThat(host.reservedBytes()).isEqualTo(host.allocatedBytes());
    }
}
