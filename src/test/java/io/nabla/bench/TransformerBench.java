package io.nabla.bench;

import io.nabla.autograd.Autograd;
import io.nabla.autograd.ElementwiseOps;
import io.nabla.autograd.GradMode;
import io.nabla.autograd.ReduceOps;
import io.nabla.backend.DType;
import io.nabla.nn.Generator;
import io.nabla.nn.Init;
import io.nabla.nn.Module;
import io.nabla.nn.TransformerEncoder;
import io.nabla.nn.TransformerEncoderLayer;
import io.nabla.optim.AdamW;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import java.util.ArrayList;
import java.util.List;

/**
 * The transformer encoder of src/bench/torch_transformer.py (2 layers, d_model 256, 4 heads, feed-forward 1024,
 * batch_first, GELU, input (batch, 64, 256)): an evaluation forward pass without grad at batch 1 and 16, and a
 * training step (dropout 0.1, loss mean(y^2), backward, AdamW) at batch 16; the median of 21 samples after warm-up,
 * printing the same RESULT lines. Run through src/bench/cpu-bench.sh transformer; an argument {@code forward} or
 * {@code train} runs only those (to profile one).
 */
public final class TransformerBench {

    private static final int D = 256;
    private static final int HEADS = 4;
    private static final int FF = 1024;
    private static final int LAYERS = 2;
    private static final int SEQ = 64;

    private TransformerBench() {
    }

    private static TransformerEncoder encoder() {
        Generator g = new Generator(0);
        long[] state = g.getState();
        List<Module> layers = new ArrayList<>();
        for (int i = 0; i < LAYERS; i++) {
            g.setState(state); // PyTorch deep-copies one layer
            layers.add(new TransformerEncoderLayer(D, HEADS, FF, 0.1, "gelu", 1e-5, true, false, g));
        }
        return new TransformerEncoder(layers, null);
    }

    private static Tensor input(int batch, Generator g) {
        return Init.normal(Tensor.empty(DType.FP32, batch, SEQ, D), 0, 1, g);
    }

    public static void main(String[] args) {
        System.out.println("nabla threads=" + io.nabla.backend.cpu.Parallel.threads() + " java="
                + System.getProperty("java.version"));
        Generator g = new Generator(1);
        try (TensorScope root = TensorScope.open()) {
            TransformerEncoder model = encoder();
            model.eval();
            boolean all = args.length == 0;
            try (GradMode.Region ng = GradMode.disable()) {
                for (int batch : all || args[0].equals("forward") ? new int[] {1, 16} : new int[0]) {
                    Tensor x = input(batch, g);
                    BenchTiming.report("encoder_forward", batch, BenchTiming.median(() -> model.forward(x), 50));
                }
            }
            if (!all && !args[0].equals("train")) {
                return;
            }
            TransformerEncoder train = encoder();
            train.train();
            AdamW opt = new AdamW(train.parameters(), AdamW.defaults().withLr(1e-4));
            Tensor x = input(16, g);
            BenchTiming.report("encoder_train_step", 16, BenchTiming.median(() -> {
                opt.zeroGrad();
                Tensor y = train.forward(x);
                Autograd.backward(ReduceOps.mean(ElementwiseOps.mul(y, y)));
                opt.step();
            }, 30));
        }
    }
}
