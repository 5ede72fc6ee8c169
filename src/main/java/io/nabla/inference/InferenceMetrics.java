package io.nabla.inference;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.nabla.backend.HostAllocator;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Per-model meters: {@code nabla.inference.requests} and {@code nabla.inference.errors} (counters),
 * {@code nabla.inference.latency} (a timer with a histogram) and {@code nabla.inference.batch.size} (rows per
 * forward pass), all tagged with {@code model}; {@code nabla.model.memory} (bytes held by each loaded version,
 * tagged {@code model} and {@code version}) and {@code nabla.memory.allocated} / {@code nabla.memory.peak} /
 * {@code nabla.memory.limit} (the host allocator's counters and its cap).
 */
public final class InferenceMetrics {

    private final MeterRegistry registry;
    /** Which incarnation of a version each {@code nabla.model.memory} gauge reports. */
    private final Map<Meter.Id, LoadedModel> memoryOwners = new HashMap<>();

    public InferenceMetrics(MeterRegistry registry) {
        this.registry = registry;
        HostAllocator host = HostAllocator.instance();
        Gauge.builder("nabla.memory.allocated", host, HostAllocator::allocatedBytes).baseUnit("bytes")
                .description("host memory held by tensors").tag("device", "cpu").register(registry);
        Gauge.builder("nabla.memory.limit", host, h -> h.limit() == Long.MAX_VALUE ? Double.NaN : h.limit())
                .baseUnit("bytes").description("the most host memory tensors may hold (nabla.limits.max-host-memory)")
                .tag("device", "cpu").register(registry);
        Gauge.builder("nabla.memory.peak", host, HostAllocator::peakBytes).baseUnit("bytes")
                .description("most host memory ever held by tensors at once").tag("device", "cpu")
                .register(registry);
    }

    /**
     * Starts the memory gauge of a loaded version. A version unloaded and loaded again quickly is tracked again
     * before its first incarnation's worker has stopped (and untracked): the gauge is then rebound to the new one,
     * and the late {@link #untrack} of the old one leaves it alone.
     */
    void track(LoadedModel model) {
        Meter.Id id = memoryId(model);
        synchronized (memoryOwners) {
            if (memoryOwners.put(id, model) != null) {
                registry.remove(id);
            }
            Gauge.builder("nabla.model.memory", model, LoadedModel::bytes).baseUnit("bytes")
                    .description("memory held by a loaded model").tags(tags(model)).strongReference(false)
                    .register(registry);
        }
    }

    /** Ends the memory gauge of a version, if it still reports this incarnation. */
    void untrack(LoadedModel model) {
        Meter.Id id = memoryId(model);
        synchronized (memoryOwners) {
            if (memoryOwners.get(id) == model) {
                memoryOwners.remove(id);
                registry.remove(id);
            }
        }
    }

    private static Meter.Id memoryId(LoadedModel model) {
        return new Meter.Id("nabla.model.memory", Tags.of(tags(model)), "bytes", null, Meter.Type.GAUGE);
    }

    private static Iterable<Tag> tags(LoadedModel m) {
        return Tags.of("model", m.version().name(), "version", Integer.toString(m.version().version()));
    }

    private final InferenceStatistics statistics = new InferenceStatistics();

    /** The per-version figures of Triton's statistics extension. */
    public InferenceStatistics statistics() {
        return statistics;
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
