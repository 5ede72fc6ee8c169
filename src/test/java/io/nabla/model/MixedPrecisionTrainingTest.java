package io.nabla.model;

import static org.assertj.core.api.Assertions.assertThat;

import io.nabla.backend.DType;
import io.nabla.backend.Device;
import io.nabla.nn.Generator;
import io.nabla.nn.Loss;
import io.nabla.nn.Sequential;
import io.nabla.optim.GradScaler;
import io.nabla.optim.Optimizer;
import io.nabla.optim.OptimizerSpec;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import io.nabla.autograd.Autocast;
import io.nabla.autograd.Autograd;
import io.nabla.autograd.GradMode;
import io.nabla.autograd.ShapeOps;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Mixed-precision training ({@link Trainer#mixedPrecision}: autocast and dynamic loss scaling) against PyTorch 1.13
 * runs that spell CUDA autocast out op by op (src/test/resources/training/gen_amp.py): BF16 and FP16, SGD, Adam and
 * AdamW, BatchNorm, LayerNorm and GELU, and an FP16 run whose scaled gradients overflow, so steps are skipped, the
 * scale backs off and grows again. Each run must also differ from the same run in FP32 by more than the tolerance,
 * so the comparison cannot pass without the low precision.
 */
public class MixedPrecisionTrainingTest {

    @ParameterizedTest
    @ValueSource(strings = {"amp_bf16_mlp", "amp_fp16_norms", "amp_fp16_overflow"})
    void reproducesPyTorchsAutocastRun(String name) {
        JsonNode root = reproduce(name, Device.CPU, 1e-5);
        Run fp32 = train(root, false, Device.CPU);
        JsonNode losses = root.get("losses");
        double worstFp32 = 0;
        for (int i = 0; i < losses.size(); i++) {
            double e = losses.get(i).doubleValue();
            worstFp32 = Math.max(worstFp32, Math.abs(fp32.losses.get(i) - e) / (1e-6 + 1e-5 * Math.abs(e)));
        }
        assertThat(worstFp32).as("the FP32 run must be told apart from the %s one", name).isGreaterThan(1.0);
    }

    static Stream<Arguments> layerFixtures() {
        List<Arguments> out = new ArrayList<>();
        for (String f : LayerForwardTest.FIXTURES) {
            out.add(Arguments.of(f, DType.BF16));
            out.add(Arguments.of(f, DType.FP16));
        }
        return out.stream();
    }

    /**
     * Every layer type and argument form of the built-model fixtures (init/forward_*.json) runs forward and backward
     * under autocast: the output and every parameter gradient stay finite, gradients and running statistics keep
     * their FP32 dtype, the output and running statistics are within the low precision's reach of the FP32 run
     * (relative 2-norm error below 2^-5 for BF16, 2^-8 for FP16: a deep model loses a few bits), and so is every
     * gradient within 2^-2. Gradients of parameters that feed a normalisation are differences of nearly equal
     * terms (a bias before batch norm has gradient 0, FP32 gives rounding noise), so low precision leaves them
     * several percent off, as in PyTorch; gradients below 1e-4 of the largest are not compared.
     */
    @ParameterizedTest
    @MethodSource("layerFixtures")
    void everyLayerTypeRunsUnderAutocastNearItsFp32Values(String name, DType low) {
        JsonNode root = JsonMapper.builder().build().readTree(GoldenModels.text("/init/forward_" + name + ".json"));
        double bound = low == DType.BF16 ? 0x1p-5 : 0x1p-8;
        try (TensorScope scope = TensorScope.open()) {
            Map<String, double[]> fp32 = new LinkedHashMap<>();
            Map<String, double[]> amp = new LinkedHashMap<>();
            for (boolean mixed : new boolean[] {false, true}) {
                Map<String, double[]> into = mixed ? amp : fp32;
                Sequential model = ModelBuilder.build(ModelSpec.parse(root.get("spec")));
                model.train();
                Tensor x = LayerForwardTest.tensor(root.get("input"));
                Tensor out;
                try (GradMode.Region g = GradMode.enable();
                     Autocast.Region a = mixed ? Autocast.enable(low) : null) {
                    out = model.forward(x);
                }
                Tensor wide = ShapeOps.to(out, DType.FP32);
                Autograd.backward(wide, LayerForwardTest.tensor(root.get("upstream")));
                into.put("output", wide.toDoubleArray());
                model.namedParameters().forEach((k, p) -> {
                    assertThat(p.grad().dtype()).as("%s grad of %s", name, k).isEqualTo(DType.FP32);
                    into.put("grad " + k, p.grad().toDoubleArray());
                });
                model.namedBuffers().forEach((k, b) -> {
                    if (b.dtype().isFloatingPoint()) {
                        assertThat(b.dtype()).as("%s buffer %s", name, k).isEqualTo(DType.FP32);
                        into.put("buffer " + k, b.toDoubleArray());
                    }
                });
            }
            double largestGrad = 0;
            for (Map.Entry<String, double[]> e : fp32.entrySet()) {
                if (e.getKey().startsWith("grad ")) {
                    largestGrad = Math.max(largestGrad, norm(e.getValue()));
                }
            }
            for (Map.Entry<String, double[]> e : fp32.entrySet()) {
                double[] a = amp.get(e.getKey());
                double[] b = e.getValue();
                double[] d = new double[b.length];
                for (int i = 0; i < b.length; i++) {
                    assertThat(Double.isFinite(a[i])).as("%s %s %s[%d] = %s", name, low, e.getKey(), i, a[i])
                            .isTrue();
                    d[i] = a[i] - b[i];
                }
                boolean grad = e.getKey().startsWith("grad ");
                if (grad && norm(b) < 1e-4 * largestGrad) {
                    continue;
                }
                assertThat(norm(d)).as("%s in %s: %s", name, low.torchName(), e.getKey())
                        .isLessThanOrEqualTo((grad ? 0.25 : bound) * norm(b) + 1e-6);
            }
        }
    }

    /** Every loss a job may name trains under autocast, near its FP32 value, the parameters staying FP32. */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(Loss.class)
    void everyJobLossTrainsInMixedPrecision(Loss loss) {
        for (DType low : new DType[] {DType.BF16, DType.FP16}) {
            try (TensorScope scope = TensorScope.open()) {
                String spec = "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [-1, 4]}], "
                        + "\"outputs\": [{\"name\": \"y\", \"datatype\": \"FP32\", \"shape\": [-1, 3]}], \"layers\": ["
                        + "{\"type\": \"Linear\", \"in_features\": 4, \"out_features\": 3}"
                        + (loss == Loss.NLL ? ", {\"type\": \"LogSoftmax\", \"dim\": 1}" : "") + "], \"seed\": 2}";
                double[] losses = new double[2];
                for (int run = 0; run < 2; run++) {
                    Sequential model = ModelBuilder.build(ModelSpec.parse(spec));
                    Trainer t = new Trainer(model, loss, OptimizerSpec.parse(JsonMapper.builder().build()
                            .readTree("{\"type\": \"adam\", \"lr\": 0.01}"), "optimizer").create(model.parameters()));
                    if (run == 1) {
                        t.mixedPrecision(low, new GradScaler());
                    }
                    Tensor x = Tensor.of(new float[] {0.5f, -1, 2, 0.25f, 1, 1.5f, -0.5f, 3}, 2, 4);
                    Tensor y = loss == Loss.CROSS_ENTROPY || loss == Loss.NLL ? Tensor.of(new long[] {2, 0}, 2)
                            : Tensor.of(new float[] {0, 1, 1, 0.25f, 0.5f, 0}, 2, 3);
                    for (int step = 0; step < 3; step++) {
                        losses[run] = t.step(x, y);
                    }
                    for (Tensor p : model.parameters()) {
                        assertThat(p.dtype()).isEqualTo(DType.FP32);
                        assertThat(java.util.Arrays.stream(p.toDoubleArray()).allMatch(Double::isFinite)).isTrue();
                    }
                }
                assertThat(losses[1]).as("%s in %s after 3 steps", loss.apiName(), low.torchName())
                        .isCloseTo(losses[0], org.assertj.core.data.Offset.offset(2e-2 * Math.abs(losses[0]) + 1e-3));
            }
        }
    }

    private static double norm(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x * x;
        }
        return Math.sqrt(s);
    }

    /**
     * Trains run {@code name} on {@code device} and checks it: losses within {@code rtol} (and 1e-6), the scale
     * before every step and after the last exactly, final weights within 10 {@code rtol} (and 1e-5). Returns the
     * fixture.
     */
    public static JsonNode reproduce(String name, Device device, double rtol) {
        JsonNode root = JsonMapper.builder().build().readTree(GoldenModels.text("/training/" + name + ".json"));
        Run amp = train(root, true, device);
        JsonNode losses = root.get("losses");
        assertThat(amp.losses).hasSize(losses.size());
        for (int i = 0; i < losses.size(); i++) {
            double e = losses.get(i).doubleValue();
            assertThat(Math.abs(amp.losses.get(i) - e)).as("%s loss %d on %s: %s vs PyTorch %s", name, i, device,
                    amp.losses.get(i), e).isLessThanOrEqualTo(1e-6 + rtol * Math.abs(e));
        }
        for (int i = 0; i < losses.size(); i++) {
            assertThat(amp.scales.get(i)).as("%s scale before step %d", name, i)
                    .isEqualTo(root.get("scales").get(i).doubleValue());
        }
        assertThat(amp.finalScale).isEqualTo(root.get("final_scale").doubleValue());
        assertThat(amp.growthTracker).isEqualTo(root.get("final_growth_tracker").intValue());
        for (Map.Entry<String, JsonNode> e : root.get("final").properties()) {
            double[] a = amp.state.get(e.getKey());
            JsonNode exp = e.getValue().get("data");
            assertThat(a).as(e.getKey()).hasSize(exp.size());
            for (int i = 0; i < a.length; i++) {
                double x = exp.get(i).doubleValue();
                assertThat(Math.abs(a[i] - x)).as("%s %s[%d]: %s vs PyTorch %s", name, e.getKey(), i, a[i], x)
                        .isLessThanOrEqualTo(1e-5 + 10 * rtol * Math.abs(x));
            }
        }
        return root;
    }

    private record Run(List<Double> losses, List<Double> scales, double finalScale, int growthTracker,
                       Map<String, double[]> state) {
    }

    /**
     * On the CPU, losses agree to 1e-5 relative (they differ from PyTorch's by about 1e-7: float32 cross entropy and
     * norms computed in another order), while the same runs in FP32 land 1e-4 to 1e-2 away.
     */
    private static Run train(JsonNode root, boolean mixed, Device device) {
        JsonNode cfg = root.get("config");
        try (TensorScope scope = TensorScope.open()) {
            ModelSpec spec = ModelSpec.parse(root.get("spec"));
            Sequential model = ModelBuilder.build(spec, new Generator(spec.seed()),
                    ParameterBudget.DEFAULT_MAX_ELEMENTS, device);
            int rows = cfg.get("rows").intValue();
            int in = root.get("spec").get("layers").get(0).get("in_features").intValue();
            Map<String, Tensor> data = new LinkedHashMap<>();
            data.put("x", Tensor.of(floats(root.get("input")), rows, in));
            Loss loss = Loss.parse(cfg.get("loss").asText());
            if (loss == Loss.CROSS_ENTROPY) {
                long[] y = new long[rows];
                for (int i = 0; i < rows; i++) {
                    y[i] = root.get("target").get(i).longValue();
                }
                data.put("y", Tensor.of(y, rows));
            } else {
                float[] y = floats(root.get("target"));
                data.put("y", Tensor.of(y, rows, y.length / rows));
            }
            Optimizer opt = OptimizerSpec.parse(cfg.get("optimizer"), "optimizer").create(model.parameters());
            Trainer trainer = new Trainer(model, loss, opt);
            JsonNode s = cfg.get("scaler");
            GradScaler scaler = new GradScaler(s.get(0).doubleValue(), s.get(1).doubleValue(), s.get(2).doubleValue(),
                    s.get(3).intValue());
            if (mixed) {
                trainer.mixedPrecision(cfg.get("precision").asText().equals("bf16") ? DType.BF16 : DType.FP16,
                        scaler);
            }
            DataLoader loader = new DataLoader(data, cfg.get("batch_size").intValue(), false, false, null);
            List<Double> losses = new ArrayList<>();
            List<Double> scales = new ArrayList<>();
            for (int epoch = 0; epoch < cfg.get("epochs").intValue(); epoch++) {
                Iterator<DataLoader.Batch> it = loader.epoch();
                while (it.hasNext()) {
                    try (TensorScope step = TensorScope.open()) {
                        DataLoader.Batch b = it.next();
                        scales.add(scaler.scale());
                        losses.add(trainer.step(b.get("x"), b.get("y")));
                    }
                }
            }
            Map<String, double[]> state = new LinkedHashMap<>();
            model.stateDict().forEach((k, v) -> state.put(k, v.toDevice(Device.CPU).toDoubleArray()));
            return new Run(losses, scales, scaler.scale(), scaler.growthTracker(), state);
        }
    }

    private static float[] floats(JsonNode a) {
        float[] out = new float[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) a.get(i).doubleValue();
        }
        return out;
    }
}
