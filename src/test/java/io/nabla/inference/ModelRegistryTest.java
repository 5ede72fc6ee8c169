package io.nabla.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nabla.backend.DType;
import io.nabla.backend.HostAllocator;
import io.nabla.backend.SettledAllocator;
import io.nabla.config.NablaProperties;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelRegistryTest {

    static final byte[] SPEC = """
            {"inputs": [{"name": "input", "datatype": "FP32", "shape": [-1, 2]}],
             "outputs": [{"name": "output", "datatype": "FP32", "shape": [-1, 2]}], "layers": []}"""
            .getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path root;

    private ModelRegistry registry;

    private ModelRegistry registry(int capacity) {
        registry = new ModelRegistry(new ModelStore(root), new ScaleModelLoader(),
                new NablaProperties.Batching(1, Duration.ZERO, capacity), new InferenceMetrics(new SimpleMeterRegistry()));
        return registry;
    }

    @AfterEach
    void close() {
        if (registry != null) {
            registry.close();
        }
    }

    private static InferenceCall call() {
        Tensor t = Tensor.of(new float[] {1, 2}, 1, 2);
        return new InferenceCall(List.of(new InputTensor("input", DType.FP32, t.shape(), t)), List.of());
    }

    private static ByteArrayInputStream weights(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aFullQueueIsRefusedWithRetryAfter() throws Exception {
        ModelRegistry r = registry(2);
        r.create("busy", SPEC, weights("scale=1;busy=1000"));
        r.load("busy");
        List<CompletableFuture<List<OutputTensor>>> accepted = new ArrayList<>();
        InferenceException refused = null;
        try (TensorScope s = TensorScope.open()) {
            for (int i = 0; i < 6 && refused == null; i++) {
                CompletableFuture<InferenceResult> f = CompletableFuture.supplyAsync(() -> {
                    try (TensorScope inner = TensorScope.open()) {
                        return r.infer("busy", null, call());
                    }
                });
                try {
                    f.get(200, TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.TimeoutException waiting) {
                    accepted.add(f.thenApply(InferenceResult::outputs));
                } catch (java.util.concurrent.ExecutionException e) {
                    refused = (InferenceException) e.getCause();
                }
            }
        }
        assertThat(refused).as("one request beyond running + 2 queued is refused").isNotNull();
        assertThat(refused.kind()).isEqualTo(InferenceException.Kind.OVERLOADED);
        assertThat(refused.retryAfter()).isPositive();
        assertThat(refused.getMessage()).contains("nabla.batching.queue-capacity");
        for (CompletableFuture<List<OutputTensor>> f : accepted) {
            assertThat(f.get(30, TimeUnit.SECONDS)).hasSize(1);
        }
    }

    @Test
    void drainingRefusesNewInferenceAndCloseFreesEveryModel() {
        long before = SettledAllocator.allocatedBytes();
        ModelRegistry r = registry(8);
        r.create("m", SPEC, null);
        try (TensorScope s = TensorScope.open()) {
            assertThat(r.infer("m", null, call()).modelVersion()).isEqualTo(1);
        }
        assertThat(r.arenas()).singleElement().satisfies(a -> assertThat(a.owner()).isEqualTo("model:m:1"));
        r.drain();
        assertThat(r.accepting()).isFalse();
        try (TensorScope s = TensorScope.open()) {
            assertThatThrownBy(() -> r.infer("m", null, call())).isInstanceOf(InferenceException.class)
                    .hasMessageContaining("shutting down")
                    .satisfies(e -> assertThat(((InferenceException) e).kind())
                            .isEqualTo(InferenceException.Kind.UNAVAILABLE));
        }
        r.close();
        assertThat(r.arenas()).isEmpty();
        assertThat(HostAllocator.instance().allocatedBytes()).isLessThanOrEqualTo(before);
    }

    @Test
    void weightsThatDoNotFitTheSpecAreRefusedAndNothingIsStored() {
        ModelRegistry r = registry(8);
        assertThatThrownBy(() -> r.create("m", SPEC, weights("garbage"))).isInstanceOf(InferenceException.class)
                .hasMessageContaining("not a scale file");
        assertThat(r.index()).isEmpty();
        assertThat(root.resolve("staging").toFile().list()).isEmpty();
    }
}
