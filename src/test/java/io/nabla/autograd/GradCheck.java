package io.nabla.autograd;

import static org.assertj.core.api.Assertions.fail;

import io.nabla.backend.DType;
import io.nabla.tensor.Shape;
import io.nabla.tensor.Tensor;
import java.util.Random;
import java.util.function.Function;

/**
 * Float64 finite-difference gradient check (as {@code torch.autograd.gradcheck}): for a random upstream gradient
 * {@code u}, the analytic gradient of {@code sum(f(x) * u)} must match central differences with step {@code eps}
 * element by element. Inputs must be FP64 tensors that require grad; they may be non-contiguous views.
 */
public final class GradCheck {

    private GradCheck() {
    }

    public static void check(String what, Function<Tensor[], Tensor> f, Tensor... inputs) {
        check(what, f, 1e-6, 1e-5, 1e-4, inputs);
    }

    public static void check(String what, Function<Tensor[], Tensor> f, double eps, double atol, double rtol,
                             Tensor... inputs) {
        for (Tensor x : inputs) {
            if (x.dtype() != DType.FP64) {
                throw new IllegalArgumentException("gradcheck needs float64 inputs, got " + x.dtype());
            }
        }
        Tensor out = f.apply(inputs);
        Random rnd = new Random(what.hashCode());
        double[] u = new double[(int) out.numel()];
        for (int i = 0; i < u.length; i++) {
            u[i] = rnd.nextGaussian();
        }
        Tensor up = Tensor.of(u, DType.FP64, out.shape());
        for (Tensor x : inputs) {
            x.setGrad(null);
        }
        Autograd.backward(out, up, false);
        for (int k = 0; k < inputs.length; k++) {
            Tensor x = inputs[k];
            if (!x.requiresGrad()) {
                continue;
            }
            double[] analytic = x.grad() == null ? new double[(int) x.numel()] : x.grad().toDoubleArray();
            int[] shape = x.shape();
            for (int i = 0; i < analytic.length; i++) {
                int[] idx = unravel(i, shape);
                double orig = x.getDouble(idx);
                double plus;
                double minus;
                try (GradMode.Region ng = GradMode.disable()) {
                    x.setDouble(orig + eps, idx);
                    plus = dot(f.apply(inputs), u);
                    x.setDouble(orig - eps, idx);
                    minus = dot(f.apply(inputs), u);
                    x.setDouble(orig, idx);
                }
                double numeric = (plus - minus) / (2 * eps);
                if (Math.abs(numeric - analytic[i]) > atol + rtol * Math.abs(numeric)) {
                    fail(String.format("%s: d/d input%d%s: analytic %.10g, numeric %.10g (shape %s)", what, k,
                            java.util.Arrays.toString(idx), analytic[i], numeric, Shape.format(shape)));
                }
            }
        }
    }

    private static double dot(Tensor t, double[] u) {
        double[] v = t.toDoubleArray();
        double s = 0;
        for (int i = 0; i < v.length; i++) {
            s += v[i] * u[i];
        }
        return s;
    }

    private static int[] unravel(int flat, int[] shape) {
        int[] idx = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = flat % shape[d];
            flat /= shape[d];
        }
        return idx;
    }

    /** A random FP64 leaf of this shape that requires grad; {@code transposed} makes it a non-contiguous view. */
    public static Tensor randn(Random rnd, boolean transposed, int... shape) {
        int[] s = shape.clone();
        if (transposed && s.length >= 2) {
            int t = s[s.length - 1];
            s[s.length - 1] = s[s.length - 2];
            s[s.length - 2] = t;
        }
        double[] v = new double[(int) Shape.numel(s)];
        for (int i = 0; i < v.length; i++) {
            v[i] = rnd.nextGaussian();
        }
        Tensor base = Tensor.of(v, DType.FP64, s);
        Tensor x = transposed && s.length >= 2 ? ShapeOps.transpose(base, -1, -2) : base;
        // make it a leaf view that requires grad
        Tensor leaf = x.detach();
        leaf.requiresGrad(true);
        return leaf;
    }
}
