package io.nabla.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nabla.backend.Device;
import io.nabla.gpu.FakeGpus;
import io.nabla.gpu.GpuPool;
import io.nabla.tensor.TensorScope;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Models placed on fake GPUs (reference kernels on host memory, accounted by the device's arena heap): the
 * {@link PlacementScenarios} the GPU suite runs on the real device, plus the spec's {@code device} field against the
 * server default and the errors for devices that do not exist here.
 */
class ModelsOnDeviceTest {

    private static final long MIB = 1 << 20;

    @TempDir
    Path root;

    private FakeGpus gpus;

    @AfterEach
    void close() {
        if (gpus != null) {
            gpus.close();
        }
    }

    @Test
    void loadUnloadCyclesReturnEveryByte() {
        gpus = FakeGpus.of(256 * MIB);
        PlacementScenarios.loadUnloadCycles(gpus.pool(), root, 200);
    }

    /**
     * A bf16 model on a GPU casts its matrix weights there at load: its arena holds fewer bytes than the FP32 model's,
     * it answers, and unloading gives every byte back.
     */
    @Test
    void aBf16ModelOnTheGpuHoldsLessAndReturnsEveryByte() {
        gpus = FakeGpus.of(256 * MIB);
        String fp32 = new String(PlacementScenarios.mlp("cuda:0", 64, 512, 10),
                java.nio.charset.StandardCharsets.UTF_8);
        String bf16 = fp32.substring(0, fp32.length() - 1) + ", \"precision\": \"bf16\"}";
        try (ModelRegistry registry = PlacementScenarios.registry(root, gpus.pool(), "cuda:0")) {
            registry.create("full", fp32.getBytes(java.nio.charset.StandardCharsets.UTF_8), null);
            registry.create("half", bf16.getBytes(java.nio.charset.StandardCharsets.UTF_8), null);
            long start = PlacementScenarios.allocated(gpus.pool());
            long[] held = new long[2];
            String[] names = {"full", "half"};
            for (int k = 0; k < 2; k++) {
                registry.load(names[k]);
                held[k] = gpus.pool().gpu(0).arenas().get(0).stats().allocated();
                try (TensorScope s = TensorScope.open()) {
                    assertThat(registry.infer(names[k], null, PlacementScenarios.call(2, 64, 1)).outputs().get(0)
                            .shape()).containsExactly(2, 10);
                }
                registry.unload(names[k]);
                assertThat(gpus.pool().gpu(0).arenas()).isEmpty();
                assertThat(PlacementScenarios.allocated(gpus.pool())).isEqualTo(start);
            }
            assertThat(held[1]).as("bf16 model bytes against fp32's %d", held[0]).isLessThan(held[0] * 11 / 20);
        }
    }

    @Test
    void tooLargeLoadsAreRefusedWith507AndInferenceGoesOn() {
        gpus = FakeGpus.of(256 * MIB);
        PlacementScenarios.tooLargeLoadsAreRefusedAndInferenceGoesOn(gpus.pool(), root, 1000);
    }

    @Test
    void theServerDefaultPlacesModelsWhoseSpecNamesNoDevice() {
        gpus = FakeGpus.of(256 * MIB);
        assertThat(PlacementScenarios.deviceOfDefault(gpus.pool(), root.resolve("a"), "auto"))
                .isEqualTo(Device.cuda(0));
        assertThat(PlacementScenarios.deviceOfDefault(gpus.pool(), root.resolve("c"), "cpu")).isEqualTo(Device.CPU);
        assertThat(PlacementScenarios.deviceOfDefault(GpuPool.empty(), root.resolve("e"), "auto"))
                .isEqualTo(Device.CPU);
    }

    @Test
    void theSpecsDeviceWinsOverTheServerDefault() {
        gpus = FakeGpus.of(256 * MIB);
        try (ModelRegistry registry = PlacementScenarios.registry(root, gpus.pool(), "cuda:0")) {
            registry.create("oncpu", PlacementScenarios.mlp("cpu", 4, 8, 2), null);
            registry.load("oncpu");
            assertThat(gpus.pool().gpu(0).arenas()).isEmpty();
            assertThat(registry.arenas()).extracting(ModelArena::owner).containsExactly("model:oncpu:1");
            try (TensorScope s = TensorScope.open()) {
                assertThat(registry.infer("oncpu", null, PlacementScenarios.call(1, 4, 0)).outputs()).hasSize(1);
            }
        }
    }

    @Test
    void aDeviceThatDoesNotExistHereIsA400NamingItAndAMalformedOneIsRefusedAtCreation() {
        gpus = FakeGpus.of(256 * MIB);
        try (ModelRegistry registry = PlacementScenarios.registry(root, gpus.pool(), "auto")) {
            assertThatThrownBy(() -> registry.create("far", PlacementScenarios.mlp("cuda:3", 4, 8, 2), null))
                    .isInstanceOfSatisfying(InferenceException.class,
                            e -> assertThat(e.kind()).isEqualTo(InferenceException.Kind.INVALID))
                    .hasMessage("device: there is no cuda:3 on this server; expected one of \"auto\", \"cpu\", "
                            + "\"cuda\", \"cuda:0\", got \"cuda:3\"");
            assertThat(registry.index()).as("nothing stored").isEmpty();
            // a version stored without the upload's check (a job's result, or one stored before the GPU left)
            registry.create("far", PlacementScenarios.mlp("cuda:3", 4, 8, 2), null, "job:test", null);
            assertThatThrownBy(() -> registry.load("far")).isInstanceOfSatisfying(InferenceException.class,
                    e -> assertThat(e.kind()).isEqualTo(InferenceException.Kind.INVALID))
                    .hasMessage("model 'far' version 1 asks for device cuda:3 (its spec's device), which this server "
                            + "does not have; available: cpu, cuda:0");
            assertThatThrownBy(() -> registry.create("bad", PlacementScenarios.mlp("gpu0", 4, 8, 2), null))
                    .isInstanceOfSatisfying(InferenceException.class,
                            e -> assertThat(e.kind()).isEqualTo(InferenceException.Kind.INVALID))
                    .hasMessageContaining("device: expected \"auto\", \"cpu\", \"cuda\" or \"cuda:N\", got \"gpu0\"");
        }
        try (ModelRegistry registry = PlacementScenarios.registry(root.resolve("none"), GpuPool.empty(), "auto")) {
            assertThatThrownBy(() -> registry.create("gpu", PlacementScenarios.mlp("cuda", 4, 8, 2), null))
                    .isInstanceOfSatisfying(InferenceException.class,
                            e -> assertThat(e.kind()).isEqualTo(InferenceException.Kind.INVALID))
                    .hasMessage("device: no CUDA device is available on this server; expected \"auto\" or \"cpu\", "
                            + "got \"cuda\"");
            registry.create("gpu", PlacementScenarios.mlp("cuda", 4, 8, 2), null, "job:test", null);
            assertThatThrownBy(() -> registry.load("gpu")).isInstanceOfSatisfying(InferenceException.class,
                    e -> assertThat(e.kind()).isEqualTo(InferenceException.Kind.INVALID))
                    .hasMessageContaining("asks for device cuda").hasMessageContaining("available: cpu");
        }
    }
}
