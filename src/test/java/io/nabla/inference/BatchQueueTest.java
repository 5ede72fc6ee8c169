package io.nabla.inference;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class BatchQueueTest {

    private static PendingCall call(int rows, String key) {
        return new PendingCall(new InferenceCall(List.of(), List.of()), rows, key, new CompletableFuture<>(),
                System.nanoTime());
    }

    @Test
    void stacksConsecutiveCompatibleRequestsUpToTheBatchSize() throws Exception {
        BatchQueue q = new BatchQueue(10, 8, Duration.ZERO);
        PendingCall a = call(2, "k");
        PendingCall b = call(3, "k");
        PendingCall c = call(4, "k");
        PendingCall d = call(1, "other");
        PendingCall e = call(1, "k");
        for (PendingCall p : List.of(a, b, c, d, e)) {
            assertThat(q.offer(p)).isEqualTo(BatchQueue.Offer.ACCEPTED);
        }
        assertThat(q.nextBatch()).containsExactly(a, b);
        assertThat(q.nextBatch()).containsExactly(c);
        assertThat(q.nextBatch()).containsExactly(d);
        assertThat(q.nextBatch()).containsExactly(e);
    }

    @Test
    void aRequestLargerThanTheBatchSizeRunsAloneAndUnbatchableOnesNeverStack() throws Exception {
        BatchQueue q = new BatchQueue(10, 4, Duration.ZERO);
        PendingCall big = call(9, "k");
        PendingCall small = call(1, "k");
        PendingCall alone1 = call(1, null);
        PendingCall alone2 = call(1, null);
        for (PendingCall p : List.of(big, small, alone1, alone2)) {
            q.offer(p);
        }
        assertThat(q.nextBatch()).containsExactly(big);
        assertThat(q.nextBatch()).containsExactly(small);
        assertThat(q.nextBatch()).containsExactly(alone1);
        assertThat(q.nextBatch()).containsExactly(alone2);
    }

    @Test
    void refusesWhenFullAndAfterCloseButDrainsWhatWasQueued() throws Exception {
        BatchQueue q = new BatchQueue(2, 8, Duration.ofMillis(1));
        PendingCall a = call(1, "k");
        assertThat(q.offer(a)).isEqualTo(BatchQueue.Offer.ACCEPTED);
        assertThat(q.offer(call(1, "x"))).isEqualTo(BatchQueue.Offer.ACCEPTED);
        assertThat(q.offer(call(1, "k"))).isEqualTo(BatchQueue.Offer.FULL);
        q.close();
        assertThat(q.offer(call(1, "k"))).isEqualTo(BatchQueue.Offer.CLOSED);
        assertThat(q.nextBatch()).containsExactly(a);
        assertThat(q.nextBatch()).hasSize(1);
        assertThat(q.nextBatch()).isEmpty();
    }
}
