package io.nabla.bench;

import io.nabla.autograd.GradMode;
import io.nabla.autograd.LinalgOps;
import io.nabla.nn.Generator;
import io.nabla.nn.Linear;
import io.nabla.nn.QuantizedLinear;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

/**
 * INT8 dynamic quantization against FP32: a forward pass of {@link QuantizedLinear} (each input row quantized, the
 * INT8 product, the output dequantized) and of the FP32 {@code linear}, for the shapes (batch m, in_features k,
 * out_features n) of src/bench/torch_int8_linear.py, the median of 21 samples after warm-up, printing the same
 * RESULT lines. Run through src/bench/cpu-bench.sh int8.
 */
public final class Int8Bench {

    private static final int[][] SHAPES = {{1, 4096, 4096}, {16, 4096, 4096}, {128, 1024, 1024}, {256, 4096, 1024}};

    private Int8Bench() {
    }

    public static void main(String[] args) {
        System.out.println("nabla threads=" + io.nabla.backend.cpu.Parallel.threads() + " java="
                + System.getProperty("java.version"));
        Random rnd = new Random(0);
        try (GradMode.Region ng = GradMode.disable(); TensorScope root = TensorScope.open()) {
            for (int[] s : SHAPES) {
                int m = s[0];
                int k = s[1];
                int n = s[2];
                Linear fp32 = new Linear(k, n, true, new Generator(1));
                float[] xs = new float[m * k];
                for (int i = 0; i < xs.length; i++) {
                    xs[i] = (float) rnd.nextGaussian();
                }
                Tensor x = Tensor.of(xs, m, k);
                QuantizedLinear q = QuantizedLinear.of(fp32);
                run("fp32_linear", s, () -> LinalgOps.linear(x, fp32.weight().tensor(), fp32.bias().tensor()));
                run("int8_linear", s, () -> q.forward(x));
            }
        }
    }

    private static void run(String op, int[] s, Supplier<Tensor> fn) {
        for (int i = 0; i < 20; i++) {
            try (TensorScope t = TensorScope.open()) {
                fn.get();
            }
        }
        List<Double> times = new ArrayList<>();
        for (int i = 0; i < 21; i++) {
            try (TensorScope t = TensorScope.open()) {
                long t0 = System.nanoTime();
                fn.get();
                times.add((System.nanoTime() - t0) / 1e6);
            }
        }
        Collections.sort(times);
        System.out.printf("RESULT op=%s m=%d k=%d n=%d median_ms=%.3f%n", op, s[0], s[1], s[2],
                times.get(times.size() / 2));
    }
}
