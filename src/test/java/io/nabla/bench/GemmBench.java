package io.nabla.bench;

import io.nabla.autograd.LinalgOps;
import io.nabla.backend.Backends;
import io.nabla.backend.DType;
import io.nabla.backend.HostMemory;
import io.nabla.backend.LinalgKernels;
import io.nabla.backend.cpu.Parallel;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * The sgemm anchor for Nabla, run like {@code /work/shared/bench/torch_gemm.py} so the lines compare: square FP32
 * products, a warm-up, then the median GFLOP/s of several timed samples. {@code impl=nabla} calls the CPU GEMM
 * kernel into a preallocated output (as {@code torch.mm(a, b, out=c)}); {@code impl=nabla.matmul} goes through
 * {@link LinalgOps#matmul}, which allocates its output each call; {@code --openblas-threads} adds
 * {@code impl=openblas.threads}, the same product on OpenBLAS's own thread pool, for comparison. Not a unit test;
 * run it on a quiet machine after {@code mvn -o test-compile}:
 *
 * <pre>
 * mvn -q -o dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * java -cp target/classes:target/test-classes:$(cat /tmp/cp.txt) io.nabla.bench.GemmBench [--sizes 256 512 ...]
 *     [--samples 7] [--min-sample-s 0.25] [--openblas-threads]
 * </pre>
 * The thread count is the engine's ({@code -Dnabla.threads=N}, default: all cores).
 */
public final class GemmBench {

    private GemmBench() {
    }

    public static void main(String[] args) {
        List<Integer> sizes = new ArrayList<>(List.of(256, 512, 1024, 2048));
        int samples = 7;
        double minSampleS = 0.25;
        boolean openblasThreads = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--sizes" -> {
                    sizes.clear();
                    while (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                        sizes.add(Integer.parseInt(args[++i]));
                    }
                }
                case "--samples" -> samples = Integer.parseInt(args[++i]);
                case "--min-sample-s" -> minSampleS = Double.parseDouble(args[++i]);
                case "--openblas-threads" -> openblasThreads = true;
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + "; expected --sizes N..., --samples N, --min-sample-s S, --openblas-threads");
            }
        }
        System.out.println("nabla java " + Runtime.version() + " threads=" + Parallel.threads());
        for (int n : sizes) {
            try (TensorScope scope = TensorScope.open()) {
                bench(n, samples, minSampleS, openblasThreads);
            }
        }
    }

    private static void bench(int n, int samples, double minSampleS, boolean openblasThreads) {
        Random rnd = new Random(0);
        Tensor a = random(rnd, n);
        Tensor b = random(rnd, n);
        Tensor c = Tensor.empty(DType.FP32, n, n);
        LinalgKernels k = Backends.cpu().linalg();
        Runnable kernel = () -> k.gemm(1, a.memory(), a.layout(), b.memory(), b.layout(), 0, c.memory(), c.layout(),
                DType.FP32);
        kernel.run();
        double err = maxAbsErr(a, b, c, n);
        report("nabla", n, samples, minSampleS, kernel, err);
        Runnable op = () -> {
            try (TensorScope perCall = TensorScope.open()) {
                LinalgOps.matmul(a, b);
            }
        };
        report("nabla.matmul", n, samples, minSampleS, op, Double.NaN);
        if (openblasThreads) {
            // for comparison only: the same sgemm on OpenBLAS's own threads, then back to the engine's setting
            openblas_nolapack.blas_set_num_threads(Parallel.threads());
            report("openblas.threads", n, samples, minSampleS, () -> openblas_nolapack.cblas_sgemm(
                    openblas_nolapack.CblasRowMajor, openblas_nolapack.CblasNoTrans, openblas_nolapack.CblasNoTrans,
                    n, n, n, 1f, floats(a), n, floats(b), n, 0f, floats(c), n), Double.NaN);
            openblas_nolapack.blas_set_num_threads(1);
            pause(); // let OpenBLAS's spinning workers go to sleep before the next size
        }
    }

    private static void pause() {
        try {
            Thread.sleep(500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static FloatPointer floats(Tensor t) {
        return new FloatPointer(((HostMemory) t.memory()).pointer());
    }

    private static void report(String impl, int n, int samples, double minSampleS, Runnable call, double err) {
        double flop = 2.0 * n * n * n;
        long t0 = System.nanoTime();
        int warm = 0;
        while (warm < 2 || (seconds(t0) < 1.0 && warm < 100)) {
            call.run();
            warm++;
            if (seconds(t0) > 5) {
                break;
            }
        }
        double one = seconds(t0) / warm;
        int inner = Math.max(1, (int) Math.ceil(minSampleS / one));
        int count = one > 5 ? 3 : samples;
        List<Double> g = new ArrayList<>();
        for (int s = 0; s < count; s++) {
            long s0 = System.nanoTime();
            for (int i = 0; i < inner; i++) {
                call.run();
            }
            g.add(flop / (seconds(s0) / inner) / 1e9);
        }
        Collections.sort(g);
        double median = count % 2 == 1 ? g.get(count / 2) : (g.get(count / 2 - 1) + g.get(count / 2)) / 2;
        System.out.printf("RESULT impl=%s threads=%d n=%d median=%.2f GFLOP/s min=%.2f max=%.2f samples=%d "
                + "inner=%d maxAbsErr=%.2e%n", impl, Parallel.threads(), n, median, g.get(0), g.get(count - 1), count,
                inner, err);
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    private static Tensor random(Random rnd, int n) {
        float[] v = new float[n * n];
        for (int i = 0; i < v.length; i++) {
            v[i] = rnd.nextFloat() - 0.5f;
        }
        return Tensor.of(v, n, n);
    }

    /** Largest error of the first 8 rows of c against a double-precision product. */
    private static double maxAbsErr(Tensor a, Tensor b, Tensor c, int n) {
        float[] av = a.toFloatArray();
        float[] bv = b.toFloatArray();
        float[] cv = c.toFloatArray();
        double err = 0;
        double[] row = new double[n];
        for (int i = 0; i < Math.min(8, n); i++) {
            Arrays.fill(row, 0);
            for (int p = 0; p < n; p++) {
                double x = av[i * n + p];
                for (int j = 0; j < n; j++) {
                    row[j] += x * bv[p * n + j];
                }
            }
            for (int j = 0; j < n; j++) {
                err = Math.max(err, Math.abs(row[j] - cv[i * n + j]));
            }
        }
        return err;
    }
}
