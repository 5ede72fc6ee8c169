package io.nabla.inference;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The bounded queue in front of one loaded model, and the batching policy.
 *
 * <p>Guarantees: at most {@code capacity} requests wait (more are refused, never blocked); requests leave in
 * arrival order; a batch is a run of consecutive requests with the same stack key whose rows add up to at most
 * {@code maxBatchSize} (a single larger request runs alone); the first request of a batch waits at most
 * {@code queueDelay} for others to join; once closed, no request is accepted and the queue drains.
 */
final class BatchQueue {

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final ArrayDeque<PendingCall> queue = new ArrayDeque<>();
    private final int capacity;
    private final int maxBatchSize;
    private final long delayNanos;
    private boolean closed;

    BatchQueue(int capacity, int maxBatchSize, Duration queueDelay) {
        this.capacity = capacity;
        this.maxBatchSize = maxBatchSize;
        this.delayNanos = queueDelay.toNanos();
    }

    /** Outcome of {@link #offer}. */
    enum Offer { ACCEPTED, FULL, CLOSED }

    Offer offer(PendingCall call) {
        lock.lock();
        try {
            if (closed) {
                return Offer.CLOSED;
            }
            if (queue.size() >= capacity) {
                return Offer.FULL;
            }
            queue.addLast(call);
            notEmpty.signal();
            return Offer.ACCEPTED;
        } finally {
            lock.unlock();
        }
    }

    /** Refuses new requests; those already queued are still handed out. */
    void close() {
        lock.lock();
        try {
            closed = true;
            notEmpty.signalAll();
        } finally {
            lock.unlock();
        }
    }

    int size() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    /** The next batch, waiting for the first request; an empty list once closed and drained. */
    List<PendingCall> nextBatch() throws InterruptedException {
        lock.lock();
        try {
            while (queue.isEmpty()) {
                if (closed) {
                    return List.of();
                }
                notEmpty.await();
            }
            PendingCall first = queue.pollFirst();
            List<PendingCall> batch = new ArrayList<>();
            batch.add(first);
            if (first.stackKey() == null) {
                return batch;
            }
            int rows = first.rows();
            long deadline = System.nanoTime() + delayNanos;
            while (rows < maxBatchSize) {
                PendingCall next = queue.peekFirst();
                if (next == null) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0 || closed) {
                        break;
                    }
                    notEmpty.awaitNanos(left);
                    continue;
                }
                if (!first.stackKey().equals(next.stackKey()) || rows + next.rows() > maxBatchSize) {
                    break;
                }
                batch.add(queue.pollFirst());
                rows += next.rows();
            }
            return batch;
        } finally {
            lock.unlock();
        }
    }

    /** Removes and returns whatever is still queued (used when the worker stops abnormally). */
    List<PendingCall> drain() {
        lock.lock();
        try {
            List<PendingCall> rest = new ArrayList<>(queue);
            queue.clear();
            closed = true;
            return rest;
        } finally {
            lock.unlock();
        }
    }
}
