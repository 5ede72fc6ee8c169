package io.nabla.bench;

import io.nabla.autograd.ActivationOps;
import io.nabla.autograd.Autograd;
import io.nabla.autograd.ElementwiseOps;
import io.nabla.autograd.LinalgOps;
import io.nabla.autograd.LossOps;
import io.nabla.backend.Backends;
import io.nabla.backend.DType;
import io.nabla.backend.Device;
import io.nabla.backend.cuda.CudaBackend;
import io.nabla.backend.cuda.CudaRawMemory;
import io.nabla.backend.cuda.MatmulPrecision;
import io.nabla.gpu.AllocatorSettings;
import io.nabla.gpu.ArenaHeap;
import io.nabla.gpu.CachingAllocator;
import io.nabla.optim.Sgd;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * GPU benchmarks of Nabla on cuda:0, printed as {@code RESULT name value unit} lines that sit next to
 * {@code src/bench/gpu_torch_bench.py}'s: GEMM (FP32 and BF16, n = 4096 and 8192) in TFLOP/s, an FP32 add of two
 * 256 M-element tensors in GB/s, and an MLP training step (784-1024-1024-10, batch 256, SGD, cross entropy) in ms.
 * Each figure is the median of timed samples after a warm-up, the device synchronised around each sample. Not a
 * unit test; run by {@code src/bench/gpu-run.sh --on-device}.
 */
public final class GpuBench {

    private GpuBench() {
    }

    public static void main(String[] args) {
        // the allocator stack the server uses (GpuDevice): arenas over the caching allocator over cudaMalloc, so
        // steady-state steps never call cudaMalloc/cudaFree (cudaFree synchronises the device)
        CachingAllocator caching = new CachingAllocator("cuda:0", new CudaRawMemory(0), AllocatorSettings.DEFAULT);
        CudaBackend cuda = new CudaBackend(0, new ArenaHeap("cuda:0", caching), MatmulPrecision.fromSystemProperty());
        Backends.register(cuda);
        Device dev = cuda.device();
        for (DType t : List.of(DType.FP32, DType.BF16)) {
            for (int n : new int[] {4096, 8192}) {
                try (TensorScope s = TensorScope.open()) {
                    Tensor a = Tensor.full(0.5, t, dev, n, n);
                    Tensor b = Tensor.full(0.25, t, dev, n, n);
                    double ms = median(cuda, 10, n == 4096 ? 10 : 3, () -> LinalgOps.matmul(a, b));
                    System.out.printf("RESULT gemm_%s_%d %.1f TFLOP/s (%.3f ms)%n", t.torchName(), n,
                            2.0 * n * n * n / (ms * 1e-3) / 1e12, ms);
                }
            }
        }
        try (TensorScope s = TensorScope.open()) {
            int n = 256 << 20;
            Tensor a = Tensor.full(1, DType.FP32, dev, n);
            Tensor b = Tensor.full(2, DType.FP32, dev, n);
            double ms = median(cuda, 10, 5, () -> ElementwiseOps.add(a, b));
            System.out.printf("RESULT add_fp32_256M %.0f GB/s (%.3f ms)%n", 3.0 * 4 * n / (ms * 1e-3) / 1e9, ms);
        }
        mlp(cuda, dev);
        cuda.synchronize();
        System.out.println("INFO allocator " + caching.stats());
    }

    private static void mlp(CudaBackend cuda, Device dev) {
        try (TensorScope s = TensorScope.open()) {
            Random rnd = new Random(1);
            int[] sizes = {784, 1024, 1024, 10};
            Tensor[] params = new Tensor[6];
            for (int l = 0; l < 3; l++) {
                params[2 * l] = randn(rnd, dev, 0.03, sizes[l + 1], sizes[l]).requiresGrad(true);
                params[2 * l + 1] = randn(rnd, dev, 0.01, sizes[l + 1]).requiresGrad(true);
            }
            Tensor x = randn(rnd, dev, 1, 256, 784);
            double[] labels = new double[256];
            Arrays.setAll(labels, i -> i % 10);
            Tensor y = Tensor.of(labels, DType.INT64, 256).toDevice(dev);
            Sgd opt = new Sgd(List.of(params), Sgd.Options.lr(0.01));
            Runnable step = () -> {
                try (TensorScope scope = TensorScope.open()) {
                    opt.zeroGrad(true); // torch's zero_grad() default: set_to_none
                    Tensor h = ActivationOps.relu(LinalgOps.linear(x, params[0], params[1]));
                    h = ActivationOps.relu(LinalgOps.linear(h, params[2], params[3]));
                    Tensor loss = LossOps.crossEntropy(LinalgOps.linear(h, params[4], params[5]), y);
                    Autograd.backward(loss);
                    opt.step();
                }
            };
            // the JVM compiles the step's host path during its first hundreds of runs: 200 steps warm it to the
            // steady state of a long-running service before the 30 timed samples (PyTorch has nothing to warm)
            for (int i = 0; i < 200; i++) {
                step.run();
            }
            cuda.synchronize();
            double ms = median(cuda, 30, () -> {
                step.run();
                return null;
            });
            System.out.printf("RESULT mlp_step_784_1024_1024_10_b256_sgd %.3f ms%n", ms);
            double[] host = hostMs.clone();
            Arrays.sort(host);
            System.out.printf("INFO mlp step: %.3f ms on the host before synchronising (median); kernels compiled %d%n",
                    host[host.length / 2], cuda.compiledKernels());
            long before = CudaBackend.launches();
            step.run();
            System.out.printf("INFO mlp step: %d kernel launches and cuBLAS calls%n", CudaBackend.launches() - before);
            profile(cuda, step);
        }
    }

    /**
     * Runs {@code step} for two seconds on this thread while another samples its stack every 0.2 ms, and prints the
     * 15 most frequent innermost frames overall and innermost io.nabla frames: where the host time of a step goes.
     */
    private static void profile(CudaBackend cuda, Runnable step) {
        Thread worker = Thread.currentThread();
        java.util.Map<String, Integer> top = new java.util.HashMap<>();
        java.util.Map<String, Integer> ours = new java.util.HashMap<>();
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        Thread sampler = new Thread(() -> {
            while (!done.get()) {
                StackTraceElement[] st = worker.getStackTrace();
                if (st.length > 0) {
                    top.merge(st[0].getClassName() + "." + st[0].getMethodName(), 1, Integer::sum);
                    for (StackTraceElement e : st) {
                        if (e.getClassName().startsWith("io.nabla") && !e.getClassName().startsWith("io.nabla.bench")) {
                            ours.merge(e.getClassName().replace("io.nabla.", "") + "." + e.getMethodName() + ":"
                                    + e.getLineNumber(), 1, Integer::sum);
                            break;
                        }
                    }
                }
                java.util.concurrent.locks.LockSupport.parkNanos(200_000);
            }
        });
        sampler.start();
        long end = System.nanoTime() + 2_000_000_000L;
        int steps = 0;
        while (System.nanoTime() < end) {
            step.run();
            steps++;
        }
        cuda.synchronize();
        done.set(true);
        try {
            sampler.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        System.out.println("INFO profile of " + steps + " steps in 2 s (samples by innermost frame):");
        print(top);
        System.out.println("INFO profile by innermost io.nabla frame:");
        print(ours);
    }

    private static void print(java.util.Map<String, Integer> counts) {
        counts.entrySet().stream().sorted((x, y) -> y.getValue() - x.getValue()).limit(15)
                .forEach(e -> System.out.printf("INFO   %6d %s%n", e.getValue(), e.getKey()));
    }

    private static Tensor randn(Random rnd, Device dev, double scale, int... shape) {
        int n = Arrays.stream(shape).reduce(1, (p, q) -> p * q);
        double[] v = new double[n];
        Arrays.setAll(v, i -> rnd.nextGaussian() * scale);
        return Tensor.of(v, DType.FP32, shape).toDevice(dev);
    }

    /** Host milliseconds of each sample of the last {@link #median} call, up to the point of synchronising. */
    private static double[] hostMs = new double[0];

    /** Median milliseconds of {@code samples} synchronised runs after three warm-up runs. */
    private static double median(CudaBackend cuda, int samples, java.util.function.Supplier<Tensor> op) {
        return median(cuda, samples, 1, op);
    }

    /**
     * Median milliseconds per call over {@code samples} samples of {@code reps} calls queued back to back between
     * two synchronisations (the device's time per call, not the host's latency of one call), after three warm-ups;
     * gpu_torch_bench.py measures PyTorch the same way.
     */
    private static double median(CudaBackend cuda, int samples, int reps, java.util.function.Supplier<Tensor> op) {
        double[] ms = new double[samples];
        hostMs = new double[samples];
        for (int i = -3; i < samples; i++) {
            try (TensorScope s = TensorScope.open()) {
                cuda.synchronize();
                long t0 = System.nanoTime();
                for (int r = 0; r < reps; r++) {
                    op.get();
                }
                long queued = System.nanoTime();
                cuda.synchronize();
                if (i >= 0) {
                    ms[i] = (System.nanoTime() - t0) / 1e6 / reps;
                    hostMs[i] = (queued - t0) / 1e6 / reps;
                }
            }
        }
        Arrays.sort(ms);
        return ms[samples / 2];
    }
}
