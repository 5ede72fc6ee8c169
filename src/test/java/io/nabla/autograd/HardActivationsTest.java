package io.nabla.autograd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.nabla.backend.DType;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * hardtanh, relu6, hardsigmoid and hardswish (and selu, celu, logsigmoid, softsign, tanhshrink, threshold, hardshrink
 * and softshrink) against PyTorch 1.13 (src/test/resources/init/hard_ops.json, written by
 * gen_hard_ops.py, PyTorch's vectorised loops) on inputs on their kinks, beside them and NaN: values, and input
 * gradients where each picks a side (hardtanh and hardsigmoid pass nothing at their bounds nor for NaN; hardswish uses
 * its middle slope at -3, its right one at 3, and gives NaN for NaN), and finite differences away from the kinks.
 */
class HardActivationsTest {

    private static final Map<String, Function<Tensor, Tensor>> OPS = Map.ofEntries(
            Map.entry("hardtanh", x -> ActivationOps.hardtanh(x, -1, 1)),
            Map.entry("hardtanh_-0.5_0.25", x -> ActivationOps.hardtanh(x, -0.5, 0.25)),
            Map.entry("relu6", ActivationOps::relu6),
            Map.entry("hardsigmoid", ActivationOps::hardsigmoid),
            Map.entry("hardswish", ActivationOps::hardswish),
            Map.entry("selu", ActivationOps::selu),
            Map.entry("celu_0.7", x -> ActivationOps.celu(x, 0.7)),
            Map.entry("logsigmoid", ActivationOps::logSigmoid),
            Map.entry("softsign", ActivationOps::softsign),
            Map.entry("tanhshrink", ActivationOps::tanhshrink),
            Map.entry("threshold_0.5_-0.75", x -> ActivationOps.threshold(x, 0.5, -0.75)),
            Map.entry("hardshrink", x -> ActivationOps.hardshrink(x, 0.5)),
            Map.entry("softshrink_0.25", x -> ActivationOps.softshrink(x, 0.25)));

    private static double[] values(JsonNode a) {
        double[] v = new double[a.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = a.get(i).isNull() ? Double.NaN : a.get(i).asDouble();
        }
        return v;
    }

    @Test
    void valuesAndGradientsMatchPyTorchOnTheKinks() throws IOException {
        JsonNode root;
        try (InputStream in = HardActivationsTest.class.getResourceAsStream("/init/hard_ops.json")) {
            root = JsonMapper.builder().build().readTree(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        double[] x = values(root.get("input"));
        double[] up = values(root.get("upstream"));
        for (Map.Entry<String, Function<Tensor, Tensor>> op : OPS.entrySet()) {
            JsonNode want = root.get("ops").get(op.getKey());
            try (TensorScope scope = TensorScope.open()) {
                Tensor leaf = Tensor.of(x, DType.FP32, x.length).requiresGrad(true);
                Tensor y = op.getValue().apply(leaf);
                Autograd.backward(y, Tensor.of(up, DType.FP32, up.length));
                double[] out = y.toDoubleArray();
                double[] grad = leaf.grad().toDoubleArray();
                double[] wantOut = values(want.get("output"));
                double[] wantGrad = values(want.get("grad"));
                for (int i = 0; i < x.length; i++) {
                    String what = op.getKey() + "(" + x[i] + ")";
                    if (Double.isNaN(wantOut[i])) {
                        assertThat(out[i]).as(what).isNaN();
                    } else {
                        assertThat(out[i]).as(what).isCloseTo(wantOut[i], within(1e-6 * Math.max(1, Math.abs(wantOut[i]))));
                    }
                    if (Double.isNaN(wantGrad[i])) {
                        assertThat(grad[i]).as(what + "'").isNaN();
                    } else {
                        assertThat(grad[i]).as(what + "'").isCloseTo(wantGrad[i], within(1e-6));
                    }
                }
            }
        }
    }

    @Test
    void gradientsMatchFiniteDifferencesAwayFromTheKinks() {
        java.util.Random rnd = new java.util.Random(7);
        for (Map.Entry<String, Function<Tensor, Tensor>> op : OPS.entrySet()) {
            double[] v = new double[24];
            for (int i = 0; i < v.length; i++) {
                double a;
                do {
                    a = rnd.nextGaussian() * 4;
                } while (nearAKink(a));
                v[i] = a;
            }
            GradCheck.check(op.getKey(), t -> op.getValue().apply(t[0]),
                    Tensor.of(v, DType.FP64, 4, 6).requiresGrad(true));
        }
    }

    private static boolean nearAKink(double a) {
        for (double k : new double[] {-3, -1, -0.5, 0, 0.25, 1, 3, 6}) {
            if (Math.abs(a - k) < 1e-3) {
                return true;
            }
        }
        return false;
    }
}
