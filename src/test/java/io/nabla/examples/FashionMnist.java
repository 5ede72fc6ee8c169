package io.nabla.examples;

import io.nabla.autograd.ReduceOps;
import io.nabla.autograd.ShapeOps;
import io.nabla.model.DataLoader;
import io.nabla.model.ModelBuilder;
import io.nabla.model.ModelSpec;
import io.nabla.model.Trainer;
import io.nabla.nn.Generator;
import io.nabla.nn.Loss;
import io.nabla.nn.Sequential;
import io.nabla.optim.Adam;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * Trains a small CNN on Fashion-MNIST (Debian's dataset-fashion-mnist) and reports test accuracy and time, in the
 * format of src/examples/fashion_mnist_torch.py, which trains the same model with PyTorch. Run both with
 * src/examples/fashion-mnist.sh. Args: [data dir] [epochs].
 */
public final class FashionMnist {

    static final String SPEC = """
            {"inputs": [{"name": "input", "datatype": "FP32", "shape": [-1, 1, 28, 28]}],
             "outputs": [{"name": "logits", "datatype": "FP32", "shape": [-1, 10]}],
             "layers": [{"type": "Conv2d", "in_channels": 1, "out_channels": 16, "kernel_size": 3, "padding": 1},
                        {"type": "ReLU"}, {"type": "MaxPool2d", "kernel_size": 2},
                        {"type": "Conv2d", "in_channels": 16, "out_channels": 32, "kernel_size": 3, "padding": 1},
                        {"type": "ReLU"}, {"type": "MaxPool2d", "kernel_size": 2},
                        {"type": "Flatten"},
                        {"type": "Linear", "in_features": 1568, "out_features": 10}],
             "seed": 0}""";

    private FashionMnist() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "/usr/share/datasets/fashion-mnist");
        int epochs = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        try (TensorScope root = TensorScope.open()) {
            Tensor trainX = images(dir.resolve("train-images-idx3-ubyte.gz"));
            Tensor trainY = labels(dir.resolve("train-labels-idx1-ubyte.gz"));
            Tensor testX = images(dir.resolve("t10k-images-idx3-ubyte.gz"));
            Tensor testY = labels(dir.resolve("t10k-labels-idx1-ubyte.gz"));
            Generator g = new Generator(0);
            Sequential model = ModelBuilder.build(ModelSpec.parse(SPEC), g);
            Trainer trainer = new Trainer(model, Loss.CROSS_ENTROPY,
                    new Adam(model.parameters(), Adam.Options.defaults().withLr(1e-3)));
            DataLoader loader = new DataLoader(Map.of("input", trainX, "target", trainY), 64, true, false, g);
            long t0 = System.nanoTime();
            List<Double> losses = trainer.fit(loader, "input", "target", epochs, null);
            double trainS = (System.nanoTime() - t0) / 1e9;
            double acc = accuracy(trainer, testX, testY);
            System.out.printf("RESULT impl=nabla epochs=%d steps=%d final_loss=%.4f test_accuracy=%.4f train_s=%.1f%n",
                    epochs, losses.size(), losses.get(losses.size() - 1), acc, trainS);
        }
    }

    private static double accuracy(Trainer trainer, Tensor x, Tensor y) {
        int n = x.size(0);
        long correct = 0;
        for (int s = 0; s < n; s += 1000) {
            try (TensorScope scope = TensorScope.open()) {
                int len = Math.min(1000, n - s);
                Tensor logits = trainer.predict(ShapeOps.narrow(x, 0, s, len));
                long[] pred = ReduceOps.argmax(logits, 1, false).toLongArray();
                long[] truth = ShapeOps.narrow(y, 0, s, len).toLongArray();
                for (int i = 0; i < len; i++) {
                    correct += pred[i] == truth[i] ? 1 : 0;
                }
            }
        }
        return (double) correct / n;
    }

    /** IDX3 images as (N, 1, 28, 28) FP32 in [0, 1]. */
    static Tensor images(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(open(file))) {
            int magic = in.readInt();
            if (magic != 2051) {
                throw new IOException(file + ": expected IDX3 magic 2051, got " + magic);
            }
            int n = in.readInt();
            int rows = in.readInt();
            int cols = in.readInt();
            byte[] raw = in.readNBytes(n * rows * cols);
            float[] v = new float[raw.length];
            for (int i = 0; i < v.length; i++) {
                v[i] = (raw[i] & 0xff) / 255f;
            }
            return Tensor.of(v, n, 1, rows, cols);
        }
    }

    /** IDX1 labels as (N) INT64. */
    static Tensor labels(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(open(file))) {
            int magic = in.readInt();
            if (magic != 2049) {
                throw new IOException(file + ": expected IDX1 magic 2049, got " + magic);
            }
            byte[] raw = in.readNBytes(in.readInt());
            long[] v = new long[raw.length];
            for (int i = 0; i < v.length; i++) {
                v[i] = raw[i] & 0xff;
            }
            return Tensor.of(v, v.length);
        }
    }

    private static InputStream open(Path file) throws IOException {
        return new GZIPInputStream(Files.newInputStream(file), 1 << 16);
    }
}
