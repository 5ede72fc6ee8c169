package io.nabla.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nabla.backend.DType;
import io.nabla.backend.HostAllocator;
import io.nabla.backend.OutOfDeviceMemoryException;
import io.nabla.backend.SettledAllocator;
import io.nabla.nn.Generator;
import io.nabla.nn.Loss;
import io.nabla.nn.Sequential;
import io.nabla.optim.Sgd;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Accumulating gradients over k batches ({@link Trainer#step(List, List, int)}) takes one optimizer step equal to the
 * step on their concatenation (equal batches, a mean loss, no batch statistics), and holds one batch's activations at
 * a time: under a host memory cap that one batch fits and k at once do not, k accumulated batches still train.
 */
class GradientAccumulationTest {

    private static final String SPEC = """
            {"inputs": [{"name": "x", "datatype": "FP32", "shape": [-1, 64]}],
             "outputs": [{"name": "y", "datatype": "FP32", "shape": [-1, 4]}],
             "layers": [{"type": "Linear", "in_features": 64, "out_features": 2048}, {"type": "Tanh"},
                        {"type": "Linear", "in_features": 2048, "out_features": 2048}, {"type": "GELU"},
                        {"type": "Linear", "in_features": 2048, "out_features": 4}], "seed": 3}""";

    private static List<Tensor> split(Tensor t, int k) {
        List<Tensor> out = new ArrayList<>();
        int n = t.size(0) / k;
        for (int i = 0; i < k; i++) {
            out.add(io.nabla.autograd.ShapeOps.narrow(t, 0, i * n, n));
        }
        return out;
    }

    private static Tensor randn(Generator g, int rows, int cols) {
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) g.normalDouble(0, 1);
        }
        return Tensor.of(v, rows, cols);
    }

    @Test
    void accumulatedBatchesStepAsTheirConcatenation() {
        try (TensorScope scope = TensorScope.open()) {
            Generator g = new Generator(7);
            Tensor x = randn(g, 32, 64);
            Tensor y = randn(g, 32, 4);
            Sequential a = ModelBuilder.build(ModelSpec.parse(SPEC));
            Sequential b = ModelBuilder.build(ModelSpec.parse(SPEC));
            Trainer whole = new Trainer(a, Loss.MSE, new Sgd(a.parameters(), new Sgd.Options(0.1, 0.9, 0, 0, false,
                    false)));
            Trainer parts = new Trainer(b, Loss.MSE, new Sgd(b.parameters(), new Sgd.Options(0.1, 0.9, 0, 0, false,
                    false)));
            for (int step = 0; step < 3; step++) {
                double l = whole.step(x, y);
                double m = parts.step(split(x, 4), split(y, 4), 4);
                assertThat(m).as("the mean of the parts' losses").isCloseTo(l, org.assertj.core.data.Offset.offset(
                        1e-6 * Math.abs(l)));
            }
            a.stateDict().forEach((k, v) -> {
                double[] p = v.toDoubleArray();
                double[] q = b.stateDict().get(k).toDoubleArray();
                for (int i = 0; i < p.length; i++) {
                    assertThat(Math.abs(p[i] - q[i])).as("%s[%d]", k, i).isLessThanOrEqualTo(1e-6 + 1e-5 * Math.abs(p[i]));
                }
            });
        }
    }

    @Test
    void onlyOneBatchsActivationsAreHeldAtOnce() {
        HostAllocator host = HostAllocator.instance();
        try (TensorScope scope = TensorScope.open()) {
            Generator g = new Generator(8);
            int k = 8;
            Tensor x = randn(g, 512 * k, 64);
            Tensor y = randn(g, 512 * k, 4);
            Sequential model = ModelBuilder.build(ModelSpec.parse(SPEC));
            Trainer t = new Trainer(model, Loss.MSE, new Sgd(model.parameters(), new Sgd.Options(0.01, 0, 0, 0, false,
                    false)));
            t.step(split(x, k).get(0), split(y, k).get(0)); // gradients allocated once, as every later step has them
            long held = SettledAllocator.allocatedBytes();
            // a step needs fresh gradients and their transients (about 3 x 17 MiB) besides the activations: one batch
            // of 512 rows keeps about 4 of 512 x 2048 floats (16 MiB), 8 batches at once 128 MiB
            long previous = host.limit(held + (100L << 20));
            try {
                assertThatThrownBy(() -> t.step(x, y)).as("the whole batch at once does not fit")
                        .isInstanceOf(OutOfDeviceMemoryException.class);
                double loss = t.step(split(x, k), split(y, k), k);
                assertThat(loss).isFinite();
                assertThat(t.steps()).isEqualTo(2);
            } finally {
                host.limit(previous);
            }
        }
    }

    @Test
    void refusesMismatchedOrEmptyBatchLists() {
        try (TensorScope scope = TensorScope.open()) {
            Sequential model = ModelBuilder.build(ModelSpec.parse(SPEC));
            Trainer t = new Trainer(model, Loss.MSE, new Sgd(model.parameters(), new Sgd.Options(0.01, 0, 0, 0, false,
                    false)));
            Tensor x = Tensor.zeros(DType.FP32, 2, 64);
            assertThatThrownBy(() -> t.step(List.of(x), Collections.emptyList(), 1))
                    .hasMessage("expected as many targets as inputs, at least one, got 1 inputs and 0 targets");
            assertThatThrownBy(() -> t.step(List.of(x), List.of(Tensor.zeros(DType.FP32, 2, 4)), 0))
                    .hasMessage("divisor: expected a positive integer, got 0");
        }
    }
}
