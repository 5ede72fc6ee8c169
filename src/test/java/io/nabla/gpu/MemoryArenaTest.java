package io.nabla.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nabla.backend.OutOfDeviceMemoryException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/** Arenas over the caching allocator of a fake device: charging, crediting, caps, release on close. */
class MemoryArenaTest {

    static final long KIB = 1024;
    static final long MIB = 1024 * KIB;

    private final FakeDeviceMemory device = new FakeDeviceMemory(64 * MIB);
    private final CachingAllocator allocator = new CachingAllocator("cuda:0", device, AllocatorSettings.DEFAULT);
    private final ArenaHeap heap = new ArenaHeap("cuda:0", allocator);

    @Test
    void allocationsAreChargedToTheCurrentArenaAndCreditedOnFreeFromAnyThread() throws Exception {
        MemoryArena model = heap.openArena("model:mlp:1", Long.MAX_VALUE, 0);
        long a;
        long b;
        try (ArenaScope s = model.enter()) {
            a = heap.allocate(1000, 0);
            b = heap.allocate(3 * MIB, 0);
        }
        long uncharged = heap.allocate(KIB, 0);
        ArenaStats stats = model.stats();
        assertThat(stats.allocated()).isEqualTo(1000 + 3 * MIB);
        assertThat(stats.reserved()).isEqualTo(1024 + 4 * MIB);
        assertThat(stats.blocks()).isEqualTo(2);
        assertThat(stats.limit()).isNull();
        CompletableFuture.runAsync(() -> heap.free(b)).get();
        assertThat(model.stats().reserved()).isEqualTo(1024);
        assertThat(model.stats().peak()).isEqualTo(1024 + 4 * MIB);
        heap.free(a);
        heap.free(uncharged);
        assertThat(model.stats().reserved()).isZero();
        assertThat(model.stats().allocated()).isZero();
    }

    @Test
    void scopesNestAndRestoreTheArenaBefore() {
        MemoryArena outer = heap.openArena("job:1", Long.MAX_VALUE, 0);
        MemoryArena inner = heap.openArena("model:m:2", Long.MAX_VALUE, 0);
        try (ArenaScope o = outer.enter()) {
            heap.allocate(KIB, 0);
            try (ArenaScope i = inner.enter()) {
                heap.allocate(2 * KIB, 0);
            }
            heap.allocate(KIB, 0);
        }
        heap.allocate(KIB, 0);
        assertThat(outer.stats().reserved()).isEqualTo(2 * KIB);
        assertThat(inner.stats().reserved()).isEqualTo(2 * KIB);
    }

    @Test
    void anAllocationPastTheLimitIsRefusedNamingOwnerLimitAndUse() {
        MemoryArena job = heap.openArena("job:42", 4 * MIB, 0);
        try (ArenaScope s = job.enter()) {
            heap.allocate(3 * MIB, 0); // a 4 MiB block: the whole limit
            long before = allocator.stats().allocated();
            assertThatThrownBy(() -> heap.allocate(KIB, 0))
                    .isInstanceOf(OutOfDeviceMemoryException.class)
                    .hasMessage("allocation of 1.0 KiB for job:42 on cuda:0 is over its arena limit: it holds 4.0 MiB"
                            + " of 4.0 MiB and needs a block of 1.0 KiB");
            assertThat(allocator.stats().allocated()).isEqualTo(before);
        }
        assertThat(job.stats().limit()).isEqualTo(4 * MIB);
        assertThat(job.stats().reserved()).isEqualTo(4 * MIB);
    }

    @Test
    void aBlockLargerThanReservedThatOvershootsTheLimitIsGivenBack() {
        MemoryArena job = heap.openArena("job:7", 3 * MIB + 512 * KIB, 0);
        try (ArenaScope s = job.enter()) {
            // asks 3 MiB, which fits the limit, but the block is the whole 4 MiB segment
            assertThatThrownBy(() -> heap.allocate(3 * MIB, 0)).isInstanceOf(OutOfDeviceMemoryException.class)
                    .hasMessageContaining("needs a block of 4.0 MiB");
        }
        assertThat(job.stats().reserved()).isZero();
        assertThat(allocator.stats().allocated()).isZero();
    }

    @Test
    void closingFreesWhatTheOwnerStillHoldsAndDetachesTheArena() {
        long start = allocator.stats().allocated();
        MemoryArena model = heap.openArena("model:big:3", Long.MAX_VALUE, 0);
        long kept;
        try (ArenaScope s = model.enter()) {
            kept = heap.allocate(5 * MIB, 0);
            heap.free(heap.allocate(KIB, 0));
            heap.allocate(KIB, 1);
        }
        assertThat(model.release()).isEqualTo(6 * MIB + KIB);
        assertThat(allocator.stats().allocated()).isEqualTo(start);
        assertThat(heap.arenas()).doesNotContain(model);
        assertThat(model.release()).isZero();
        assertThatThrownBy(model::enter).isInstanceOf(IllegalStateException.class)
                .hasMessage("arena model:big:3 on cuda:0 is closed");
        assertThatThrownBy(() -> heap.free(kept)).isInstanceOf(IllegalArgumentException.class);
        MemoryArena again = heap.openArena("model:big:3", Long.MAX_VALUE, 0);
        assertThat(heap.arenas()).containsExactly(again);
    }

    @Test
    void twoHundredLoadUnloadCyclesReturnAllocatedToWhereItStarted() {
        long pinned = heap.allocate(64 * KIB, 0); // something outside the arenas, held throughout
        AllocatorStats start = allocator.stats();
        long mallocsAfterFirst = -1;
        for (int cycle = 0; cycle < 200; cycle++) {
            MemoryArena model = heap.openArena("model:mlp:" + (cycle % 3 + 1), Long.MAX_VALUE, 0);
            List<Long> scratch = new ArrayList<>();
            try (ArenaScope s = model.enter()) {
                heap.allocate(784 * 256 * 4, 0); // weights, held until unload
                heap.allocate(256 * 4, 0);
                heap.allocate(256 * 10 * 4, 0);
                for (int i = 0; i < 5; i++) {
                    scratch.add(heap.allocate((cycle + i) * 4 * KIB, 0)); // activations of varying sizes
                }
            }
            heap.free(scratch.get(0));
            model.release();
            assertThat(allocator.stats().allocated()).as("cycle %d", cycle).isEqualTo(start.allocated());
            assertThat(model.stats().reserved()).isZero();
            if (cycle == 0) {
                mallocsAfterFirst = device.mallocs.size();
            }
        }
        assertThat(heap.arenas()).isEmpty();
        assertThat(allocator.stats().activeBlocks()).isEqualTo(start.activeBlocks());
        assertThat(device.mallocs.size() - mallocsAfterFirst).as("segments asked after the first cycle")
                .isLessThanOrEqualTo(10);
        heap.free(pinned);
        allocator.emptyCache();
        assertThat(device.used()).isZero();
        allocator.checkInvariants();
    }

    @Test
    void ownersAreNamedAndUnique() {
        heap.openArena("model:a:1", Long.MAX_VALUE, 0);
        assertThatThrownBy(() -> heap.openArena("model:a:1", MIB, 0)).isInstanceOf(IllegalStateException.class)
                .hasMessage("model:a:1 already has an arena on cuda:0");
        assertThatThrownBy(() -> heap.openArena("someone", MIB, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'model:<name>:<version>' or 'job:<id>', got 'someone'");
        assertThatThrownBy(() -> heap.openArena("job:x", 0, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aScopeBelongsToItsThread() throws Exception {
        MemoryArena job = heap.openArena("job:t", Long.MAX_VALUE, 0);
        ArenaScope s = job.enter();
        Throwable e = CompletableFuture.supplyAsync(() -> {
            try {
                s.close();
                return null;
            } catch (IllegalStateException x) {
                return x;
            }
        }).get();
        assertThat(e).hasMessageContaining("must be closed by the thread that opened it");
        s.close();
        heap.allocate(KIB, 0);
        assertThat(job.stats().reserved()).isZero();
    }

    @Test
    void closingWhileOtherThreadsAllocateLeavesNothingBehind() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(2);
        for (int round = 0; round < 20; round++) {
            MemoryArena job = heap.openArena("job:race", Long.MAX_VALUE, 0);
            CountDownLatch started = new CountDownLatch(2);
            List<CompletableFuture<Void>> workers = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                workers.add(CompletableFuture.runAsync(() -> {
                    started.countDown();
                    try (ArenaScope s = job.enter()) {
                        for (int i = 0; i < 500; i++) {
                            long a = heap.allocate(4 * KIB, 0);
                            if (i % 2 == 0) {
                                heap.free(a);
                            }
                        }
                    } catch (IllegalStateException | IllegalArgumentException closedUnderneath) {
                        // the arena closed: allocating in it, or freeing what it already freed, is refused
                    }
                }, threads));
            }
            started.await();
            job.release();
            for (CompletableFuture<Void> w : workers) {
                w.get();
            }
            assertThat(job.stats().reserved()).as("round %d", round).isZero();
            assertThat(allocator.stats().allocated()).as("round %d", round).isZero();
            allocator.checkInvariants();
        }
        threads.shutdown();
    }
}
