package io.nabla.bench;

import io.nabla.autograd.Autograd;
import io.nabla.autograd.ElementwiseOps;
import io.nabla.autograd.GradMode;
import io.nabla.autograd.ReduceOps;
import io.nabla.backend.DType;
import io.nabla.nn.Generator;
import io.nabla.nn.Init;
import io.nabla.nn.Rnn;
import io.nabla.optim.Adam;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;

/**
 * The recurrent layers of src/bench/torch_rnn.py (LSTM and GRU, 2 layers, input 128, hidden 256, batch_first, input
 * (batch, 32, 128)): an evaluation forward pass without grad at batch 1 and 16, and a training step (loss mean(y^2),
 * backward, Adam) at batch 16; the median of 21 samples after warm-up, printing the same RESULT lines. Run through
 * src/bench/cpu-bench.sh rnn.
 */
public final class RnnBench {

    private static final int IN = 128;
    private static final int HIDDEN = 256;
    private static final int LAYERS = 2;
    private static final int SEQ = 32;

    private RnnBench() {
    }

    public static void main(String[] args) {
        System.out.println("nabla threads=" + io.nabla.backend.cpu.Parallel.threads() + " java="
                + System.getProperty("java.version"));
        Generator g = new Generator(1);
        try (TensorScope root = TensorScope.open()) {
            for (Rnn.Mode mode : new Rnn.Mode[] {Rnn.Mode.LSTM, Rnn.Mode.GRU}) {
                String name = mode.name().toLowerCase();
                Rnn model = new Rnn(mode, IN, HIDDEN, LAYERS, true, true, 0, false, new Generator(0));
                model.eval();
                try (GradMode.Region ng = GradMode.disable()) {
                    for (int batch : new int[] {1, 16}) {
                        Tensor x = Init.normal(Tensor.empty(DType.FP32, batch, SEQ, IN), 0, 1, g);
                        BenchTiming.report(name + "_forward", batch, BenchTiming.median(() -> model.forward(x), 50));
                    }
                }
                model.train();
                Adam opt = new Adam(model.parameters(), Adam.Options.defaults());
                Tensor x = Init.normal(Tensor.empty(DType.FP32, 16, SEQ, IN), 0, 1, g);
                BenchTiming.report(name + "_train_step", 16, BenchTiming.median(() -> {
                    opt.zeroGrad();
                    Tensor y = model.forward(x);
                    Autograd.backward(ReduceOps.mean(ElementwiseOps.mul(y, y)));
                    opt.step();
                }, 30));
            }
        }
    }
}
