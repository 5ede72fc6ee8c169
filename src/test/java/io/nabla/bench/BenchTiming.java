package io.nabla.bench;

import io.nabla.tensor.TensorScope;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** The timing loop of the model benchmarks (TransformerBench, RnnBench) and their RESULT lines. */
final class BenchTiming {

    private BenchTiming() {
    }

    static void report(String op, int batch, double ms) {
        System.out.printf("RESULT op=%s batch=%d median_ms=%.3f%n", op, batch, ms);
    }

    /**
     * After at least {@code warmup} calls and 10 s of them (so the JIT has compiled the path), the median of 21 timed
     * calls, each in a scope of its own.
     */
    static double median(Runnable fn, int warmup) {
        long start = System.nanoTime();
        for (int i = 0; i < warmup || System.nanoTime() - start < 10_000_000_000L; i++) {
            try (TensorScope t = TensorScope.open()) {
                fn.run();
            }
        }
        List<Double> times = new ArrayList<>();
        for (int i = 0; i < 21; i++) {
            try (TensorScope t = TensorScope.open()) {
                long t0 = System.nanoTime();
                fn.run();
                times.add((System.nanoTime() - t0) / 1e6);
            }
        }
        Collections.sort(times);
        return times.get(times.size() / 2);
    }
}
