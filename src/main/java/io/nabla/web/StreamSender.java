package io.nabla.web;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one event stream's sends in order, on a pool shared by all streams, with a bounded backlog.
 *
 * <p>Why: a send blocks while the client does not read (until the container's write timeout, 60 s), so with one
 * sender thread for every stream a single stalled client held up every other stream's events, and the queue of
 * events for the stalled one grew without limit while the job kept training; a fixed pool only moves the problem to
 * as many stalled clients as it has threads. Here a stream that has something to send gets a thread of its own
 * (the pool grows with the streams; the caller caps how many streams are open), so a stalled stream holds one thread
 * and its own backlog and nothing else. Past {@code maxBacklog} unsent events the stream is ended (its client can
 * reconnect and starts from the job's current state), so memory does not depend on how fast a client reads.
 * Whoever publishes an event (a job's worker) only queues it and never waits for a client.
 */
final class StreamSender {

    private static final Logger LOG = LoggerFactory.getLogger(StreamSender.class);

    /**
     * The pool shared by the streams of one controller: a thread for each stream with something to send, up to
     * {@code maxThreads} (the caller keeps the number of open streams below it), idle threads end after 30 s.
     */
    static ThreadPoolExecutor pool(String name, int maxThreads) {
        AtomicInteger n = new AtomicInteger();
        return new ThreadPoolExecutor(0, maxThreads, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    private final Executor pool;
    private final int maxBacklog;
    private final Runnable onOverflow;
    private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
    private boolean draining;
    private boolean overflowed;

    /**
     * {@code onOverflow} runs once, in this sender's order (after what was already being sent), when the backlog
     * passes {@code maxBacklog}; the sends still queued then are dropped and later ones ignored.
     */
    StreamSender(Executor pool, int maxBacklog, Runnable onOverflow) {
        this.pool = pool;
        this.maxBacklog = maxBacklog;
        this.onOverflow = onOverflow;
    }

    /** Queues {@code send} behind this stream's earlier ones; returns at once. */
    void execute(Runnable send) {
        synchronized (this) {
            if (overflowed) {
                return;
            }
            if (queue.size() >= maxBacklog) {
                overflowed = true;
                queue.clear();
                queue.add(onOverflow);
            } else {
                queue.add(send);
            }
            if (draining) {
                return;
            }
            draining = true;
        }
        try {
            pool.execute(this::drain);
        } catch (RejectedExecutionException e) {
            // every thread is taken (more streams than the cap allows, briefly, while ended ones finish a blocked
            // send): this stream ends rather than wait, on a thread of its own so the publisher does not wait either
            synchronized (this) {
                overflowed = true;
                queue.clear();
                draining = false;
            }
            Thread t = new Thread(onOverflow, "event-stream-end");
            t.setDaemon(true);
            t.start();
        }
    }

    /** Whether the backlog overflowed (the stream was or is being ended). */
    synchronized boolean overflowed() {
        return overflowed;
    }

    private void drain() {
        while (true) {
            Runnable next;
            synchronized (this) {
                next = queue.poll();
                if (next == null) {
                    draining = false;
                    return;
                }
            }
            try {
                next.run();
            } catch (RuntimeException e) {
                LOG.warn("an event stream's send failed: {}", e.toString());
            }
        }
    }
}
