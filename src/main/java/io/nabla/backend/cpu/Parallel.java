package io.nabla.backend.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.RecursiveAction;

/**
 * The engine's one thread pool (one worker per core) and a chunked parallel loop. Work is always cut into the
 * same chunks of {@code grain} iterations whatever the number of threads, so a kernel that combines per-chunk
 * partial results in chunk order gives bit-identical results on 1 or 16 threads.
 */
public final class Parallel {

    /** Below this many iterations (times the per-iteration cost hint) a loop runs on the calling thread. */
    public static final long SERIAL_THRESHOLD = 1 << 15;

    private static final int THREADS = Math.max(1, Integer.getInteger("nabla.threads",
            Runtime.getRuntime().availableProcessors()));
    private static final ForkJoinPool POOL = new ForkJoinPool(THREADS, pool -> {
        var t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
        t.setName("nabla-compute-" + t.getPoolIndex());
        t.setDaemon(true);
        return t;
    }, null, false);

    private Parallel() {
    }

    /** Number of compute threads. */
    public static int threads() {
        return THREADS;
    }

    /** The body of a loop over {@code [start, end)}; {@code chunk} is the chunk's index. */
    @FunctionalInterface
    public interface ChunkBody {
        void run(int chunk, long start, long end);
    }

    /** Number of chunks {@link #forChunks} cuts {@code n} iterations into. */
    public static int chunkCount(long n, long grain) {
        return (int) Math.max(1, (n + grain - 1) / grain);
    }

    /**
     * Runs {@code body} over {@code [0, n)} cut into chunks of {@code grain} iterations (the last may be shorter),
     * in parallel when there is enough work. Returns when every chunk has run.
     */
    public static void forChunks(long n, long grain, ChunkBody body) {
        forChunks(n, grain, 1, body);
    }

    /**
     * {@link #forChunks(long, long, ChunkBody)} for iterations that each cost about {@code costPerIteration}
     * elementwise steps: the loop stays on the calling thread while {@code n * costPerIteration} is below
     * {@link #SERIAL_THRESHOLD}.
     */
    public static void forChunks(long n, long grain, long costPerIteration, ChunkBody body) {
        if (n <= 0) {
            return;
        }
        int chunks = chunkCount(n, grain);
        boolean small = n < SERIAL_THRESHOLD / Math.max(1, costPerIteration);
        if (chunks == 1 || THREADS == 1 || small || ForkJoinTask.inForkJoinPool()) {
            for (int c = 0; c < chunks; c++) {
                long s = c * grain;
                body.run(c, s, Math.min(n, s + grain));
            }
            return;
        }
        POOL.invoke(new Range(body, n, grain, 0, chunks));
    }

    /** Runs {@code body} for each index in [0, count) in parallel (coarse tasks such as batch entries). */
    public static void forEach(int count, ChunkBody body) {
        forChunks(count, 1, SERIAL_THRESHOLD, body);
    }

    private static final class Range extends RecursiveAction {
        private final ChunkBody body;
        private final long n;
        private final long grain;
        private final int from;
        private final int to;

        Range(ChunkBody body, long n, long grain, int from, int to) {
            this.body = body;
            this.n = n;
            this.grain = grain;
            this.from = from;
            this.to = to;
        }

        @Override
        protected void compute() {
            if (to - from == 1) {
                long s = from * grain;
                body.run(from, s, Math.min(n, s + grain));
                return;
            }
            int mid = (from + to) >>> 1;
            invokeAll(new Range(body, n, grain, from, mid), new Range(body, n, grain, mid, to));
        }
    }
}
