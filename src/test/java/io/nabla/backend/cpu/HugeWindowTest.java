package io.nabla.backend.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.nabla.autograd.Autograd;
import io.nabla.autograd.ConvOps;
import io.nabla.backend.Backend;
import io.nabla.backend.Backends;
import io.nabla.backend.DType;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Pooling windows far larger than the input, as a model spec may ask for (found by fuzzing the server): the window
 * arithmetic runs in 64 bits on both CPU backends, as PyTorch's does.
 */
class HugeWindowTest {

    private static Backend backend(String name) {
        return name.equals("reference") ? Backends.reference() : Backends.cpu();
    }

    /**
     * A 65536 x 65536 window (padding 32768) over an 8 x 8 image of ones: with count_include_pad the divisor is
     * 2^32, which an int wrapped to 0 (infinite means); at 46341 x 46341 it wrapped negative.
     */
    @ParameterizedTest
    @ValueSource(strings = {"reference", "cpu"})
    void averagePoolingDividesByWindowsOfMoreThan2To31Positions(String name) {
        try (TensorScope s = TensorScope.open(); Backends.Scope b = Backends.use(backend(name))) {
            Tensor x = Tensor.ones(DType.FP32, 1, 1, 8, 8).requiresGrad(true);
            Tensor y = ConvOps.avgPool2d(x, new int[] {65536, 65536}, new int[] {1, 1}, new int[] {32768, 32768},
                    true);
            assertThat(y.shape()).containsExactly(1, 1, 9, 9);
            for (float v : y.toFloatArray()) {
                assertThat((double) v).isCloseTo(64 / 0x1p32, within(1e-15));
            }
            Autograd.backward(y, Tensor.ones(DType.FP32, 1, 1, 9, 9));
            for (float g : x.grad().toFloatArray()) {
                assertThat((double) g).isCloseTo(81 / 0x1p32, within(1e-15)); // every output's window covers it
            }
            Tensor odd = ConvOps.avgPool2d(Tensor.ones(DType.FP32, 1, 1, 3, 3), new int[] {46341, 46341},
                    new int[] {1, 1}, new int[] {23170, 23170}, true);
            assertThat((double) odd.toFloatArray()[0]).isCloseTo(9 / (46341.0 * 46341.0), within(1e-15));
        }
    }

    /**
     * A max-pooling window of 2^31 - 1 rows with padding 2^30 - 1: each window's first row inside the input is found
     * in one step (it was walked to in steps of the dilation, about 2^30 per output, 45 s for this pooling).
     */
    @ParameterizedTest
    @ValueSource(strings = {"reference", "cpu"})
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void maxPoolingSkipsAHugePaddingAtOnce(String name) {
        try (TensorScope s = TensorScope.open(); Backends.Scope b = Backends.use(backend(name))) {
            float[] v = new float[2 * 8 * 8];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) Math.sin(i * 0.7);
            }
            Tensor x = Tensor.of(v, 1, 2, 8, 8);
            Tensor[] r = ConvOps.maxPool2dWithIndices(x, new int[] {Integer.MAX_VALUE, 1}, new int[] {1, 1},
                    new int[] {(1 << 30) - 1, 0}, new int[] {1, 1}, false);
            assertThat(r[0].shape()).containsExactly(1, 2, 8, 8);
            float[] out = r[0].toFloatArray();
            long[] idx = r[1].toLongArray();
            for (int c = 0; c < 2; c++) {
                for (int col = 0; col < 8; col++) {
                    float max = Float.NEGATIVE_INFINITY;
                    int at = 0;
                    for (int row = 0; row < 8; row++) { // every window covers the whole column
                        if (v[c * 64 + row * 8 + col] > max) {
                            max = v[c * 64 + row * 8 + col];
                            at = row * 8 + col;
                        }
                    }
                    for (int oy = 0; oy < 8; oy++) {
                        assertThat(out[c * 64 + oy * 8 + col]).isEqualTo(max);
                        assertThat(idx[c * 64 + oy * 8 + col]).isEqualTo(at);
                    }
                }
            }
            // dilation: the first tap inside is the first of start + k * d at or past row 0
            Tensor[] d = ConvOps.maxPool2dWithIndices(x, new int[] {3, 1}, new int[] {1, 1}, new int[] {1, 0},
                    new int[] {3, 1}, false);
            assertThat(d[0].shape()).containsExactly(1, 2, 4, 8);
            assertThat(d[1].toLongArray()[0]).isIn(2L * 8, 5L * 8); // taps at rows -1, 2, 5
        }
    }
}
