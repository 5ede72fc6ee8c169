package io.nabla.autograd;

import io.nabla.backend.DType;
import io.nabla.backend.UnaryOp;
import io.nabla.tensor.Tensor;

/**
 * Activation functions with PyTorch's names, defaults and gradients ({@code torch.nn.functional}). Each is one
 * elementwise kernel forward and one fused gradient kernel backward; the formulas are in
 * {@link io.nabla.backend.ElementwiseMath} ({@code unary} and {@code unaryGrad}), in this order. Integer inputs
 * compute in FP32, except relu, which keeps integers. Gradients at the kinks follow PyTorch: relu passes 0 at 0,
 * leaky_relu and elu use their negative-side slope at 0.
 */
public final class ActivationOps {

    private ActivationOps() {
    }

    public static Tensor tanh(Tensor x) {
        return ElementwiseOps.unaryOp("TanhBackward", UnaryOp.TANH, 0, 0, x);
    }

    public static Tensor sigmoid(Tensor x) {
        return ElementwiseOps.unaryOp("SigmoidBackward", UnaryOp.SIGMOID, 0, 0, x);
    }

    /** max(x, 0); NaN stays NaN. */
    public static Tensor relu(Tensor x) {
        return ElementwiseOps.unaryOp("ReluBackward", UnaryOp.RELU, 0, 0, x);
    }

    /** leaky_relu with PyTorch's default negative_slope 0.01. */
    public static Tensor leakyRelu(Tensor x) {
        return leakyRelu(x, 0.01);
    }

    /** x for x &gt; 0, else x * negativeSlope. */
    public static Tensor leakyRelu(Tensor x, double negativeSlope) {
        return ElementwiseOps.unaryOp("LeakyReluBackward", UnaryOp.LEAKY_RELU, negativeSlope, 0, x);
    }

    /** Exact GELU: x * Phi(x) (approximate = "none"). */
    public static Tensor gelu(Tensor x) {
        return gelu(x, "none");
    }

    /** GELU with {@code approximate} "none" (exact, through erf) or "tanh". */
    public static Tensor gelu(Tensor x, String approximate) {
        if ("none".equals(approximate)) {
            return ElementwiseOps.unaryOp("GeluBackward", UnaryOp.GELU, 0, 0, x);
        }
        if ("tanh".equals(approximate)) {
            return ElementwiseOps.unaryOp("GeluBackward", UnaryOp.GELU_TANH, 0, 0, x);
        }
        throw new IllegalArgumentException("approximate argument must be either none or tanh, got '" + approximate
                + "'");
    }

    /** x * sigmoid(x). */
    public static Tensor silu(Tensor x) {
        return ElementwiseOps.unaryOp("SiluBackward", UnaryOp.SILU, 0, 0, x);
    }

    /** softplus with PyTorch's defaults beta = 1, threshold = 20. */
    public static Tensor softplus(Tensor x) {
        return softplus(x, 1.0, 20.0);
    }

    /** log(1 + exp(beta * x)) / beta, or x where beta * x &gt; threshold. In FP32 under {@link Autocast}. */
    public static Tensor softplus(Tensor x, double beta, double threshold) {
        x = Autocast.fp32(x);
        return ElementwiseOps.unaryOp("SoftplusBackward", UnaryOp.SOFTPLUS, beta, threshold, x);
    }

    /**
     * {@code x * tanh(softplus(x))}, composed of those ops, so its gradient is theirs by the chain rule:
     * {@code g (tanh(sp) + x sigmoid(x) (1 - tanh(sp)^2))}, PyTorch's {@code mish_backward}. PyTorch's softplus inside
     * mish has no threshold; above this softplus's threshold (20) both tanh's are 1 in float and the results agree.
     * FP16 and BF16 inputs compute in FP32 and round once.
     */
    public static Tensor mish(Tensor x) {
        if (x.dtype() == DType.FP16 || x.dtype() == DType.BF16) {
            // computed in FP32 and rounded once, as PyTorch's CUDA kernel computes half types in float
            try (Autocast.Region off = Autocast.disable()) {
                return ShapeOps.to(mish(ShapeOps.to(x, DType.FP32)), x.dtype());
            }
        }
        return ElementwiseOps.mul(x, tanh(softplus(x)));
    }

    /** elu with PyTorch's default alpha = 1. */
    public static Tensor elu(Tensor x) {
        return elu(x, 1.0);
    }

    /** x for x &gt; 0, else alpha * (exp(x) - 1). */
    public static Tensor elu(Tensor x, double alpha) {
        return ElementwiseOps.unaryOp("EluBackward", UnaryOp.ELU, alpha, 0, x);
    }

    // ---- hardtanh, relu6, hardsigmoid, hardswish: composed of elementwise kernels, with PyTorch's gradients ---------

    /**
     * {@code clamp(x, minVal, maxVal)}; the gradient is {@code g} strictly inside (minVal, maxVal), else 0: 0 at the
     * bounds themselves, where {@code clamp}'s passes, and for NaN. That is PyTorch's vectorised
     * {@code hardtanh_backward}; its scalar loop, which PyTorch runs on the last {@code n % 16} elements of a float
     * tensor, passes a NaN's gradient. {@code relu6} is {@code hardtanh(x, 0, 6)}.
     */
    public static Tensor hardtanh(Tensor x, double minVal, double maxVal) {
        if (!(minVal <= maxVal)) {
            throw new IllegalArgumentException("hardtanh: min_val must not exceed max_val, got min_val " + minVal
                    + " and max_val " + maxVal);
        }
        Tensor y;
        try (GradMode.Region off = GradMode.disable()) {
            y = ElementwiseOps.clamp(x, minVal, maxVal);
        }
        if (!Autograd.needsGrad(x)) {
            return y;
        }
        return Autograd.record("HardtanhBackward", y, new Tensor[] {x}, new Tensor[] {x}, (n, g) -> {
            Tensor xs = n.saved(0);
            Tensor inside = ElementwiseOps.logicalAnd(ElementwiseOps.gt(xs, minVal), ElementwiseOps.lt(xs, maxVal));
            return new Tensor[] {ElementwiseOps.where(inside, g.dataAs(xs.dtype()), 0.0)};
        });
    }

    /** {@code hardtanh(x, 0, 6)}, PyTorch's {@code relu6}. */
    public static Tensor relu6(Tensor x) {
        return hardtanh(x, 0, 6);
    }

    /**
     * {@code clamp(x + 3, 0, 6) / 6} in PyTorch's order; the gradient is PyTorch's {@code hardsigmoid_backward}:
     * {@code g * (1 / 6)} strictly inside (-3, 3), else 0 (a NaN too).
     */
    public static Tensor hardsigmoid(Tensor x) {
        Tensor y;
        try (GradMode.Region off = GradMode.disable()) {
            y = ElementwiseOps.div(ElementwiseOps.clamp(ElementwiseOps.add(x, 3.0), 0.0, 6.0), 6.0);
        }
        if (!Autograd.needsGrad(x)) {
            return y;
        }
        return Autograd.record("HardsigmoidBackward", y, new Tensor[] {x}, new Tensor[] {x}, (n, g) -> {
            Tensor xs = n.saved(0);
            Tensor inside = ElementwiseOps.logicalAnd(ElementwiseOps.gt(xs, -3.0), ElementwiseOps.lt(xs, 3.0));
            return new Tensor[] {ElementwiseOps.where(inside, ElementwiseOps.mul(g.dataAs(xs.dtype()), 1.0 / 6), 0.0)};
        });
    }

    /**
     * {@code x * clamp(x + 3, 0, 6) / 6} in PyTorch's order; the gradient is PyTorch's vectorised
     * {@code hardswish_backward}: 0 below -3, {@code g} from 3 up, {@code g (x / 3 + 0.5)} between (-3 included,
     * and NaN, which gives NaN). PyTorch's scalar loop for a tensor's last {@code n % 16} elements takes 3 itself and
     * NaN to the other sides.
     */
    public static Tensor hardswish(Tensor x) {
        Tensor y;
        try (GradMode.Region off = GradMode.disable()) {
            y = ElementwiseOps.div(ElementwiseOps.mul(x, ElementwiseOps.clamp(ElementwiseOps.add(x, 3.0), 0.0, 6.0)),
                    6.0);
        }
        if (!Autograd.needsGrad(x)) {
            return y;
        }
        return Autograd.record("HardswishBackward", y, new Tensor[] {x}, new Tensor[] {x}, (n, g) -> {
            Tensor xs = n.saved(0);
            Tensor gx = g.dataAs(xs.dtype());
            Tensor middle = ElementwiseOps.mul(gx, ElementwiseOps.add(ElementwiseOps.div(xs, 3.0), 0.5));
            Tensor inner = ElementwiseOps.where(ElementwiseOps.ge(xs, 3.0), gx, middle);
            return new Tensor[] {ElementwiseOps.where(ElementwiseOps.lt(xs, -3.0), 0.0, inner)};
        });
    }
}
