package io.nabla.backend.cpu;

/**
 * The engine's compute threads and a chunked parallel loop. Work is always cut into the same chunks of
 * {@code grain} iterations whatever the number of threads, so a kernel that combines per-chunk partial results in
 * chunk order gives bit-identical results on 1 or 16 threads.
 *
 * <p>Guarantees: the calling thread takes part in its own loop (no hand-off latency for short loops); a loop
 * started while another is running (from a loop body, or from another thread) runs serially on its caller, so
 * nesting never deadlocks; the first exception thrown by a chunk is rethrown to the caller after every chunk ended.
 */
public final class Parallel {

    /** Below this many iterations (times the per-iteration cost hint) a loop runs on the calling thread. */
    public static final long SERIAL_THRESHOLD = 1 << 15;

    private static final int THREADS = Math.max(1, Integer.getInteger("nabla.threads",
            Runtime.getRuntime().availableProcessors()));
    private static final ComputeTeam TEAM = THREADS > 1 ? new ComputeTeam(THREADS - 1) : null;

    private Parallel() {
    }

    /** Number of compute threads (the caller of a loop counts as one). */
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
        if (chunks == 1 || TEAM == null || small || !TEAM.run(body, n, grain, chunks)) {
            for (int c = 0; c < chunks; c++) {
                long s = c * grain;
                body.run(c, s, Math.min(n, s + grain));
            }
        }
    }

    /** Runs {@code body} for each index in [0, count) in parallel (coarse tasks such as batch entries). */
    public static void forEach(int count, ChunkBody body) {
        forChunks(count, 1, SERIAL_THRESHOLD, body);
    }
}
