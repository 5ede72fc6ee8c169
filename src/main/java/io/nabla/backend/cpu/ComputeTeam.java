package io.nabla.backend.cpu;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;

/**
 * The worker threads behind {@link Parallel}: one loop at a time, whose chunks the caller and the workers take
 * from a shared counter. Workers spin briefly after a loop (the next op usually follows within microseconds),
 * then park until the next loop is published.
 *
 * <p>Guarantees: a published loop is seen by every worker (a worker announces it is parking, then re-checks the
 * loop counter; the caller publishes, then wakes every worker that announced); {@link #run} returns only after
 * every chunk ended; at most one loop runs at a time, and a second caller is told to run serially instead.
 */
final class ComputeTeam {

    /** How long an idle worker spins before parking. */
    private static final long SPIN_NANOS = 200_000;

    private final Thread[] workers;
    private final AtomicIntegerArray parked;
    private final AtomicBoolean busy = new AtomicBoolean();
    private volatile Loop current;
    private volatile long generation;

    ComputeTeam(int size) {
        workers = new Thread[size];
        parked = new AtomicIntegerArray(size);
        for (int i = 0; i < size; i++) {
            int index = i;
            Thread t = new Thread(() -> work(index), "nabla-compute-" + (i + 1));
            t.setDaemon(true);
            workers[i] = t;
            t.start();
        }
    }

    /** Runs the loop with the workers' help; false (nothing run) when another loop is running. */
    boolean run(Parallel.ChunkBody body, long n, long grain, int chunks) {
        if (!busy.compareAndSet(false, true)) {
            return false;
        }
        try {
            Loop loop = new Loop(body, n, grain, chunks);
            current = loop;
            generation++;
            for (int i = 0; i < workers.length; i++) {
                if (parked.get(i) == 1) {
                    LockSupport.unpark(workers[i]);
                }
            }
            loop.work();
            for (int spins = 0; loop.done.get() < chunks; spins++) {
                if (spins < 1 << 16) {
                    Thread.onSpinWait();
                } else {
                    Thread.yield();
                }
            }
            current = null;
            loop.rethrow();
            return true;
        } finally {
            busy.set(false);
        }
    }

    private void work(int index) {
        long seen = 0;
        while (true) {
            long g = generation;
            if (g != seen) {
                seen = g;
                Loop loop = current;
                if (loop != null) {
                    loop.work();
                }
                continue;
            }
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            while (generation == seen && System.nanoTime() < spinUntil) {
                Thread.onSpinWait();
            }
            if (generation != seen) {
                continue;
            }
            parked.set(index, 1);
            if (generation == seen) {
                LockSupport.park(this);
            }
            parked.set(index, 0);
        }
    }

    /** One parallel loop: chunks handed out by a counter, and a count of finished chunks. */
    private static final class Loop {
        final Parallel.ChunkBody body;
        final long n;
        final long grain;
        final int chunks;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger done = new AtomicInteger();
        volatile Throwable failure;

        Loop(Parallel.ChunkBody body, long n, long grain, int chunks) {
            this.body = body;
            this.n = n;
            this.grain = grain;
            this.chunks = chunks;
        }

        void work() {
            for (int c = next.getAndIncrement(); c < chunks; c = next.getAndIncrement()) {
                try {
                    long s = c * grain;
                    body.run(c, s, Math.min(n, s + grain));
                } catch (Throwable t) {
                    if (failure == null) {
                        failure = t;
                    }
                } finally {
                    done.incrementAndGet();
                }
            }
        }

        void rethrow() {
            Throwable t = failure;
            if (t instanceof RuntimeException r) {
                throw r;
            }
            if (t instanceof Error e) {
                throw e;
            }
            if (t != null) {
                throw new IllegalStateException(t);
            }
        }
    }
}
