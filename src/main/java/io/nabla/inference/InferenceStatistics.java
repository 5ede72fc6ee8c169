package io.nabla.inference;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Triton's statistics extension, per model version: requests that succeeded and failed and their time from arrival
 * to answer, each request's time queued, and the time of the batched forward passes that served it, split as
 * Triton splits it (compute_input: stacking the requests' inputs; compute_infer: the forward pass; compute_output:
 * splitting its outputs per request), each request counted once in each; inferences (rows) and executions (forward
 * passes); and the same compute times per batch size (rows of the pass). Counted from the server's start while the
 * version exists; deleting it forgets them.
 */
public final class InferenceStatistics {

    /** A count and its total nanoseconds. */
    public static final class Duration {
        private final LongAdder count = new LongAdder();
        private final LongAdder ns = new LongAdder();

        void add(long nanos) {
            count.increment();
            ns.add(Math.max(0, nanos));
        }

        void add(long times, long nanos) {
            count.add(times);
            ns.add(Math.max(0, nanos) * times);
        }

        public long count() {
            return count.sum();
        }

        public long ns() {
            return ns.sum();
        }
    }

    /** The compute times of the forward passes of one batch size. */
    public static final class BatchStat {
        public final Duration computeInput = new Duration();
        public final Duration computeInfer = new Duration();
        public final Duration computeOutput = new Duration();
    }

    /** One version's figures. */
    public static final class VersionStat {
        public final String name;
        public final int version;
        public final Duration success = new Duration();
        public final Duration fail = new Duration();
        public final Duration queue = new Duration();
        public final Duration computeInput = new Duration();
        public final Duration computeInfer = new Duration();
        public final Duration computeOutput = new Duration();
        private final AtomicLong lastInference = new AtomicLong();
        private final LongAdder inferences = new LongAdder();
        private final LongAdder executions = new LongAdder();
        private final ConcurrentSkipListMap<Integer, BatchStat> batches = new ConcurrentSkipListMap<>();

        VersionStat(String name, int version) {
            this.name = name;
            this.version = version;
        }

        /** Milliseconds since the epoch of the last successful request's answer, 0 before any. */
        public long lastInference() {
            return lastInference.get();
        }

        /** Rows inferred (a request of n rows counts n). */
        public long inferenceCount() {
            return inferences.sum();
        }

        /** Forward passes run. */
        public long executionCount() {
            return executions.sum();
        }

        /** The compute times by batch size (rows of the pass), smallest first. */
        public Map<Integer, BatchStat> batchStats() {
            return batches;
        }
    }

    private final Map<String, VersionStat> versions = new ConcurrentHashMap<>();

    private static String key(String name, int version) {
        return name + ":" + version;
    }

    /** The figures of {@code name} version {@code version}, created empty the first time. */
    VersionStat of(String name, int version) {
        return versions.computeIfAbsent(key(name, version), k -> new VersionStat(name, version));
    }

    /**
     * Records one forward pass of {@code rows} rows serving requests that were queued at {@code enqueued}
     * ({@link System#nanoTime()}), which began at {@code start} and took the three durations.
     */
    void execution(String name, int version, long[] enqueued, int rows, long start, long input, long infer,
            long output) {
        VersionStat s = of(name, version);
        for (long q : enqueued) {
            s.queue.add(start - q);
        }
        int n = enqueued.length;
        s.computeInput.add(n, input);
        s.computeInfer.add(n, infer);
        s.computeOutput.add(n, output);
        s.executions.increment();
        s.inferences.add(rows);
        BatchStat b = s.batches.computeIfAbsent(rows, r -> new BatchStat());
        b.computeInput.add(input);
        b.computeInfer.add(infer);
        b.computeOutput.add(output);
    }

    /** Records a request answered after {@code nanos}. */
    void success(String name, int version, long nanos) {
        VersionStat s = of(name, version);
        s.success.add(nanos);
        s.lastInference.accumulateAndGet(System.currentTimeMillis(), Math::max);
    }

    /** Records a request that failed after {@code nanos}. */
    void fail(String name, int version, long nanos) {
        of(name, version).fail.add(nanos);
    }

    /** Forgets a deleted version ({@code version} null: every version of the model). */
    void forget(String name, Integer version) {
        if (version != null) {
            versions.remove(key(name, version));
        } else {
            versions.values().removeIf(v -> v.name.equals(name));
        }
    }

    /** The figures of the versions of {@code name} (every model when null) and {@code version} (all when null). */
    public List<VersionStat> select(String name, Integer version) {
        List<VersionStat> out = new ArrayList<>();
        for (VersionStat v : versions.values()) {
            if ((name == null || v.name.equals(name)) && (version == null || v.version == version)) {
                out.add(v);
            }
        }
        out.sort((a, b) -> a.name.equals(b.name) ? Integer.compare(a.version, b.version) : a.name.compareTo(b.name));
        return out;
    }
}
