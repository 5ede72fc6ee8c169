package io.nabla.backend.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ParallelTest {

    @Test
    void everyChunkRunsExactlyOnceWithFixedBounds() {
        long n = 1_000_003;
        long grain = 4096;
        int chunks = Parallel.chunkCount(n, grain);
        AtomicIntegerArray seen = new AtomicIntegerArray(chunks);
        AtomicLong covered = new AtomicLong();
        for (int round = 0; round < 50; round++) {
            Parallel.forChunks(n, grain, (c, s, e) -> {
                assertThat(s).isEqualTo(c * grain);
                assertThat(e).isEqualTo(Math.min(n, s + grain));
                seen.incrementAndGet(c);
                covered.addAndGet(e - s);
            });
        }
        for (int c = 0; c < chunks; c++) {
            assertThat(seen.get(c)).as("chunk %d", c).isEqualTo(50);
        }
        assertThat(covered.get()).isEqualTo(50 * n);
    }

    @Test
    void nestedLoopsAndConcurrentCallersComplete() throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(4);
        try {
            Future<?>[] fs = new Future<?>[8];
            for (int k = 0; k < fs.length; k++) {
                fs[k] = callers.submit(() -> {
                    AtomicLong sum = new AtomicLong();
                    Parallel.forChunks(1 << 16, 1 << 10, (c, s, e) ->
                            Parallel.forChunks(1 << 16, 1 << 12, (c2, s2, e2) -> sum.addAndGet(e2 - s2)));
                    assertThat(sum.get()).isEqualTo(64L * (1 << 16));
                });
            }
            for (Future<?> f : fs) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void aFailingChunkFailsTheLoopAfterTheOthersEnd() {
        AtomicLong ran = new AtomicLong();
        assertThatThrownBy(() -> Parallel.forChunks(1 << 20, 1 << 12, (c, s, e) -> {
            ran.incrementAndGet();
            if (c == 7) {
                throw new IllegalArgumentException("chunk 7 failed");
            }
        })).isInstanceOf(IllegalArgumentException.class).hasMessage("chunk 7 failed");
        assertThat(ran.get()).isEqualTo(256);
        // the team is usable again
        AtomicLong after = new AtomicLong();
        Parallel.forChunks(1 << 20, 1 << 12, (c, s, e) -> after.addAndGet(e - s));
        assertThat(after.get()).isEqualTo(1 << 20);
    }
}
