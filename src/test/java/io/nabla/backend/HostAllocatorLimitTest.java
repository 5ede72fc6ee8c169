package io.nabla.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The cap on host memory held by tensors: refused before anything is taken, counters untouched, then usable again. */
class HostAllocatorLimitTest {

    private final HostAllocator host = HostAllocator.instance();

    @Test
    void anAllocationPastTheLimitFailsBeforeTakingMemoryAndTheNextOneFits() {
        long before = SettledAllocator.allocatedBytes();
        long blocks = host.liveBlocks();
        long mallocs = host.mallocCount();
        long previous = host.limit(before + (1 << 20));
        try {
            Memory fits = host.allocate(512 << 10, false);
            assertThatThrownBy(() -> host.allocate(768 << 10, false)).isInstanceOf(OutOfDeviceMemoryException.class)
                    .hasMessage("allocation of 786432 bytes on cpu would pass the host memory limit of "
                            + (before + (1 << 20)) + " bytes (nabla.limits.max-host-memory): " + (before + (512 << 10))
                            + " bytes in use by tensors");
            assertThat(host.allocatedBytes()).isEqualTo(before + (512 << 10));
            assertThat(host.liveBlocks()).isEqualTo(blocks + 1);
            fits.close();
            Memory again = host.allocate(768 << 10, false); // room again once the first is freed
            again.close();
            assertThat(host.mallocCount() - mallocs).as("nothing malloc'ed for the refused one").isLessThanOrEqualTo(2);
        } finally {
            host.limit(previous);
        }
        assertThat(host.allocatedBytes()).isEqualTo(before);
        assertThatThrownBy(() -> host.limit(0)).hasMessageContaining("expected a positive number of bytes, got 0");
    }

    @Test
    void theDefaultLeavesTheHeapAndAFifthOfTheRest() {
        assertThat(HostAllocator.defaultLimit(32L << 30, 8L << 30)).isEqualTo((long) ((24L << 30) * 0.8));
        assertThat(HostAllocator.defaultLimit(1L << 30, 2L << 30)).as("at least 64 MiB").isEqualTo(64L << 20);
    }
}
