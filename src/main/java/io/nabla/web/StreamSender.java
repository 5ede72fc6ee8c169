package io.nabla.web;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one event stream's sends in order, on a pool shared by all streams, with a bounded backlog.
 *
 * <p>Why: a send blocks while the client does not read (until the container's write timeout), so with one sender
 * thread for every stream a single stalled client held up every other stream's events, and the queue of events for
 * the stalled one grew without limit while the job kept training. Here a stalled stream holds one pool thread and
 * its own backlog; past {@code maxBacklog} unsent events it is ended (its client can reconnect and starts from the
 * job's current state), so neither the other streams nor the memory depend on how fast a client reads. Whoever
 * publishes an event (a job's worker) only queues it and never waits for a client.
 */
final class StreamSender {

    private static final Logger LOG = LoggerFactory.getLogger(StreamSender.class);

    /** Pool threads: this many clients can stall at once before other streams' events wait for a thread. */
    static final int THREADS = 16;

    /** The pool shared by the streams of one controller: at most {@link #THREADS} threads, idle ones end. */
    static ThreadPoolExecutor pool(String name) {
        AtomicInteger n = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, name + "-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
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
        pool.execute(this::drain);
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
