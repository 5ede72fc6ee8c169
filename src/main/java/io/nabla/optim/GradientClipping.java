package io.nabla.optim;

import io.nabla.autograd.GradMode;
import io.nabla.backend.DType;
import io.nabla.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/** {@code torch.nn.utils.clip_grad_norm_}: rescales gradients in place so that their joint norm is at most a bound. */
public final class GradientClipping {

    private GradientClipping() {
    }

    /**
     * Computes the {@code normType}-norm of all gradients together (the norm of the per-tensor norms; the largest
     * absolute value for {@code +inf}) and multiplies every gradient by {@code min(1, maxNorm / (total + 1e-6))},
     * as PyTorch 1.13 does. Parameters without a gradient are ignored. Returns the total norm before clipping
     * (0 when no parameter has a gradient).
     */
    public static double clipGradNorm(List<Tensor> params, double maxNorm, double normType) {
        if (Double.isNaN(maxNorm) || maxNorm < 0) {
            throw new IllegalArgumentException("max_norm: expected a non-negative number, got " + maxNorm);
        }
        if (Double.isNaN(normType) || normType < 0) {
            throw new IllegalArgumentException("norm_type: expected a non-negative number or +inf, got " + normType);
        }
        List<Tensor> grads = new ArrayList<>();
        for (Tensor p : params) {
            if (p.grad() != null) {
                grads.add(p.grad());
            }
        }
        if (grads.isEmpty()) {
            return 0.0;
        }
        boolean single = grads.get(0).dtype() != DType.FP64;
        boolean inf = normType == Double.POSITIVE_INFINITY;
        double total = 0;
        for (Tensor g : grads) {
            double n = round(norm(g.backend().optimizer().sumAbsPow(g.dtype(), g.memory(), g.layout(), normType),
                    normType), single);
            total = inf ? (Double.isNaN(n) || n > total ? n : total) : total + (normType == 0 ? (n != 0 ? 1 : 0)
                    : Math.pow(n, normType));
        }
        total = round(inf ? total : norm(total, normType), single);
        double coef = single ? (float) maxNorm / (float) ((float) total + 1e-6f) : maxNorm / (total + 1e-6);
        if (coef < 1 || Double.isNaN(coef)) {
            try (GradMode.Region ignored = GradMode.disable()) {
                for (Tensor g : grads) {
                    g.backend().optimizer().scale(g.dtype(), g.memory(), g.layout(), coef);
                    g.bumpVersion();
                }
            }
        }
        return total;
    }

    /** The p-norm from the sum of |x|^p (already the max for +inf, the count for 0). */
    private static double norm(double sumPow, double p) {
        if (p == Double.POSITIVE_INFINITY || p == 0 || p == 1) {
            return sumPow;
        }
        return p == 2 ? Math.sqrt(sumPow) : Math.pow(sumPow, 1 / p);
    }

    private static double round(double v, boolean single) {
        return single ? (float) v : v;
    }
}
