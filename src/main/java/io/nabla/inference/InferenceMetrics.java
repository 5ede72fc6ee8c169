package io.nabla.inference;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/**
 * Per-model meters: {@code nabla.inference.requests} and {@code nabla.inference.errors} (counters),
 * {@code nabla.inference.latency} (a timer with a histogram) and {@code nabla.inference.batch.size} (rows per
 * forward pass); all tagged with {@code model}.
 */
public final class InferenceMetrics {

    private final MeterRegistry registry;

    public InferenceMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public void request(String model) {
        Counter.builder("nabla.inference.requests").description("inference requests received")
                .tag("model", model).register(registry).increment();
    }

    public void error(String model, String reason) {
        Counter.builder("nabla.inference.errors").description("inference requests that failed")
                .tag("model", model).tag("reason", reason).register(registry).increment();
    }

    public void latency(String model, Duration d) {
        Timer.builder("nabla.inference.latency").description("time from a request's arrival to its answer")
                .tag("model", model).publishPercentileHistogram().register(registry).record(d);
    }

    void batch(String model, int rows, int requests) {
        DistributionSummary.builder("nabla.inference.batch.size").description("rows stacked into one forward pass")
                .baseUnit("rows").tag("model", model).publishPercentileHistogram().register(registry)
                .record(rows);
        DistributionSummary.builder("nabla.inference.batch.requests")
                .description("requests stacked into one forward pass").tag("model", model).register(registry)
                .record(requests);
    }
}
