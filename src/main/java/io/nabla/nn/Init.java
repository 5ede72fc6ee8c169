package io.nabla.nn;

import io.nabla.autograd.GradMode;
import io.nabla.backend.DType;
import io.nabla.tensor.Shape;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import java.util.function.Supplier;

/**
 * Parameter initialisation as {@code torch.nn.init} does it, drawing from a {@link Generator} exactly as PyTorch's
 * CPU kernels draw from theirs, so that the same seed gives the same float32 and float64 values. Reduced floats
 * (fp16, bf16) are drawn as float32 and rounded. Writes happen in place, without recording gradients.
 */
public final class Init {

    private Init() {
    }

    /** {@code uniform_(from, to)}: one generator draw per element, in row-major order. */
    public static Tensor uniform(Tensor t, double from, double to, Generator g) {
        if (!(from <= to)) {
            throw new IllegalArgumentException("uniform_ expects to return a [from, to) range, but found from="
                    + from + " > to=" + to);
        }
        int n = checkedNumel(t, "uniform_");
        if (t.dtype() == DType.FP64) {
            double[] v = new double[n];
            for (int i = 0; i < n; i++) {
                v[i] = g.uniformDouble(from, to);
            }
            return write(t, () -> Tensor.of(v, t.shape()));
        }
        float f = (float) from;
        float e = (float) to;
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = g.uniformFloat(f, e);
        }
        return write(t, () -> Tensor.of(v, t.shape()));
    }

    /**
     * {@code normal_(mean, std)}: contiguous tensors of 16 or more elements take PyTorch's vectorised Box-Muller
     * (see {@link NormalFill}); smaller ones draw one {@code normal_distribution<double>} sample per element.
     */
    public static Tensor normal(Tensor t, double mean, double std, Generator g) {
        if (!(std >= 0)) {
            throw new IllegalArgumentException("normal_ expects std >= 0.0, but found std " + std);
        }
        int n = checkedNumel(t, "normal_");
        if (n >= 16 && t.isContiguous() && t.dtype() == DType.FP64) {
            return write(t, () -> Tensor.of(normalFill64(n, mean, std, g), t.shape()));
        }
        if (n >= 16 && t.isContiguous() && t.dtype() != DType.FP64) {
            float[] v = new float[n];
            NormalFill.fill(v, (float) mean, (float) std, g);
            return write(t, () -> Tensor.of(v, t.shape()));
        }
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = g.normalDouble(mean, std);
        }
        return write(t, () -> Tensor.of(v, t.dtype() == DType.FP64 ? DType.FP64 : DType.FP32, t.shape()));
    }

    /** PyTorch's scalar {@code normal_fill<double>}: uniforms first, then Box-Muller pairs in blocks of 16. */
    private static double[] normalFill64(int n, double mean, double std, Generator g) {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = g.uniformDouble(0, 1);
        }
        for (int i = 0; i < n - 15; i += 16) {
            boxMuller64(d, i, mean, std);
        }
        if (n % 16 != 0) {
            int o = n - 16;
            for (int i = 0; i < 16; i++) {
                d[o + i] = g.uniformDouble(0, 1);
            }
            boxMuller64(d, o, mean, std);
        }
        return d;
    }

    private static void boxMuller64(double[] d, int o, double mean, double std) {
        for (int j = 0; j < 8; j++) {
            double radius = Math.sqrt(-2 * Math.log(1 - d[o + j]));
            double theta = 2.0f * Math.PI * d[o + j + 8];
            d[o + j] = radius * Math.cos(theta) * std + mean;
            d[o + j + 8] = radius * Math.sin(theta) * std + mean;
        }
    }

    /** Fills with a constant. */
    public static Tensor constant(Tensor t, double value) {
        try (GradMode.Region ignored = GradMode.disable()) {
            t.fill(value);
        }
        return t;
    }

    public static Tensor ones(Tensor t) {
        return constant(t, 1.0);
    }

    public static Tensor zeros(Tensor t) {
        return constant(t, 0.0);
    }

    /**
     * {@code kaiming_uniform_(t, a, mode="fan_in", nonlinearity="leaky_relu")}: uniform in +-bound with
     * bound = sqrt(3) * sqrt(2 / (1 + a^2)) / sqrt(fan_in). Linear and Conv layers use a = sqrt(5).
     */
    public static Tensor kaimingUniform(Tensor t, double a, Generator g) {
        int fanIn = fanIn(t);
        if (fanIn == 0) {
            return t;
        }
        double gain = Math.sqrt(2.0 / (1 + a * a));
        double std = gain / Math.sqrt(fanIn);
        double bound = Math.sqrt(3.0) * std;
        return uniform(t, -bound, bound, g);
    }

    /**
     * {@code xavier_uniform_(t, gain)}: uniform in +-bound with bound = gain * sqrt(3) * sqrt(2 / (fan_in + fan_out)),
     * fan_out being size(0) times the receptive field ({@code MultiheadAttention}'s {@code in_proj_weight}).
     */
    public static Tensor xavierUniform(Tensor t, double gain, Generator g) {
        long fanIn = fanIn(t);
        if (t.numel() == 0) {
            return t; // PyTorch: initializing zero-element tensors is a no-op
        }
        long fanOut = fanIn / t.size(1) * t.size(0);
        double std = gain * Math.sqrt(2.0 / (double) (fanIn + fanOut));
        double bound = Math.sqrt(3.0) * std;
        return uniform(t, -bound, bound, g);
    }

    /** The bias initialisation of Linear and Conv layers: uniform in +-1/sqrt(fan_in) of their weight. */
    public static Tensor biasUniform(Tensor bias, Tensor weight, Generator g) {
        int fanIn = fanIn(weight);
        double bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
        return uniform(bias, -bound, bound, g);
    }

    /** Fan in: size(1) times the receptive field (the product of the sizes after the second). */
    public static int fanIn(Tensor t) {
        if (t.dim() < 2) {
            throw new IllegalArgumentException("fan in and fan out can not be computed for a tensor with fewer than "
                    + "2 dimensions, got shape " + Shape.format(t.shape()));
        }
        long receptive = 1;
        for (int d = 2; d < t.dim(); d++) {
            receptive *= t.size(d);
        }
        return Math.toIntExact(t.size(1) * receptive);
    }

    private static int checkedNumel(Tensor t, String op) {
        if (!t.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException(op + " needs a floating point tensor, got " + t.dtype().torchName());
        }
        return Math.toIntExact(t.numel());
    }

    /**
     * Copies the drawn values into {@code t}; the host tensor that carries them lives in a scope of its own, freed
     * here (in the caller's scope it stayed allocated as long as the model: a loaded model held its parameters
     * twice).
     */
    private static Tensor write(Tensor t, Supplier<Tensor> values) {
        try (GradMode.Region ignored = GradMode.disable(); TensorScope drawn = TensorScope.open()) {
            t.copyFrom(values.get());
        }
        return t;
    }
}
