package io.nabla.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nabla.autograd.GradMode;
import io.nabla.backend.Backends;
import io.nabla.backend.DType;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@link QuantizedLinear} against PyTorch 1.13 ({@code src/test/resources/quant/gen_int8.py}): the INT8 weight and
 * its per-row scales are PyTorch's {@code per_channel_symmetric} {@code qint8} values, bit for bit; each input row's
 * UINT8 values are {@code torch.quantize_per_tensor}'s for that row's scale and zero point; the output is the exact
 * integer product dequantized as the fixture computes it, to the bit, on the CPU and the reference backend. And the
 * error against the FP32 layer is at most PyTorch's own {@code quantize_dynamic}'s (per tensor, so coarser).
 */
class QuantizedLinearGoldenTest {

    private static JsonNode fixture() {
        try (InputStream in = QuantizedLinearGoldenTest.class.getResourceAsStream("/quant/int8_linear.json")) {
            return JsonMapper.builder().build().readTree(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (JsonNode c : fixture().get("cases")) {
            out.add(Arguments.of(c.get("name").stringValue(), c, "cpu"));
            out.add(Arguments.of(c.get("name").stringValue(), c, "reference"));
        }
        return out.stream();
    }

    private static float[] floats(JsonNode a) {
        float[] v = new float[a.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) a.get(i).doubleValue();
        }
        return v;
    }

    private static long[] longs(JsonNode a) {
        long[] v = new long[a.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = a.get(i).longValue();
        }
        return v;
    }

    @ParameterizedTest(name = "{0} on {2}")
    @MethodSource("cases")
    void reproducesPyTorchsQuantizationAndTheExactProduct(String name, JsonNode c, String backend) {
        int in = c.get("in_features").intValue();
        int out = c.get("out_features").intValue();
        int rows = c.get("rows").intValue();
        try (TensorScope scope = TensorScope.open();
             var b = Backends.use(backend.equals("cpu") ? Backends.cpu() : Backends.reference())) {
            Linear linear = new Linear(in, out, c.get("bias").booleanValue(), new Generator(1));
            linear.weight().tensor().copyFrom(Tensor.of(floats(c.get("weight")), out, in));
            if (linear.bias() != null) {
                linear.bias().tensor().copyFrom(Tensor.of(floats(c.get("bias_values")), out));
            }
            QuantizedLinear q = QuantizedLinear.of(linear);
            assertThat(q.namedBuffers().get("weight").dtype()).isEqualTo(DType.INT8);
            assertThat(q.namedBuffers().get("weight").toLongArray()).as("INT8 weight")
                    .isEqualTo(longs(c.get("weight_q")));
            assertThat(q.namedBuffers().get("scale").toFloatArray()).as("weight scales")
                    .isEqualTo(floats(c.get("weight_scale")));

            Tensor x = Tensor.of(floats(c.get("x")), rows, in);
            Tensor qx = Tensor.empty(DType.INT16, rows, in);
            Tensor sx = Tensor.empty(DType.FP32, rows);
            Tensor zx = Tensor.empty(DType.INT32, rows);
            assertThat(x.backend().linalg().quantizeRows(x.memory(), 0, rows, in, qx.memory(), sx.memory(),
                    zx.memory())).isZero();
            assertThat(sx.toFloatArray()).as("row scales").isEqualTo(floats(c.get("row_scale")));
            assertThat(zx.toLongArray()).as("row zero points").isEqualTo(longs(c.get("row_zero_point")));
            assertThat(qx.toLongArray()).as("torch.quantize_per_tensor's values").isEqualTo(longs(c.get("row_q")));

            Tensor y;
            try (GradMode.Region off = GradMode.disable()) {
                y = q.forward(x);
            }
            assertThat(y.shape()).containsExactly(rows, out);
            float[] expected = floats(c.get("y"));
            assertThat(y.toFloatArray()).isEqualTo(expected);

            float[] fp32 = floats(c.get("fp32"));
            float[] torchDynamic = floats(c.get("torch_dynamic"));
            double ours = 0;
            double theirs = 0;
            for (int i = 0; i < fp32.length; i++) {
                ours = Math.max(ours, Math.abs(expected[i] - fp32[i]));
                theirs = Math.max(theirs, Math.abs(torchDynamic[i] - fp32[i]));
            }
            assertThat(ours).as("largest error against FP32, PyTorch's quantize_dynamic: %s", theirs)
                    .isPositive().isLessThanOrEqualTo(theirs);
        }
    }

    @ParameterizedTest(name = "{0} on {2}")
    @MethodSource("cases")
    void batchingDoesNotChangeARowsAnswerAndLeadingDimensionsAreKept(String name, JsonNode c, String backend) {
        int in = c.get("in_features").intValue();
        int out = c.get("out_features").intValue();
        int rows = c.get("rows").intValue();
        try (TensorScope scope = TensorScope.open(); GradMode.Region off = GradMode.disable();
             var b = Backends.use(backend.equals("cpu") ? Backends.cpu() : Backends.reference())) {
            Linear linear = new Linear(in, out, c.get("bias").booleanValue(), new Generator(1));
            linear.weight().tensor().copyFrom(Tensor.of(floats(c.get("weight")), out, in));
            QuantizedLinear q = QuantizedLinear.of(linear);
            float[] xs = floats(c.get("x"));
            float[] all = q.forward(Tensor.of(xs, 1, rows, in)).toFloatArray();
            for (int i = 0; i < rows; i++) {
                float[] row = java.util.Arrays.copyOfRange(xs, i * in, (i + 1) * in);
                assertThat(q.forward(Tensor.of(row, in)).toFloatArray()).as("row %d alone", i)
                        .isEqualTo(java.util.Arrays.copyOfRange(all, i * out, (i + 1) * out));
            }
        }
    }

    @org.junit.jupiter.api.Test
    void refusesWhatItCannotQuantize() {
        try (TensorScope scope = TensorScope.open()) {
            Linear linear = new Linear(3, 2, true, new Generator(1));
            QuantizedLinear q = QuantizedLinear.of(linear);
            assertThat(q.toString()).isEqualTo("QuantizedLinear(in_features=3, out_features=2, bias=True, "
                    + "dtype=torch.qint8, qscheme=torch.per_channel_symmetric)");
            assertThat(q.parameters()).as("nothing to train").isEmpty();
            Tensor grad = Tensor.of(new float[] {1, 2, 3}, 3).requiresGrad(true);
            assertThatThrownBy(() -> q.forward(grad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("INT8 quantized layers run inference only: they have no gradient");
            try (GradMode.Region off = GradMode.disable()) {
                float[] y = q.forward(Tensor.of(new float[] {1, Float.NaN, 3, 4, 5, 6}, 2, 3)).toFloatArray();
                assertThat(Float.isNaN(y[0]) && Float.isNaN(y[1])).as("the NaN row's outputs").isTrue();
                assertThat(new float[] {y[2], y[3]}).as("the other row's, as alone")
                        .isEqualTo(q.forward(Tensor.of(new float[] {4, 5, 6}, 3)).toFloatArray());
                assertThatThrownBy(() -> q.forward(Tensor.of(new float[] {1, 2}, 2)))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessage("quantized linear: expected an input of shape (*, 3), got (2)");
                assertThat(q.forward(Tensor.of(new double[] {1, 2, 3}, 3)).dtype()).isEqualTo(DType.FP32);
                assertThat(q.forward(Tensor.empty(DType.FP32, 0, 3)).shape()).containsExactly(0, 2);
                Tensor w = q.namedBuffers().get("weight");
                Tensor sum = q.namedBuffers().get("weight_sum");
                assertThatThrownBy(() -> io.nabla.autograd.LinalgOps.quantizedLinear(Tensor.of(new float[] {1, 2, 3},
                        3), w, Tensor.of(new float[] {1}, 1), sum, null)).isInstanceOf(IllegalArgumentException.class)
                        .hasMessage("quantized linear: scale must be a contiguous float32 vector of 2 elements on cpu, "
                                + "got float32 (1) on cpu");

            }
            linear.weight().tensor().copyFrom(Tensor.of(new float[] {1, Float.POSITIVE_INFINITY, 0, 0, 0, 0}, 2, 3));
            assertThatThrownBy(() -> QuantizedLinear.of(linear)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("weight[0, 1] is Infinity: INT8 quantization needs finite weights");
        }
    }
}
