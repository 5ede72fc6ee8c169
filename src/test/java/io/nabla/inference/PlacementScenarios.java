package io.nabla.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nabla.backend.DType;
import io.nabla.backend.Device;
import io.nabla.config.NablaProperties;
import io.nabla.gpu.GpuDevice;
import io.nabla.gpu.GpuPool;
import io.nabla.gpu.MemoryArena;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Service-level scenarios of models on a GPU, built by hand (no Spring), over any {@link GpuPool} whose
 * {@code cuda:0} has a registered backend: fake GPUs on the CPU ({@code ModelsOnDeviceTest}) and the real device in
 * the GPU suite ({@code GpuServiceAcceptanceTest}). Every scenario checks that the device's allocator is back where it
 * started and no arena is left open.
 */
public final class PlacementScenarios {

    private static final long MIB = 1 << 20;

    private PlacementScenarios() {
    }

    /** A two-layer MLP spec; {@code device} null leaves the field out. */
    public static byte[] mlp(String device, int in, int hidden, int out) {
        return ("{\"inputs\": [{\"name\": \"input\", \"datatype\": \"FP32\", \"shape\": [-1, " + in + "]}],"
                + " \"outputs\": [{\"name\": \"logits\", \"datatype\": \"FP32\", \"shape\": [-1, " + out + "]}],"
                + " \"layers\": [{\"type\": \"Linear\", \"in_features\": " + in + ", \"out_features\": " + hidden
                + "}, {\"type\": \"ReLU\"}, {\"type\": \"Linear\", \"in_features\": " + hidden + ", \"out_features\": "
                + out + "}]" + (device == null ? "" : ", \"device\": \"" + device + "\"") + "}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** A registry over a store in {@code root} that places models with {@code pool} and {@code defaultDevice}. */
    public static ModelRegistry registry(Path root, GpuPool pool, String defaultDevice) {
        return new ModelRegistry(new ModelStore(root), new SequentialModelLoader(),
                new NablaProperties.Batching(8, Duration.ZERO, 256), new InferenceMetrics(new SimpleMeterRegistry()),
                new ModelPlacement(pool, defaultDevice));
    }

    /** One call with {@code rows} rows of {@code in} features, values from {@code seed}. */
    public static InferenceCall call(int rows, int in, int seed) {
        float[] v = new float[rows * in];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) Math.sin(seed * 31 + i * 0.37);
        }
        Tensor t = Tensor.of(v, rows, in);
        return new InferenceCall(List.of(new InputTensor("input", DType.FP32, t.shape(), t)), List.of());
    }

    /** Bytes the caching allocator of {@code cuda:0} has handed out. */
    public static long allocated(GpuPool pool) {
        return pool.gpu(0).allocator().stats().allocated();
    }

    /** (a) {@code cycles} loads and unloads of a model on cuda:0 give the allocator back every byte each time. */
    public static void loadUnloadCycles(GpuPool pool, Path root, int cycles) {
        try (ModelRegistry registry = registry(root, pool, "cuda:0")) {
            registry.create("cycled", mlp(null, 64, 128, 10), null);
            long start = allocated(pool);
            GpuDevice gpu = pool.gpu(0);
            for (int i = 0; i < cycles; i++) {
                registry.load("cycled");
                List<MemoryArena> arenas = gpu.arenas();
                assertThat(arenas).as("arenas while loaded, cycle %d", i).hasSize(1);
                assertThat(arenas.get(0).owner()).isEqualTo("model:cycled:1");
                assertThat(arenas.get(0).stats().allocated()).as("model bytes in its arena").isPositive();
                assertThat(registry.arenas()).as("a GPU model is not listed with the cpu").isEmpty();
                if (i % 20 == 0) {
                    try (TensorScope s = TensorScope.open()) {
                        InferenceResult r = registry.infer("cycled", null, call(3, 64, i));
                        assertThat(r.outputs().get(0).shape()).containsExactly(3, 10);
                    }
                }
                registry.unload("cycled");
                assertThat(gpu.arenas()).as("arenas after unload, cycle %d", i).isEmpty();
                assertThat(allocated(pool)).as("allocated after unload, cycle %d", i).isEqualTo(start);
            }
        }
    }

    /**
     * (b) A load over the arena limit and a load the device cannot hold are refused with the error the web layer maps
     * to 507 (with the figures), nothing stays allocated, and then {@code calls} inference calls on a loaded model
     * succeed with the same answer each time.
     */
    public static void tooLargeLoadsAreRefusedAndInferenceGoesOn(GpuPool pool, Path root, int calls) {
        long start = allocated(pool);
        GpuPool limited = new GpuPool(pool.gpus(), pool.health(), 8 * MIB);
        try (ModelRegistry registry = registry(root.resolve("limited"), limited, "cuda:0")) {
            registry.create("big", mlp(null, 1024, 4096, 16), null); // about 17 MB of parameters
            assertThatThrownBy(() -> registry.load("big")).isInstanceOfSatisfying(InferenceException.class,
                    e -> assertThat(e.kind()).isEqualTo(InferenceException.Kind.OUT_OF_MEMORY))
                    .hasMessageContaining("model:big:1").hasMessageContaining("arena limit")
                    .hasMessageContaining("needs");
        }
        assertThat(pool.gpu(0).arenas()).isEmpty();
        assertThat(allocated(pool)).isEqualTo(start);

        try (ModelRegistry registry = registry(root.resolve("full"), pool, "auto")) {
            registry.create("mid", mlp("cuda:0", 2048, 8192, 16), null); // about 67 MB
            registry.create("auto", mlp(null, 2048, 8192, 16), null);
            GpuDevice gpu = pool.gpu(0);
            gpu.allocator().emptyCache();
            long hog = gpu.heap().allocate(gpu.memory().free() - 32 * MIB, 0); // leaves about 32 MiB
            try {
                assertThatThrownBy(() -> registry.load("mid")).isInstanceOfSatisfying(InferenceException.class,
                        e -> assertThat(e.kind()).isEqualTo(InferenceException.Kind.OUT_OF_MEMORY))
                        .hasMessageContaining("cannot admit model:mid:1 on cuda:0").hasMessageContaining("free");
                registry.load("auto"); // auto falls back to the cpu when no GPU admits the model
                assertThat(gpu.arenas()).isEmpty();
                registry.unload("auto");
            } finally {
                gpu.heap().free(hog);
                gpu.allocator().emptyCache();
            }
            assertThat(allocated(pool)).isEqualTo(start);
        }

        try (ModelRegistry registry = registry(root.resolve("served"), pool, "cuda:0")) {
            registry.create("served", mlp(null, 32, 64, 8), null);
            registry.load("served");
            byte[] first = null;
            for (int i = 0; i < calls; i++) {
                try (TensorScope s = TensorScope.open()) {
                    InferenceResult r = registry.infer("served", null, call(2, 32, 7));
                    byte[] data = r.outputs().get(0).data();
                    if (first == null) {
                        first = data;
                    }
                    assertThat(data).as("call %d", i).isEqualTo(first);
                }
            }
            assertThat(pool.gpu(0).arenas()).extracting(MemoryArena::owner).containsExactly("model:served:1");
            registry.unload("served");
        }
        assertThat(pool.gpu(0).arenas()).isEmpty();
        assertThat(allocated(pool)).isEqualTo(start);
    }

    /** The device a model whose spec names none takes with the server default {@code defaultDevice}. */
    public static Device deviceOfDefault(GpuPool pool, Path root, String defaultDevice) {
        try (ModelRegistry registry = registry(root, pool, defaultDevice)) {
            registry.create("d", mlp(null, 4, 8, 2), null);
            registry.load("d");
            Device d = pool.gpus().isEmpty() || pool.gpu(0).arenas().isEmpty() ? Device.CPU : Device.cuda(0);
            registry.unload("d");
            return d;
        }
    }
}
