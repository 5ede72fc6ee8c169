package io.nabla.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.nabla.backend.HostAllocator;
import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * 1,000 load/unload cycles of a model while requests run against it: afterwards the heap (after GC) and the
 * off-heap tensor memory are where they started (within 5%), and no request was answered with a 5xx other than
 * the documented 503 of a model that is being unloaded.
 */
class MemoryCyclesIT extends ServerTestBase {

    private static final String REQUEST = "{\"inputs\": [{\"name\": \"input\", \"shape\": [2, 4], \"datatype\": \"FP32\","
            + " \"data\": [1, 2, 3, 4, 5, 6, 7, 8]}]}";

    @Test
    void loadUnloadCyclesUnderLoadLeaveMemoryWhereItStarted() throws Exception {
        scaleModel("cycles", 2.0);
        for (int i = 0; i < 20; i++) { // warm-up: JIT, pools, first-use caches
            cycle();
            assertThat(http.postJson("/v2/models/cycles/infer", REQUEST).status()).isEqualTo(200);
        }
        // the last warm-up request loaded the model again: measure from the unloaded state
        assertThat(http.post("/v2/repository/models/cycles/unload", null, new byte[0], Map.of()).status())
                .isEqualTo(200);
        long heapBefore = heapAfterGc();
        long offHeapBefore = HostAllocator.instance().allocatedBytes();

        AtomicBoolean stop = new AtomicBoolean();
        Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
        Thread[] clients = new Thread[2];
        for (int c = 0; c < clients.length; c++) {
            Http client = new Http(port);
            clients[c] = new Thread(() -> {
                while (!stop.get()) {
                    int s = client.postJson("/v2/models/cycles/infer", REQUEST).status();
                    statuses.computeIfAbsent(s, k -> new AtomicInteger()).incrementAndGet();
                }
            });
            clients[c].start();
        }
        try {
            for (int i = 0; i < 1000; i++) {
                cycle();
            }
        } finally {
            stop.set(true);
            for (Thread t : clients) {
                t.join(60_000);
            }
        }
        // requests may have loaded the model again after the last unload
        assertThat(http.post("/v2/repository/models/cycles/unload", null, new byte[0], Map.of()).status())
                .isEqualTo(200);

        assertThat(statuses.keySet()).as("statuses seen: %s", statuses).isSubsetOf(200, 503);
        assertThat(statuses.get(200)).as("requests answered while cycling").isNotNull();
        long offHeapAfter = HostAllocator.instance().allocatedBytes();
        assertThat((double) offHeapAfter).as("off-heap tensor bytes, before %d", offHeapBefore)
                .isBetween(offHeapBefore * 0.95, offHeapBefore * 1.05 + 1);
        long heapAfter = heapAfterGc();
        System.out.printf("MemoryCyclesIT: 1000 cycles; statuses %s; off-heap %d -> %d bytes; heap after GC %d -> %d"
                + " bytes%n", statuses, offHeapBefore, offHeapAfter, heapBefore, heapAfter);
        assertThat((double) heapAfter).as("heap after GC, before %d", heapBefore)
                .isLessThanOrEqualTo(heapBefore * 1.05);
    }

    private void cycle() {
        assertThat(http.post("/v2/repository/models/cycles/load", null, new byte[0], Map.of()).status())
                .isEqualTo(200);
        assertThat(http.post("/v2/repository/models/cycles/unload", null, new byte[0], Map.of()).status())
                .isEqualTo(200);
    }

    /** The smallest heap use seen over a few full collections. */
    private static long heapAfterGc() throws InterruptedException {
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(50);
            best = Math.min(best, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return best;
    }
}
