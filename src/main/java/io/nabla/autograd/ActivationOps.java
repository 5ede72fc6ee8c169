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

    // ---- selu, celu, logsigmoid, softsign, tanhshrink, threshold, hardshrink, softshrink: composed, PyTorch's grads

    /** SELU's alpha and scale, as PyTorch writes them. */
    public static final double SELU_ALPHA = 1.6732632423543772848170429916717;
    public static final double SELU_SCALE = 1.0507009873554804934193349852946;

    /** {@code scale * elu(x, alpha)} with SELU's constants (PyTorch's {@code elu(x, alpha, scale)}). */
    public static Tensor selu(Tensor x) {
        return ElementwiseOps.mul(elu(x, SELU_ALPHA), SELU_SCALE);
    }

    /**
     * {@code x} for x &gt; 0, else {@code alpha (exp(x / alpha) - 1)}; the gradient is PyTorch's {@code elu_backward}:
     * {@code g} for x &gt; 0, else {@code g exp(x / alpha)} (1 at 0, NaN for NaN).
     */
    public static Tensor celu(Tensor x, double alpha) {
        if (alpha == 0 || !Double.isFinite(alpha)) {
            throw new IllegalArgumentException("alpha: expected a finite number other than 0, got " + alpha);
        }
        Tensor y;
        try (GradMode.Region off = GradMode.disable()) {
            Tensor positive = ElementwiseOps.gt(x, 0.0);
            // the exponential sees min(x, 0) (and NaN), so the side not taken never overflows
            Tensor negative = ElementwiseOps.mul(ElementwiseOps.sub(ElementwiseOps.exp(ElementwiseOps.div(
                    ElementwiseOps.where(positive, 0.0, x), alpha)), 1.0), alpha);
            y = ElementwiseOps.where(positive, x, negative);
        }
        if (!Autograd.needsGrad(x)) {
            return y;
        }
        return Autograd.record("CeluBackward", y, new Tensor[] {x}, new Tensor[] {x}, (n, g) -> {
            Tensor xs = n.saved(0);
            Tensor gx = g.dataAs(xs.dtype());
            Tensor positive = ElementwiseOps.gt(xs, 0.0);
            Tensor slope = ElementwiseOps.exp(ElementwiseOps.div(ElementwiseOps.where(positive, 0.0, xs), alpha));
            return new Tensor[] {ElementwiseOps.where(positive, gx, ElementwiseOps.mul(gx, slope))};
        });
    }

    /** {@code log(sigmoid(x))} as {@code -softplus(-x)}: stable at both ends; gradient {@code 1 - sigmoid(x)}. */
    public static Tensor logSigmoid(Tensor x) {
        return ElementwiseOps.neg(softplus(ElementwiseOps.neg(x)));
    }

    /** {@code x / (1 + |x|)}, PyTorch's own composition. */
    public static Tensor softsign(Tensor x) {
        return ElementwiseOps.div(x, ElementwiseOps.add(ElementwiseOps.abs(x), 1.0));
    }

    /** {@code x - tanh(x)}, PyTorch's own composition. */
    public static Tensor tanhshrink(Tensor x) {
        return ElementwiseOps.sub(x, tanh(x));
    }

    /** {@code value} where {@code x <= threshold}, else {@code x} (a NaN stays); gradient 0 there, else {@code g}. */
    public static Tensor threshold(Tensor x, double threshold, double value) {
        return ElementwiseOps.where(ElementwiseOps.le(x, threshold), value, x);
    }

    /**
     * 0 for {@code -lambd <= x <= lambd}, else {@code x} (a NaN stays); the gradient is PyTorch's vectorised
     * {@code hardshrink_backward}: {@code g} where {@code |x| > lambd}, else 0 (a NaN too).
     */
    public static Tensor hardshrink(Tensor x, double lambd) {
        Tensor y;
        try (GradMode.Region off = GradMode.disable()) {
            y = ElementwiseOps.where(inside(x, lambd), 0.0, x);
        }
        return shrinkGradient("HardshrinkBackward", x, y, lambd);
    }

    /**
     * {@code x - lambd} above {@code lambd}, {@code x + lambd} below {@code -lambd}, else 0 (a NaN too); the gradient
     * is PyTorch's vectorised {@code softshrink_backward}: {@code g} where {@code |x| > lambd}, else 0 (a NaN too).
     */
    public static Tensor softshrink(Tensor x, double lambd) {
        if (!(lambd >= 0) || Double.isInfinite(lambd)) {
            throw new IllegalArgumentException("lambd: expected a non-negative finite number, got " + lambd);
        }
        Tensor y;
        try (GradMode.Region off = GradMode.disable()) {
            y = ElementwiseOps.where(ElementwiseOps.gt(x, lambd), ElementwiseOps.sub(x, lambd),
                    ElementwiseOps.where(ElementwiseOps.lt(x, -lambd), ElementwiseOps.add(x, lambd), 0.0));
        }
        return shrinkGradient("SoftshrinkBackward", x, y, lambd);
    }

    /** {@code y} recorded with the shrinks' gradient: {@code g} where {@code |x| > lambd}, else 0 (a NaN too). */
    private static Tensor shrinkGradient(String name, Tensor x, Tensor y, double lambd) {
        if (!Autograd.needsGrad(x)) {
            return y;
        }
        return Autograd.record(name, y, new Tensor[] {x}, new Tensor[] {x}, (n, g) -> {
            Tensor xs = n.saved(0);
            return new Tensor[] {ElementwiseOps.where(ElementwiseOps.gt(ElementwiseOps.abs(xs), lambd),
                    g.dataAs(xs.dtype()), 0.0)};
        });
    }

    private static Tensor inside(Tensor x, double lambd) {
        return ElementwiseOps.logicalAnd(ElementwiseOps.ge(x, -lambd), ElementwiseOps.le(x, lambd));
    }
}
