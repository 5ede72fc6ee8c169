package io.nabla.autograd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nabla.backend.DType;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Which ops autocast lowers, which it widens to FP32, which it leaves alone, and how gradients come back. */
class AutocastTest {

    private TensorScope scope;

    @BeforeEach
    void open() {
        scope = TensorScope.open();
    }

    @AfterEach
    void close() {
        scope.close();
        assertThat(Autocast.isEnabled()).as("no region leaks out of a test").isFalse();
    }

    private static Tensor rand(DType dtype, long seed, int... shape) {
        int n = 1;
        for (int s : shape) {
            n *= s;
        }
        double[] v = new double[n];
        java.util.Random r = new java.util.Random(seed);
        for (int i = 0; i < n; i++) {
            v[i] = r.nextGaussian();
        }
        return Tensor.of(v, dtype, shape);
    }

    /** {@code v} rounded to {@code low} (through float, as the engine stores a double). */
    private static double round(double v, DType low) {
        return Tensor.of(new double[] {v}, low, 1).toDoubleArray()[0];
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"BF16", "FP16"})
    void linearComputesInTheLowDtypeFromRoundedOperandsAndRoundsOnce(DType low) {
        Tensor x = rand(DType.FP32, 1, 3, 5);
        Tensor w = rand(DType.FP32, 2, 4, 5).requiresGrad(true);
        Tensor b = rand(DType.FP32, 3, 4).requiresGrad(true);
        Tensor y;
        try (Autocast.Region amp = Autocast.enable(low)) {
            assertThat(Autocast.dtype()).isEqualTo(low);
            y = LinalgOps.linear(x, w, b);
        }
        assertThat(y.dtype()).isEqualTo(low);
        double[] xs = x.toDoubleArray();
        double[] ws = w.toDoubleArray();
        double[] bs = b.toDoubleArray();
        double[] ys = y.toDoubleArray();
        for (int i = 0; i < 3; i++) {
            for (int o = 0; o < 4; o++) {
                double acc = round(bs[o], low);
                for (int k = 0; k < 5; k++) {
                    acc += round(xs[i * 5 + k], low) * round(ws[o * 5 + k], low);
                }
                assertThat(ys[i * 4 + o]).as("y[%d][%d]", i, o).isEqualTo(round(acc, low));
            }
        }
        // the parameters stay FP32 and get FP32 gradients: the low-precision gradient, widened
        Autograd.backward(ReduceOps.sum(ShapeOps.to(y, DType.FP32)));
        assertThat(w.grad().dtype()).isEqualTo(DType.FP32);
        assertThat(b.grad().dtype()).isEqualTo(DType.FP32);
        assertThat(b.grad().toDoubleArray()).containsExactly(3, 3, 3, 3);
        double[] gw = w.grad().toDoubleArray();
        for (int o = 0; o < 4; o++) {
            for (int k = 0; k < 5; k++) {
                double col = 0;
                for (int i = 0; i < 3; i++) {
                    col += round(xs[i * 5 + k], low);
                }
                assertThat(gw[o * 5 + k]).isEqualTo(round(col, low));
            }
        }
    }

    @Test
    void productsAndConvolutionsAreLoweredFp64AndIntegersAreNot() {
        try (Autocast.Region amp = Autocast.enable(DType.BF16)) {
            assertThat(LinalgOps.matmul(rand(DType.FP32, 1, 2, 3), rand(DType.FP32, 2, 3, 4)).dtype())
                    .isEqualTo(DType.BF16);
            assertThat(LinalgOps.mm(rand(DType.FP16, 1, 2, 3), rand(DType.FP32, 2, 3, 4)).dtype())
                    .isEqualTo(DType.BF16);
            assertThat(LinalgOps.bmm(rand(DType.FP32, 1, 2, 2, 3), rand(DType.FP32, 2, 2, 3, 4)).dtype())
                    .isEqualTo(DType.BF16);
            assertThat(ConvOps.conv2d(rand(DType.FP32, 1, 1, 2, 5, 5), rand(DType.FP32, 2, 3, 2, 3, 3),
                    rand(DType.FP32, 3, 3), new int[] {1}, new int[] {1}, new int[] {1}, 1).dtype())
                    .isEqualTo(DType.BF16);
            assertThat(LinalgOps.matmul(rand(DType.FP64, 1, 2, 3), rand(DType.FP64, 2, 3, 4)).dtype())
                    .isEqualTo(DType.FP64);
            Tensor ints = Tensor.of(new long[] {1, 2, 3, 4}, 2, 2);
            assertThat(LinalgOps.matmul(ints, ints).dtype()).isEqualTo(DType.INT64);
        }
    }

    @Test
    void softmaxNormsAndLossesRunInFp32AndOtherOpsKeepTheirDtype() {
        Tensor h = rand(DType.BF16, 1, 4, 6);
        try (Autocast.Region amp = Autocast.enable(DType.BF16)) {
            assertThat(NormOps.softmax(h, 1).dtype()).isEqualTo(DType.FP32);
            assertThat(NormOps.logSoftmax(h, 1).dtype()).isEqualTo(DType.FP32);
            assertThat(NormOps.layerNorm(h, new int[] {6}, null, null, 1e-5).dtype()).isEqualTo(DType.FP32);
            assertThat(NormOps.groupNorm(h, 2, rand(DType.FP32, 2, 6), null, 1e-5).dtype()).isEqualTo(DType.FP32);
            assertThat(LossOps.crossEntropy(h, Tensor.of(new long[] {0, 1, 2, 5}, 4)).dtype())
                    .isEqualTo(DType.FP32);
            assertThat(LossOps.mseLoss(h, rand(DType.FP32, 2, 4, 6)).dtype()).isEqualTo(DType.FP32);
            assertThat(LossOps.binaryCrossEntropyWithLogits(h, rand(DType.BF16, 2, 4, 6)).dtype())
                    .isEqualTo(DType.FP32);
            assertThat(ActivationOps.relu(h).dtype()).isEqualTo(DType.BF16);
            assertThat(ActivationOps.gelu(h).dtype()).isEqualTo(DType.BF16);
            assertThat(ElementwiseOps.add(h, rand(DType.FP32, 3, 6)).dtype()).as("promotion as usual")
                    .isEqualTo(DType.FP32);
        }
        assertThat(NormOps.softmax(h, 1).dtype()).as("outside a region nothing is cast").isEqualTo(DType.BF16);
    }

    @Test
    void softplusRunsInFp32AndMishOfAHalfTypeRoundsOnce() {
        Tensor h = rand(DType.BF16, 4, 64);
        try (Autocast.Region amp = Autocast.enable(DType.BF16)) {
            assertThat(ActivationOps.softplus(h).dtype()).isEqualTo(DType.FP32);
            Tensor m = ActivationOps.mish(h);
            assertThat(m.dtype()).isEqualTo(DType.BF16);
            assertThat(m.toDoubleArray()).containsExactly(
                    ShapeOps.to(ActivationOps.mish(ShapeOps.to(h, DType.FP32)), DType.BF16).toDoubleArray());
        }
        assertThat(ActivationOps.mish(h).dtype()).isEqualTo(DType.BF16);
    }

    @Test
    void batchNormComputesInFp32AndReturnsItsInputsDtype() {
        Tensor x = rand(DType.BF16, 1, 8, 3);
        Tensor mean = Tensor.zeros(DType.FP32, x.device(), 3);
        Tensor var = Tensor.full(1.0, DType.FP32, x.device(), 3);
        Tensor y;
        try (Autocast.Region amp = Autocast.enable(DType.BF16)) {
            y = NormOps.batchNorm(x, mean, var, null, null, true, 0.1, 1e-5);
        }
        assertThat(y.dtype()).isEqualTo(DType.BF16);
        Tensor expected = ShapeOps.to(NormOps.batchNorm(ShapeOps.to(x, DType.FP32), null, null, null, null, true,
                0.1, 1e-5), DType.BF16);
        assertThat(y.toDoubleArray()).containsExactly(expected.toDoubleArray());
        assertThat(mean.dtype()).isEqualTo(DType.FP32);
        assertThat(mean.toDoubleArray()).isNotEqualTo(new double[3]);
    }

    @Test
    void regionsNestAndBackwardRunsWithoutAutocast() {
        AtomicBoolean duringBackward = new AtomicBoolean(true);
        Tensor x = rand(DType.FP32, 1, 3).requiresGrad(true);
        try (Autocast.Region outer = Autocast.enable(DType.FP16)) {
            try (Autocast.Region inner = Autocast.enable(DType.BF16)) {
                assertThat(Autocast.dtype()).isEqualTo(DType.BF16);
                try (Autocast.Region off = Autocast.disable()) {
                    assertThat(Autocast.isEnabled()).isFalse();
                }
                assertThat(Autocast.dtype()).isEqualTo(DType.BF16);
            }
            assertThat(Autocast.dtype()).isEqualTo(DType.FP16);
            Tensor y = Autograd.record("Probe", x.detach().dataCopy(), new Tensor[] {x}, new Tensor[0], (n, g) -> {
                duringBackward.set(Autocast.isEnabled());
                return new Tensor[] {g};
            });
            Autograd.backward(ReduceOps.sum(y));
            assertThat(Autocast.dtype()).as("restored after backward").isEqualTo(DType.FP16);
        }
        assertThat(duringBackward).isFalse();
    }

    @Test
    void onlyFp16AndBf16AreLowPrecisionDtypes() {
        assertThatThrownBy(() -> Autocast.enable(DType.FP32)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("autocast: expected dtype float16 or bfloat16, got float32");
        assertThatThrownBy(() -> Autocast.enable(null)).hasMessageContaining("got null");
    }
}
