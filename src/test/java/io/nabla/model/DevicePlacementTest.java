package io.nabla.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nabla.backend.Device;
import io.nabla.gpu.FakeGpus;
import io.nabla.gpu.MemoryArena;
import io.nabla.nn.BatchNorm;
import io.nabla.nn.Generator;
import io.nabla.nn.Linear;
import io.nabla.nn.Module;
import io.nabla.nn.Parameter;
import io.nabla.nn.Sequential;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Placing modules on a device without a GPU: moving to the cpu changes nothing, unknown devices fail by name, and
 * on fake GPUs (reference kernels on host memory, accounted by the device's arena heap) parameters and buffers move,
 * stay leaves, are charged to the arena current while moving, and the golden training runs reproduce PyTorch.
 */
class DevicePlacementTest {

    private static final long MIB = 1 << 20;

    @Test
    void movingToTheCpuKeepsEveryTensor() {
        try (TensorScope s = TensorScope.open()) {
            Sequential m = new Sequential(List.of(new Linear(3, 2, true, new Generator(0)),
                    new BatchNorm(1, 2, 1e-5, 0.1)));
            Map<String, Tensor> before = m.stateDict();
            List<Tensor> params = m.parameters();
            assertThat(m.to(Device.CPU)).isSameAs(m);
            assertThat(m.parameters()).containsExactlyElementsOf(params);
            assertThat(m.device()).isEqualTo(Device.CPU);
            m.stateDict().forEach((k, v) -> assertThat(v.storage()).as(k).isSameAs(before.get(k).storage()));
        }
    }

    @Test
    void anUnknownDeviceOrNullIsANamedError() {
        try (TensorScope s = TensorScope.open()) {
            Module m = new Linear(3, 2, true, new Generator(0));
            assertThatThrownBy(() -> m.to(Device.cuda(7))).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("cuda:7");
            assertThatThrownBy(() -> m.to(null)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("null");
            ModelSpec spec = ModelSpec.parse("{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[-1,3]}],"
                    + "\"outputs\":[{\"name\":\"y\",\"datatype\":\"FP32\",\"shape\":[-1,2]}],"
                    + "\"layers\":[{\"type\":\"Linear\",\"in_features\":3,\"out_features\":2}]}");
            assertThatThrownBy(() -> ModelBuilder.build(spec, new Generator(0), 1000, null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("device");
        }
    }

    @Test
    void theSpecsDeviceFieldIsOptionalAndChecked() {
        String base = "{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",\"shape\":[-1,3]}],"
                + "\"outputs\":[{\"name\":\"y\",\"datatype\":\"FP32\",\"shape\":[-1,3]}],\"layers\":[{\"type\":\"ReLU\"}]";
        assertThat(ModelSpec.parse(base + "}").device()).isNull();
        for (String d : List.of("auto", "cpu", "cuda", "cuda:0", "cuda:12")) {
            assertThat(ModelSpec.parse(base + ",\"device\":\"" + d + "\"}").device()).isEqualTo(d);
        }
        assertThatThrownBy(() -> ModelSpec.parse(base + ",\"device\":\"gpu\"}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("device: expected \"auto\", \"cpu\", \"cuda\" or \"cuda:N\", got \"gpu\"");
        assertThatThrownBy(() -> ModelSpec.parse(base + ",\"device\":0}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("device: expected");
    }

    @Test
    void parametersAndBuffersMoveAndAreChargedToTheCurrentArena() {
        try (FakeGpus gpus = FakeGpus.of(64 * MIB)) {
            long start = gpus.allocated(0);
            MemoryArena arena = gpus.pool().admit("model:m:1", 1 * MIB, Device.cuda(0));
            try (TensorScope s = TensorScope.open(); var in = arena.enter()) {
                BatchNorm bn = new BatchNorm(1, 4, 1e-5, 0.1);
                Sequential m = new Sequential(List.of(new Linear(3, 4, true, new Generator(0)), bn));
                Map<String, Tensor> host = m.stateDict();
                m.to(Device.cuda(0));
                assertThat(m.device()).isEqualTo(Device.cuda(0));
                m.stateDict().forEach((k, v) -> {
                    assertThat(v.device()).as(k).isEqualTo(Device.cuda(0));
                    assertThat(v.toDoubleArray()).as(k).containsExactly(host.get(k).toDoubleArray());
                });
                for (Parameter p : m.namedParameters().values()) {
                    assertThat(p.tensor().isLeaf()).isTrue();
                    assertThat(p.requiresGrad()).isTrue();
                }
                assertThat(bn.runningMean().device()).isEqualTo(Device.cuda(0));
                assertThat(arena.stats().allocated()).isPositive();
            }
            assertThat(arena.stats().allocated()).isZero();
            arena.close();
            assertThat(gpus.allocated(0)).isEqualTo(start);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"mlp_sgd", "mlp_adamw"})
    void goldenTrainingOnAFakeGpuReproducesPyTorch(String run) {
        try (FakeGpus gpus = FakeGpus.of(256 * MIB)) {
            long start = gpus.allocated(0);
            TrainingGoldenTest.reproduce(run, Device.cuda(0));
            assertThat(gpus.allocated(0)).as("device memory after the run's scope closed").isEqualTo(start);
        }
    }
}
