package io.nabla.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Every tunable of the service, with its default, in one place (prefix {@code nabla}). Spring's own settings that
 * follow from these (multipart limits, Swagger UI switch) are derived by {@link DerivedSettings}.
 *
 * @param store where models live on disk
 * @param security API tokens
 * @param limits request size limits
 * @param batching dynamic batching of inference requests
 * @param openapi the OpenAPI document and Swagger UI
 * @param gpu the GPU pool and its caching allocators
 * @param shutdown what happens on SIGTERM before the web server stops accepting (see {@link ShutdownPhases})
 * @param jobs asynchronous fine-tuning jobs
 * @param models where loaded models live
 */
@ConfigurationProperties("nabla")
public record NablaProperties(@DefaultValue Store store, @DefaultValue Security security,
        @DefaultValue Limits limits, @DefaultValue Batching batching, @DefaultValue Openapi openapi,
        @DefaultValue Gpu gpu, @DefaultValue Shutdown shutdown, @DefaultValue Jobs jobs,
        @DefaultValue Models models) {

    /** @param path the model store directory ({@code nabla.store.path}) */
    public record Store(@DefaultValue("./nabla-data") Path path) {
    }

    /**
     * @param tokens bearer tokens accepted in {@code Authorization}; empty means no authentication, which is only
     *     allowed on a loopback address
     */
    public record Security(@DefaultValue List<String> tokens) {

        public Security {
            tokens = tokens == null ? List.of() : List.copyOf(tokens);
        }

        public boolean enabled() {
            return !tokens.isEmpty();
        }
    }

    /**
     * @param maxBodySize the largest request body, counted on the stream (413 above it)
     * @param maxJsonDepth the deepest nesting of arrays and objects in a JSON body (400 above it)
     * @param maxTensorElements the most elements one request tensor may declare
     * @param maxRequestElements the most elements all tensors of one request may declare together
     * @param maxHostMemory the most host memory tensors may hold at once (an allocation past it is a 507 for that
     *     request or job alone); unset means 80 % of the memory besides the Java heap ({@code HostAllocator})
     */
    public record Limits(@DefaultValue("64MB") DataSize maxBodySize, @DefaultValue("32") int maxJsonDepth,
            @DefaultValue("16777216") long maxTensorElements, @DefaultValue("33554432") long maxRequestElements,
            DataSize maxHostMemory) {

        public Limits {
            positive("nabla.limits.max-body-size", maxBodySize.toBytes());
            positive("nabla.limits.max-json-depth", maxJsonDepth);
            positive("nabla.limits.max-tensor-elements", maxTensorElements);
            positive("nabla.limits.max-request-elements", maxRequestElements);
            if (maxHostMemory != null) {
                positive("nabla.limits.max-host-memory", maxHostMemory.toBytes());
            }
        }
    }

    /**
     * @param maxBatchSize the most rows (dim 0) stacked into one forward pass
     * @param queueDelay how long the first request of a batch waits for others to join it; 0 (the default) runs a
     *     batch as soon as the worker is free, with every compatible request that queued while the previous batch
     *     ran (adaptive batching: no added latency when idle, larger batches under load)
     * @param queueCapacity the most requests waiting per loaded model before new ones are refused (429)
     */
    public record Batching(@DefaultValue("32") int maxBatchSize, @DefaultValue("0ms") Duration queueDelay,
            @DefaultValue("256") int queueCapacity) {

        public Batching {
            positive("nabla.batching.max-batch-size", maxBatchSize);
            positive("nabla.batching.queue-capacity", queueCapacity);
            if (queueDelay.isNegative()) {
                throw new IllegalArgumentException("nabla.batching.queue-delay must be >= 0, got " + queueDelay);
            }
        }
    }

    /** @param swaggerUi whether {@code /swagger-ui.html} is served ({@code /v3/api-docs} always is) */
    public record Openapi(@DefaultValue("true") boolean swaggerUi) {
    }

    /**
     * @param enabled whether GPUs are looked for at start; false runs on the CPU without loading the CUDA libraries
     * @param arenaLimit the default cap on the GPU memory of one model or job (its arena); unset means uncapped
     * @param blockRounding GPU requests are rounded up to a multiple of this (a power of two)
     * @param smallRequestLimit GPU requests up to this size share segments; larger ones get segments of their own
     * @param segmentSize the size of a shared segment, and the rounding of a large request's own segment
     */
    public record Gpu(@DefaultValue("true") boolean enabled, DataSize arenaLimit,
            @DefaultValue("512B") DataSize blockRounding, @DefaultValue("1MB") DataSize smallRequestLimit,
            @DefaultValue("2MB") DataSize segmentSize) {

        public Gpu {
            if (arenaLimit != null) {
                positive("nabla.gpu.arena-limit", arenaLimit.toBytes());
            }
        }
    }

    /**
     * @param drainDelay how long the server keeps serving after SIGTERM with readiness already 503, so that load
     *     balancers stop sending before it stops accepting ({@code 0s} locally; a few seconds on Kubernetes)
     */
    public record Shutdown(@DefaultValue("0s") Duration drainDelay) {

        public Shutdown {
            if (drainDelay.isNegative()) {
                throw new IllegalArgumentException("nabla.shutdown.drain-delay must be >= 0, got " + drainDelay);
            }
        }
    }

    /**
     * @param queueCapacity the most jobs waiting for a worker before new submissions are refused (429)
     * @param shutdownWait how long graceful shutdown waits for running jobs to reach a step boundary and write
     *     their checkpoint
     * @param checkpointWriteDelay fault injection for tests: a pause between writing a checkpoint's temporary file
     *     and renaming it into place (0: none)
     * @param stepDelay fault injection for tests: a pause after every optimizer step, so a test can stop the server
     *     in the middle of a job (0: none)
     * @param maxSteps the most optimizer steps one job may take (epochs times batches per epoch): a job keeps one
     *     loss per step in memory, in its record and in every checkpoint, so this bounds what one request can make
     *     the server hold (400 past it)
     */
    public record Jobs(@DefaultValue("16") int queueCapacity, @DefaultValue("15s") Duration shutdownWait,
            @DefaultValue("0ms") Duration checkpointWriteDelay, @DefaultValue("0ms") Duration stepDelay,
            @DefaultValue("1000000") int maxSteps) {

        public Jobs {
            positive("nabla.jobs.queue-capacity", queueCapacity);
            positive("nabla.jobs.max-steps", maxSteps);
            notNegative("nabla.jobs.shutdown-wait", shutdownWait);
            notNegative("nabla.jobs.checkpoint-write-delay", checkpointWriteDelay);
            notNegative("nabla.jobs.step-delay", stepDelay);
        }
    }

    /**
     * @param device where a model whose spec names no {@code device} is loaded: {@code auto} (a GPU with room for it,
     *     else the CPU), {@code cpu}, {@code cuda} (the GPU with the most room) or {@code cuda:N}
     * @param maxLoadedVersions the most versions of one model held in memory at once: requests naming older versions
     *     load them beside the newest, and past this the least recently used one that does not serve requests
     *     without a version is unloaded
     */
    public record Models(@DefaultValue("auto") String device, @DefaultValue("4") int maxLoadedVersions) {

        public Models {
            positive("nabla.models.max-loaded-versions", maxLoadedVersions);
            if (device == null || !device.matches("auto|cpu|cuda|cuda:[0-9]{1,3}")) {
                throw new IllegalArgumentException("nabla.models.device must be auto, cpu, cuda or cuda:N, got '"
                        + device + "'");
            }
        }
    }

    private static void notNegative(String name, Duration value) {
        if (value.isNegative()) {
            throw new IllegalArgumentException(name + " must be >= 0, got " + value);
        }
    }

    private static void positive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be > 0, got " + value);
        }
    }
}
