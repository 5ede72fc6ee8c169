package io.nabla.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A stream's sends keep their order; a stalled stream holds up neither the others nor the publisher's memory. */
class StreamSenderTest {

    private final ThreadPoolExecutor pool = StreamSender.pool("test-events", 64);

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    @Test
    void sendsRunInTheOrderQueued() throws InterruptedException {
        List<Integer> sent = new CopyOnWriteArrayList<>();
        CountDownLatch done = new CountDownLatch(1);
        StreamSender s = new StreamSender(pool, 100_000, () -> { });
        for (int i = 0; i < 10_000; i++) {
            int k = i;
            s.execute(() -> sent.add(k));
        }
        s.execute(done::countDown);
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(sent).hasSize(10_000);
        for (int i = 0; i < sent.size(); i++) {
            assertThat(sent.get(i)).isEqualTo(i);
        }
    }

    @Test
    void stalledStreamsDoNotHoldUpAnother() throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        for (int i = 0; i < 40; i++) { // more stalled clients than a fixed pool of 16 had threads
            new StreamSender(pool, 100, () -> { }).execute(() -> {
                try {
                    release.await(); // a client that does not read: the send blocks
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        CountDownLatch other = new CountDownLatch(1);
        new StreamSender(pool, 100, () -> { }).execute(other::countDown);
        assertThat(other.await(10, TimeUnit.SECONDS)).as("the other stream's send ran").isTrue();
        release.countDown();
    }

    @Test
    void aBacklogPastItsLimitEndsTheStreamOnceAndDropsTheRest() throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger overflows = new AtomicInteger();
        AtomicInteger sent = new AtomicInteger();
        CountDownLatch ended = new CountDownLatch(1);
        StreamSender s = new StreamSender(pool, 10, () -> {
            overflows.incrementAndGet();
            ended.countDown();
        });
        s.execute(() -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        for (int i = 0; i < 1000; i++) { // queued while the first send blocks: the publisher never waits
            s.execute(sent::incrementAndGet);
        }
        assertThat(s.overflowed()).isTrue();
        release.countDown();
        assertThat(ended.await(10, TimeUnit.SECONDS)).isTrue();
        Thread.sleep(50);
        assertThat(overflows).hasValue(1);
        assertThat(sent.get()).as("the backlog is dropped with the stream").isZero();
    }

    @Test
    void aStreamThatFindsNoThreadIsEndedWithoutMakingThePublisherWait() throws InterruptedException {
        ThreadPoolExecutor one = StreamSender.pool("one-event-thread", 1);
        try {
            CountDownLatch release = new CountDownLatch(1);
            new StreamSender(one, 100, () -> { }).execute(() -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            CountDownLatch ended = new CountDownLatch(1);
            StreamSender second = new StreamSender(one, 100, ended::countDown);
            second.execute(() -> { });
            assertThat(ended.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(second.overflowed()).isTrue();
            release.countDown();
        } finally {
            one.shutdownNow();
        }
    }
}
