package io.nabla.bench;

import io.nabla.autograd.ActivationOps;
import io.nabla.autograd.GradMode;
import io.nabla.backend.DType;
import io.nabla.backend.UnaryOp;
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
 * Activation throughput on 16M-element FP32 tensors, the ops, sizes and sampling of src/bench/torch_activations.py
 * (median of 15 samples after warm-up), printing the same RESULT lines. Every op is warmed up before the first is
 * measured (as in {@link OpsBench}). Forward ops allocate their result; the gradients run the backend's
 * {@code unaryBackward} kernel (what autograd calls) into a new tensor. Run through src/bench/cpu-bench.sh act.
 */
public final class ActivationBench {

    private ActivationBench() {
    }

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 16 * 1024 * 1024;
        Random rnd = new Random(0);
        float[] vx = new float[n];
        float[] vg = new float[n];
        for (int i = 0; i < n; i++) {
            vx[i] = (float) rnd.nextGaussian();
            vg[i] = (float) rnd.nextGaussian();
        }
        try (GradMode.Region ng = GradMode.disable(); TensorScope root = TensorScope.open()) {
            Tensor x = Tensor.of(vx, n);
            Tensor g = Tensor.of(vg, n);
            System.out.println("nabla threads=" + io.nabla.backend.cpu.Parallel.threads() + " n=" + n
                    + " java=" + System.getProperty("java.version"));
            Map<String, Supplier<Tensor>> ops = new LinkedHashMap<>();
            ops.put("sigmoid", () -> ActivationOps.sigmoid(x));
            ops.put("tanh", () -> ActivationOps.tanh(x));
            ops.put("silu", () -> ActivationOps.silu(x));
            ops.put("gelu", () -> ActivationOps.gelu(x));
            ops.put("gelu_tanh", () -> ActivationOps.gelu(x, "tanh"));
            ops.put("silu_backward", () -> backward(UnaryOp.SILU, g, x));
            ops.put("gelu_backward", () -> backward(UnaryOp.GELU, g, x));
            ops.put("gelu_tanh_backward", () -> backward(UnaryOp.GELU_TANH, g, x));
            for (int pass = 0; pass < 3; pass++) {
                for (Supplier<Tensor> op : ops.values()) {
                    for (int i = 0; i < 10; i++) {
                        try (TensorScope s = TensorScope.open()) {
                            op.get();
                        }
                    }
                }
            }
            ops.forEach((name, op) -> run(n, name, op));
        }
    }

    private static Tensor backward(UnaryOp op, Tensor g, Tensor x) {
        Tensor out = Tensor.empty(DType.FP32, x.shape());
        x.backend().elementwise().unaryBackward(op, 0, 0, g.memory(), g.layout(), x.memory(), x.layout(),
                out.memory(), out.layout(), DType.FP32);
        return out;
    }

    private static void run(int n, String name, Supplier<Tensor> op) {
        for (int i = 0; i < 3; i++) {
            try (TensorScope s = TensorScope.open()) {
                op.get();
            }
        }
        List<Double> times = new ArrayList<>();
        for (int i = 0; i < 15; i++) {
            try (TensorScope s = TensorScope.open()) {
                long t0 = System.nanoTime();
                op.get();
                times.add((System.nanoTime() - t0) / 1e6);
            }
        }
        Collections.sort(times);
        System.out.printf("RESULT op=%s n=%d median_ms=%.3f%n", name, n, times.get(times.size() / 2));
    }
}
