package io.nabla.bench;

import io.nabla.backend.DType;
import io.nabla.backend.HostAllocator;
import io.nabla.model.Trainer;
import io.nabla.nn.Activation;
import io.nabla.nn.Generator;
import io.nabla.nn.Linear;
import io.nabla.nn.Loss;
import io.nabla.nn.Module;
import io.nabla.nn.Sequential;
import io.nabla.optim.Adam;
import io.nabla.optim.Optimizer;
import io.nabla.optim.Sgd;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * MLP training-step benchmark, the same models, batches, optimizers and sampling as ../shared/bench/torch_mlp.py:
 * one step = zero_grad + forward + cross_entropy + backward + optimizer step on one fixed batch. Prints the same
 * RESULT lines, plus the host bytes allocated per step in steady state. Warm-up is at least 10 s per model so that
 * the JIT has compiled the step. Run through src/bench/cpu-bench.sh.
 */
public final class MlpBench {

    private MlpBench() {
    }

    public static void main(String[] args) {
        System.out.println("nabla threads=" + io.nabla.backend.cpu.Parallel.threads() + " java="
                + System.getProperty("java.version"));
        String[] models = args.length > 0 ? args[0].split(",") : new String[] {"small", "wide"};
        String[] opts = args.length > 1 ? args[1].split(",") : new String[] {"sgd", "adam"};
        String precision = args.length > 2 ? args[2] : "fp32";
        for (String model : models) {
            for (String opt : opts) {
                bench(model, opt, precision, 300, 30, 30.0);
            }
        }
    }

    /** {@code precision}: fp32, or bf16/fp16 for mixed precision ({@link Trainer#mixedPrecision}). */
    private static void bench(String name, String optName, String precision, int steps, int warmup, double budgetS) {
        int[] dims = name.equals("small") ? new int[] {784, 256, 256, 10} : new int[] {784, 1024, 1024, 10};
        int batch = name.equals("small") ? 128 : 256;
        try (TensorScope root = TensorScope.open()) {
            Generator g = new Generator(0);
            List<Module> layers = new ArrayList<>();
            for (int i = 0; i < dims.length - 1; i++) {
                layers.add(new Linear(dims[i], dims[i + 1], true, g));
                if (i < dims.length - 2) {
                    layers.add(Activation.relu());
                }
            }
            Sequential model = new Sequential(layers);
            Optimizer opt = optName.equals("sgd")
                    ? new Sgd(model.parameters(), Sgd.Options.lr(0.01).withMomentum(0.9))
                    : new Adam(model.parameters(), Adam.Options.defaults().withLr(1e-3));
            Trainer trainer = new Trainer(model, Loss.CROSS_ENTROPY, opt);
            switch (precision) {
                case "fp32" -> { }
                case "bf16" -> trainer.mixedPrecision(DType.BF16, new io.nabla.optim.GradScaler());
                case "fp16" -> trainer.mixedPrecision(DType.FP16, new io.nabla.optim.GradScaler());
                default -> throw new IllegalArgumentException("precision: expected fp32, bf16 or fp16, got "
                        + precision);
            }
            Random rnd = new Random(0);
            float[] xs = new float[batch * dims[0]];
            for (int i = 0; i < xs.length; i++) {
                xs[i] = (float) rnd.nextGaussian();
            }
            long[] ys = new long[batch];
            for (int i = 0; i < batch; i++) {
                ys[i] = rnd.nextInt(dims[dims.length - 1]);
            }
            Tensor x = Tensor.of(xs, batch, dims[0]);
            Tensor y = Tensor.of(ys, batch);
            long t0 = System.nanoTime();
            int done = 0;
            // torch_mlp.py's warm-up rule (30 steps) plus what the JIT needs: at least 10 s of steps, so the
            // measured steps run compiled code as a long-running server's do
            while (done < warmup || System.nanoTime() - t0 < 10_000_000_000L) {
                trainer.step(x, y);
                done++;
            }
            double per = (System.nanoTime() - t0) / 1e9 / done;
            steps = Math.max(15, Math.min(steps, (int) (budgetS / per)));
            double[] times = new double[steps];
            long peakBefore = HostAllocator.instance().allocatedBytes();
            com.sun.management.ThreadMXBean threads =
                    (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
            long heapBefore = threads.getCurrentThreadAllocatedBytes();
            long mallocsBefore = HostAllocator.instance().mallocCount();
            for (int i = 0; i < steps; i++) {
                long s = System.nanoTime();
                trainer.step(x, y);
                times[i] = (System.nanoTime() - s) / 1e6;
            }
            long leaked = HostAllocator.instance().allocatedBytes() - peakBefore;
            long heapPerStep = (threads.getCurrentThreadAllocatedBytes() - heapBefore) / steps;
            double mallocsPerStep = (double) (HostAllocator.instance().mallocCount() - mallocsBefore) / steps;
            Arrays.sort(times);
            double med = times[steps / 2];
            long macs = 0;
            for (int i = 0; i < dims.length - 1; i++) {
                macs += (long) dims[i] * dims[i + 1];
            }
            double flop = 2.0 * batch * (3 * macs - (long) dims[0] * dims[1]);
            System.out.printf("RESULT model=%s dims=%s batch=%d opt=%s precision=%s threads=%d median_ms=%.3f p10_ms=%.3f "
                            + "p90_ms=%.3f steps_per_s=%.1f GFLOP/s=%.2f steps=%d host_bytes_retained=%d "
                            + "heap_bytes_per_step=%d new_host_blocks_per_step=%.1f%n",
                    name, dims[0] + "-" + dims[1] + "-" + dims[2] + "-" + dims[3], batch, optName, precision,
                    io.nabla.backend.cpu.Parallel.threads(), med, times[steps / 10], times[steps * 9 / 10],
                    1000 / med, flop / med / 1e6, steps, leaked, heapPerStep, mallocsPerStep);
        }
    }
}
