package io.nabla.autograd;

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

    /** log(1 + exp(beta * x)) / beta, or x where beta * x &gt; threshold. */
    public static Tensor softplus(Tensor x, double beta, double threshold) {
        return ElementwiseOps.unaryOp("SoftplusBackward", UnaryOp.SOFTPLUS, beta, threshold, x);
    }

    /** elu with PyTorch's default alpha = 1. */
    public static Tensor elu(Tensor x) {
        return elu(x, 1.0);
    }

    /** x for x &gt; 0, else alpha * (exp(x) - 1). */
    public static Tensor elu(Tensor x, double alpha) {
        return ElementwiseOps.unaryOp("EluBackward", UnaryOp.ELU, alpha, 0, x);
    }
}
