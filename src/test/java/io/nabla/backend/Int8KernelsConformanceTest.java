package io.nabla.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The CPU backend's INT8 kernels (AVX2 C where the build has them) against the reference backend's loops, bit for
 * bit: quantized rows, their scales and zero points, and the product, over sizes that take every path (rows in fours
 * and alone, columns in pairs and alone, rows shorter than a vector, vector loops with tails, a long row), with and
 * without bias, on data with zero, one-signed and outlier rows; and rows holding a NaN or an infinity.
 */
class Int8KernelsConformanceTest {

    private static final LinalgKernels REF = Backends.reference().linalg();
    private static final LinalgKernels CPU = Backends.cpu().linalg();

    private record Quantized(Tensor q, Tensor scale, Tensor zp, int bad) {
    }

    private static Quantized quantize(LinalgKernels k, Tensor x, int m, int cols) {
        Tensor q = Tensor.empty(DType.INT16, m, cols);
        Tensor s = Tensor.empty(DType.FP32, m);
        Tensor z = Tensor.empty(DType.INT32, m);
        int bad = k.quantizeRows(x.memory(), x.offset(), m, cols, q.memory(), s.memory(), z.memory());
        return new Quantized(q, s, z, bad);
    }

    @ParameterizedTest
    @CsvSource({"1,1,1,true", "3,7,5,true", "4,16,2,false", "5,17,3,true", "9,300,65,true", "8,33,64,false",
            "2,4100,9,true", "13,64,31,true"})
    void theCpuKernelsGiveTheReferenceBits(int m, int k, int n, boolean withBias) {
        Random r = new Random(31L * m + 7L * k + n);
        try (TensorScope scope = TensorScope.open()) {
            float[] xs = new float[m * k];
            for (int i = 0; i < xs.length; i++) {
                xs[i] = (float) (r.nextGaussian() * 3);
            }
            if (m > 2) {
                java.util.Arrays.fill(xs, 0, k, 0f); // a zero row
                for (int c = 0; c < k; c++) {
                    xs[k + c] = Math.abs(xs[k + c]) + 0.5f; // all positive: zero point 0
                    xs[2 * k + c] = -Math.abs(xs[2 * k + c]); // all negative: zero point 255
                }
                xs[2 * k + k / 2] = -1e4f; // an outlier
            }
            // an input that is a view at an offset, as a batch row slice would be
            Tensor padded = Tensor.of(concat(new float[3], xs), 3 + m * k);
            Tensor x = padded.asStrided(new int[] {m, k}, new int[] {k, 1}, 3);
            float[] ws = new float[n * k];
            for (int i = 0; i < ws.length; i++) {
                ws[i] = (float) (r.nextGaussian() * 0.2);
            }
            Tensor w = Tensor.of(ws, n, k);
            Tensor qw = Tensor.empty(DType.INT8, n, k);
            Tensor sw = Tensor.empty(DType.FP32, n);
            Tensor sum = Tensor.empty(DType.INT32, n);
            Int8.quantizeWeights(w.memory(), 0, n, k, qw.memory(), sw.memory(), sum.memory());
            float[] biasValues = randoms(r, n);
            biasValues[n - 1] = Float.NaN; // a NaN bias gives NaN outputs on every path
            Tensor bias = withBias ? Tensor.of(biasValues, n) : null;

            Quantized ref = quantize(REF, x, m, k);
            Quantized cpu = quantize(CPU, x, m, k);
            assertThat(cpu.bad()).isZero();
            assertThat(ref.bad()).isZero();
            assertThat(cpu.q().toLongArray()).isEqualTo(ref.q().toLongArray());
            assertThat(cpu.scale().toFloatArray()).isEqualTo(ref.scale().toFloatArray());
            assertThat(cpu.zp().toLongArray()).isEqualTo(ref.zp().toLongArray());
            if (m > 2) {
                assertThat(ref.zp().toLongArray()[0]).as("zero row").isZero();
                assertThat(ref.zp().toLongArray()[1]).as("positive row").isZero();
                assertThat(ref.zp().toLongArray()[2]).as("negative row").isEqualTo(255);
            }

            Tensor yr = Tensor.empty(DType.FP32, m, n);
            Tensor yc = Tensor.empty(DType.FP32, m, n);
            REF.int8Linear(ref.q().memory(), ref.scale().memory(), ref.zp().memory(), m, k, qw.memory(),
                    sw.memory(), sum.memory(), bias == null ? null : bias.memory(), yr.memory(), n);
            CPU.int8Linear(cpu.q().memory(), cpu.scale().memory(), cpu.zp().memory(), m, k, qw.memory(),
                    sw.memory(), sum.memory(), bias == null ? null : bias.memory(), yc.memory(), n);
            assertThat(yc.toFloatArray()).isEqualTo(yr.toFloatArray());
            // the product against its definition, in long arithmetic from the quantized values
            long[] q = ref.q().toLongArray();
            long[] qwv = qw.toLongArray();
            float[] y = yr.toFloatArray();
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    long acc = 0;
                    for (int c = 0; c < k; c++) {
                        acc += (q[i * k + c] - ref.zp().toLongArray()[i]) * qwv[j * k + c];
                    }
                    float sx = ref.scale().toFloatArray()[i];
                    float swj = sw.toFloatArray()[j];
                    // boxed: Float.equals holds for NaN (the NaN bias column)
                    assertThat(Float.valueOf(y[i * n + j])).isEqualTo(Float.valueOf(bias == null
                            ? Int8.output(acc, sx, swj) : Int8.output(acc, sx, swj, bias.toFloatArray()[j])));
                }
            }
        }
    }

    /**
     * A row holding a NaN or an infinity (in the vector part or the tail) has no quantization: scale NaN, values 0,
     * NaN outputs; the other rows are as without it. Both kernels agree to the bit.
     */
    @ParameterizedTest
    @CsvSource({"NaN,3", "Infinity,0", "-Infinity,5"})
    void aRowHoldingANonFiniteValueGivesNanOutputsOnlyThere(float value, int row) {
        try (TensorScope scope = TensorScope.open()) {
            int m = 6;
            int k = 21;
            int n = 3;
            float[] xs = new float[m * k];
            for (int i = 0; i < xs.length; i++) {
                xs[i] = i % 5 - 2;
            }
            float[] clean = xs.clone();
            xs[row * k + (row == 3 ? 9 : 20)] = value;
            Tensor w = Tensor.of(randoms(new Random(4), n * k), n, k);
            Tensor qw = Tensor.empty(DType.INT8, n, k);
            Tensor sw = Tensor.empty(DType.FP32, n);
            Tensor sum = Tensor.empty(DType.INT32, n);
            Int8.quantizeWeights(w.memory(), 0, n, k, qw.memory(), sw.memory(), sum.memory());
            float[][] outputs = new float[3][];
            int slot = 0;
            for (LinalgKernels kernels : new LinalgKernels[] {REF, CPU}) {
                Quantized qx = quantize(kernels, Tensor.of(xs, m, k), m, k);
                assertThat(qx.bad()).as("rows holding a non-finite value").isEqualTo(1);
                assertThat(Float.isNaN(qx.scale().toFloatArray()[row])).isTrue();
                assertThat(qx.zp().toLongArray()[row]).isZero();
                assertThat(java.util.Arrays.copyOfRange(qx.q().toLongArray(), row * k, (row + 1) * k)).containsOnly(0L);
                Tensor y = Tensor.empty(DType.FP32, m, n);
                kernels.int8Linear(qx.q().memory(), qx.scale().memory(), qx.zp().memory(), m, k, qw.memory(),
                        sw.memory(), sum.memory(), null, y.memory(), n);
                outputs[slot++] = y.toFloatArray();
            }
            Quantized ok = quantize(REF, Tensor.of(clean, m, k), m, k);
            Tensor y = Tensor.empty(DType.FP32, m, n);
            REF.int8Linear(ok.q().memory(), ok.scale().memory(), ok.zp().memory(), m, k, qw.memory(), sw.memory(),
                    sum.memory(), null, y.memory(), n);
            outputs[2] = y.toFloatArray();
            assertThat(outputs[1]).as("C against the reference").isEqualTo(outputs[0]);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    float v = outputs[0][i * n + j];
                    if (i == row) {
                        assertThat(Float.isNaN(v)).as("output (%d, %d)", i, j).isTrue();
                    } else {
                        assertThat(v).as("output (%d, %d), as without the NaN row", i, j)
                                .isEqualTo(outputs[2][i * n + j]);
                    }
                }
            }
        }
    }

    private static float[] randoms(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    private static float[] concat(float[] a, float[] b) {
        float[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
