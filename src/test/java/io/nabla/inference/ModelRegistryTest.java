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

    private static int served(ModelRegistry r, String name) {
        try (TensorScope s = TensorScope.open()) {
            return r.infer(name, null, call()).modelVersion();
        }
    }

    private static RepositoryEntry entry(ModelRegistry r, String name, int version) {
        return r.index().stream().filter(e -> e.name().equals(name) && e.version().equals(Integer.toString(version)))
                .findFirst().orElseThrow();
    }

    @Test
    void aRequestWithoutAVersionRightAfterAnUploadIsAnsweredByTheNewVersion() {
        ModelRegistry r = registry(8);
        r.create("m", SPEC, weights("scale=1"));
        assertThat(served(r, "m")).isEqualTo(1);
        assertThat(r.readyVersion("m", null)).isEqualTo(1);
        for (int v = 2; v <= 4; v++) {
            // the new version takes a while to load; the old one is ready the whole time, yet must not answer
            r.create("m", SPEC, weights("scale=" + v + ";slow=200"));
            assertThat(r.readyVersion("m", null)).as("the newest is not loaded yet").isNull();
            assertThat(served(r, "m")).as("the request right after version %d's upload", v).isEqualTo(v);
            assertThat(r.readyVersion("m", null)).isEqualTo(v);
            assertThat(entry(r, "m", v - 1).state()).as("the previous version is retired").isEqualTo("UNAVAILABLE");
        }
    }

    @Test
    void whenTheNewestVersionFailsToLoadTheNewestReadyVersionAnswersAndTheIndexSaysWhy() {
        ModelRegistry r = registry(8);
        r.create("m", SPEC, weights("scale=1"));
        r.create("m", SPEC, weights("scale=2"));
        assertThat(served(r, "m")).isEqualTo(2);
        r.create("m", SPEC, weights("scale=3;fail"));
        assertThat(served(r, "m")).as("the waiting request falls back").isEqualTo(2);
        assertThat(entry(r, "m", 3).state()).isEqualTo("UNAVAILABLE");
        assertThat(entry(r, "m", 3).reason()).contains("failed to load", "corrupted");
        assertThat(r.readyVersion("m", null)).isEqualTo(2);
        assertThat(served(r, "m")).as("nothing waits on the failed version again").isEqualTo(2);
        assertThatThrownBy(() -> r.load("m")).isInstanceOf(InferenceException.class)
                .hasMessageContaining("failed to load");

        r.create("m", SPEC, weights("scale=4"));
        assertThat(served(r, "m")).as("a newer upload is loaded and answers").isEqualTo(4);
    }

    @Test
    void withNoVersionReadyAFailingNewestVersionIsReported() {
        ModelRegistry r = registry(8);
        r.create("m", SPEC, weights("scale=1;fail"));
        assertThatThrownBy(() -> served(r, "m")).isInstanceOf(InferenceException.class)
                .hasMessageContaining("failed to load");
        assertThat(r.readyVersion("m", null)).isNull();
    }

    @Test
    void anUploadAskingForADeviceThisServerDoesNotHaveIsRefusedAndNothingIsStored() {
        ModelRegistry r = registry(8);
        r.create("m", SPEC, weights("scale=1"));
        for (String device : List.of("cuda", "cuda:0")) {
            byte[] spec = new String(SPEC, StandardCharsets.UTF_8).replace("\"layers\"", "\"device\": \"" + device
                    + "\", \"layers\"").getBytes(StandardCharsets.UTF_8);
            assertThatThrownBy(() -> r.create("m", spec, weights("scale=2")))
                    .isInstanceOf(InferenceException.class)
                    .hasMessage("device: no CUDA device is available on this server; expected \"auto\" or \"cpu\", "
                            + "got \"" + device + "\"")
                    .satisfies(e -> assertThat(((InferenceException) e).kind())
                            .isEqualTo(InferenceException.Kind.INVALID));
        }
        assertThat(r.index()).extracting(RepositoryEntry::version).containsExactly("1");
        assertThat(served(r, "m")).isEqualTo(1);
        byte[] cpu = new String(SPEC, StandardCharsets.UTF_8).replace("\"layers\"", "\"device\": \"cpu\", \"layers\"")
                .getBytes(StandardCharsets.UTF_8);
        assertThat(r.create("m", cpu, weights("scale=2")).version()).isEqualTo(2);
    }

    /** Loads through {@link ScaleModelLoader}; the first build waits for {@link #open} before it reads the weights. */
    private static final class GatedLoader implements ModelLoader {

        final ScaleModelLoader scale = new ScaleModelLoader();
        final java.util.concurrent.CountDownLatch building = new java.util.concurrent.CountDownLatch(1);
        final java.util.concurrent.CountDownLatch open = new java.util.concurrent.CountDownLatch(1);
        final java.util.concurrent.atomic.AtomicBoolean first = new java.util.concurrent.atomic.AtomicBoolean(true);

        @Override
        public ModelSignature signature(byte[] specJson) {
            return scale.signature(specJson);
        }

        @Override
        public void checkWeights(byte[] specJson, Path weights) {
            scale.checkWeights(specJson, weights);
        }

        @Override
        public void writeInitialWeights(byte[] specJson, Path target) {
            scale.writeInitialWeights(specJson, target);
        }

        @Override
        public ModelProgram build(byte[] specJson, Path weights) {
            if (first.getAndSet(false)) {
                building.countDown();
                try {
                    open.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return scale.build(specJson, weights);
        }
    }

    @Test
    void aVersionDeletedWhileItLoadsIsA404NotAServerErrorAndARequestWithoutAVersionGetsTheNewestLeft()
            throws Exception {
        for (boolean named : new boolean[] {true, false}) {
            Path dir = root.resolve(named ? "named" : "newest");
            ModelStore store = new ModelStore(dir);
            GatedLoader loader = new GatedLoader();
            try (ModelRegistry r = new ModelRegistry(store, loader, new NablaProperties.Batching(1, Duration.ZERO, 8),
                    new InferenceMetrics(new SimpleMeterRegistry()))) {
                r.create("m", SPEC, weights("scale=1"));
                r.create("m", SPEC, weights("scale=2"));
                CompletableFuture<Integer> request = CompletableFuture.supplyAsync(() -> {
                    try (TensorScope s = TensorScope.open()) {
                        return r.infer("m", named ? 2 : null, call()).modelVersion();
                    }
                });
                assertThat(loader.building.await(10, TimeUnit.SECONDS)).isTrue();
                store.delete("m", 2); // the files go while version 2 loads (DELETE racing the first request)
                loader.open.countDown();
                if (named) {
                    assertThatThrownBy(() -> request.get(10, TimeUnit.SECONDS)).cause()
                            .isInstanceOf(InferenceException.class).hasMessage("model 'm' has no version 2; it has [1]")
                            .extracting(e -> ((InferenceException) e).kind())
                            .isEqualTo(InferenceException.Kind.NOT_FOUND);
                } else {
                    assertThat(request.get(10, TimeUnit.SECONDS)).as("the newest version left answers").isEqualTo(1);
                }
            }
        }
    }

    private static int servedVersion(ModelRegistry r, String name, Integer version) {
        try (TensorScope s = TensorScope.open()) {
            return r.infer(name, version, call()).modelVersion();
        }
    }

    private static List<String> ready(ModelRegistry r, String name) {
        return r.index().stream().filter(e -> e.name().equals(name) && e.state().equals("READY"))
                .map(RepositoryEntry::version).toList();
    }

    @Test
    void atMostTheConfiguredNumberOfVersionsStayLoadedTheLeastRecentlyUsedGoingFirstNeverTheServingOne() {
        try (ModelRegistry r = new ModelRegistry(new ModelStore(root.resolve("capped")), new ScaleModelLoader(),
                new NablaProperties.Batching(1, Duration.ZERO, 8), new InferenceMetrics(new SimpleMeterRegistry()),
                ModelPlacement.cpuOnly(), 2)) {
            for (int v = 1; v <= 5; v++) {
                r.create("m", SPEC, weights("scale=" + v));
            }
            assertThat(servedVersion(r, "m", 1)).isEqualTo(1);
            assertThat(servedVersion(r, "m", 2)).isEqualTo(2);
            assertThat(servedVersion(r, "m", 1)).isEqualTo(1); // 2 is now the least recently used
            assertThat(servedVersion(r, "m", 3)).isEqualTo(3);
            assertThat(ready(r, "m")).containsExactly("1", "3");
            assertThat(entry(r, "m", 2).reason()).isEqualTo("unloaded");
            assertThat(servedVersion(r, "m", null)).as("the newest serves").isEqualTo(5);
            assertThat(ready(r, "m")).containsExactly("3", "5");
            assertThat(servedVersion(r, "m", 4)).isEqualTo(4);
            assertThat(ready(r, "m")).as("the serving version stays").containsExactly("4", "5");
            for (int round = 0; round < 3; round++) {
                for (int v = 1; v <= 5; v++) {
                    assertThat(servedVersion(r, "m", v)).isEqualTo(v);
                    assertThat(ready(r, "m")).hasSizeLessThanOrEqualTo(2).contains("5");
                }
            }
        }
    }

    @Test
    void aLoadByVersionNumberThatWouldPassTheCapWithNothingToUnloadIsA503WithRetryAfter() {
        try (ModelRegistry r = new ModelRegistry(new ModelStore(root.resolve("one")), new ScaleModelLoader(),
                new NablaProperties.Batching(1, Duration.ZERO, 8), new InferenceMetrics(new SimpleMeterRegistry()),
                ModelPlacement.cpuOnly(), 1)) {
            r.create("m", SPEC, weights("scale=1"));
            r.create("m", SPEC, weights("scale=2"));
            assertThat(servedVersion(r, "m", null)).isEqualTo(2);
            assertThatThrownBy(() -> servedVersion(r, "m", 1)).isInstanceOf(InferenceException.class)
                    .hasMessage("model 'm' has 1 version loaded or loading, the most it may hold"
                            + " (nabla.models.max-loaded-versions = 1), and too few of them can be unloaded yet; retry")
                    .satisfies(e -> {
                        assertThat(((InferenceException) e).kind()).isEqualTo(InferenceException.Kind.UNAVAILABLE);
                        assertThat(((InferenceException) e).retryAfter()).isEqualTo(Duration.ofSeconds(1));
                    });
            assertThat(entry(r, "m", 1).reason()).isEqualTo("unloaded");
            assertThat(servedVersion(r, "m", null)).isEqualTo(2);
        }
    }

    /** The first element of the first output (FP32, little-endian as the wire format). */
    private static double first(InferenceResult result) {
        return java.nio.ByteBuffer.wrap(result.outputs().get(0).data()).order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .getFloat(0);
    }

    private static double firstOutput(ModelRegistry r, String name) {
        try (TensorScope s = TensorScope.open()) {
            return first(r.infer(name, null, call()));
        }
    }

    @Test
    void aNewVersionNeverInheritsWhatAnEarlierModelOfTheSameNameLeftInMemoryUnderTheSameNumber() {
        ModelStore store = new ModelStore(root.resolve("reborn"));
        try (ModelRegistry r = new ModelRegistry(store, new ScaleModelLoader(),
                new NablaProperties.Batching(1, Duration.ZERO, 8), new InferenceMetrics(new SimpleMeterRegistry()))) {
            r.create("m", SPEC, weights("scale=10"));
            r.create("m", SPEC, weights("scale=20"));
            assertThat(servedVersion(r, "m", 1)).isEqualTo(1); // version 1 loaded
            store.delete("m", 2); // version 2's files go behind the registry's back: its load fails
            assertThatThrownBy(() -> servedVersion(r, "m", 2)).isInstanceOf(InferenceException.class);
            // what a request racing DELETE /v2/repository/models/m can leave: the model deleted, slots behind
            store.delete("m");
            r.create("m", SPEC, weights("scale=3"));
            r.create("m", SPEC, weights("scale=4"));
            assertThat(servedVersion(r, "m", null)).as("the new version 2, not a fallback").isEqualTo(2);
            assertThat(firstOutput(r, "m")).as("the new weights").isEqualTo(4.0);
            assertThat(servedVersion(r, "m", 1)).isEqualTo(1);
            try (TensorScope s = TensorScope.open()) {
                assertThat(first(r.infer("m", 1, call())))
                        .as("the new version 1, not the old one still in memory").isEqualTo(3.0);
            }
        }
    }
}
