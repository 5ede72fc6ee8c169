package io.nabla.bench;

import io.nabla.autograd.ActivationOps;
import io.nabla.autograd.ElementwiseOps;
import io.nabla.autograd.GradMode;
import io.nabla.autograd.NormOps;
import io.nabla.autograd.ReduceOps;
import io.nabla.autograd.ShapeOps;
import io.nabla.backend.BinaryOp;
import io.nabla.backend.DType;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;

/**
 * Elementwise and reduction throughput on 16M-element FP32 tensors, the same ops, sizes and sampling as
 * ../shared/bench/torch_ops.py (median of 15 samples after warm-up), printing the same RESULT lines. Every op is
 * warmed up (3 passes of 20 calls over all ops) before the first is measured, then each gets the anchor's three
 * calls right before its samples.
 * {@code add}/{@code mul} write into a preallocated output as torch's {@code out=} does; the others allocate
 * their result each call, as torch does. Run through src/bench/cpu-bench.sh.
 */
public final class OpsBench {

    private OpsBench() {
    }

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 16 * 1024 * 1024;
        int samples = 15;
        Random rnd = new Random(0);
        float[] va = new float[n];
        float[] vb = new float[n];
        for (int i = 0; i < n; i++) {
            va[i] = (float) rnd.nextGaussian();
            vb[i] = (float) rnd.nextGaussian();
        }
        try (GradMode.Region ng = GradMode.disable(); TensorScope root = TensorScope.open()) {
            Tensor a = Tensor.of(va, n);
            Tensor b = Tensor.of(vb, n);
            Tensor out = Tensor.empty(DType.FP32, n);
            Tensor m = ShapeOps.view(a, -1, 1024);
            System.out.println("nabla threads=" + io.nabla.backend.cpu.Parallel.threads() + " n=" + n
                    + " java=" + System.getProperty("java.version"));
            Map<String, Supplier<Tensor>> ops = new LinkedHashMap<>();
            Map<String, Long> bytes = new LinkedHashMap<>();
            op(ops, bytes, "add", 12L * n, () -> binaryInto(BinaryOp.ADD, a, b, out));
            op(ops, bytes, "mul", 12L * n, () -> binaryInto(BinaryOp.MUL, a, b, out));
            op(ops, bytes, "relu", 8L * n, () -> ActivationOps.relu(a));
            op(ops, bytes, "exp", 8L * n, () -> ElementwiseOps.exp(a));
            op(ops, bytes, "sum", 4L * n, () -> ReduceOps.sum(a));
            op(ops, bytes, "sum_dim1", 4L * n, () -> ReduceOps.sum(m, new int[] {1}, false));
            op(ops, bytes, "softmax_dim1", 8L * n, () -> NormOps.softmax(m, 1));
            // Warm-up of every op before any is measured: C2 compiles in background threads, which on a 2-core
            // machine take a core from the op being measured (with each op warmed just before its own samples,
            // the first ops were still measured next to the JIT compiling the later ones).
            for (int pass = 0; pass < WARM_UP_PASSES; pass++) {
                for (Supplier<Tensor> op : ops.values()) {
                    for (int i = 0; i < 20; i++) {
                        try (TensorScope s = TensorScope.open()) {
                            op.get();
                        }
                    }
                }
            }
            ops.forEach((name, op) -> run(n, name, bytes.get(name), samples, op));
        }
    }

    /** Passes of 20 calls of every op before the first sample. */
    private static final int WARM_UP_PASSES = 3;

    private static void op(Map<String, Supplier<Tensor>> ops, Map<String, Long> bytes, String name, long moved,
                           Supplier<Tensor> op) {
        ops.put(name, op);
        bytes.put(name, moved);
    }

    private static Tensor binaryInto(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        a.backend().elementwise().binary(op, a.memory(), a.layout(), b.memory(), b.layout(), DType.FP32,
                out.memory(), out.layout(), DType.FP32);
        return out;
    }

    private static void run(int n, String name, long bytes, int samples, Supplier<Tensor> op) {
        for (int i = 0; i < 3; i++) { // as the anchor: three calls right before the samples
            try (TensorScope s = TensorScope.open()) {
                op.get();
            }
        }
        List<Double> times = new ArrayList<>();
        for (int i = 0; i < samples; i++) {
            try (TensorScope s = TensorScope.open()) {
                long t0 = System.nanoTime();
                op.get();
                times.add((System.nanoTime() - t0) / 1e6);
            }
        }
        Collections.sort(times);
        double med = times.get(times.size() / 2);
        System.out.printf("RESULT op=%s n=%d median_ms=%.3f GB/s=%.2f%n", name, n, med, bytes / med / 1e6);
    }
}
