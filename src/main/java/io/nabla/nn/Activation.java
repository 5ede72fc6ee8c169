package io.nabla.nn;

import io.nabla.autograd.ActivationOps;
import io.nabla.tensor.Tensor;

/**
 * The parameter-free elementwise layers of {@code torch.nn}: {@code ReLU}, {@code LeakyReLU(negative_slope=0.01)},
 * {@code GELU(approximate="none")}, {@code SiLU}, {@code Tanh}, {@code Sigmoid}, {@code ELU(alpha=1.0)} and
 * {@code Softplus(beta=1.0, threshold=20.0)}, {@code Hardtanh(min_val=-1.0, max_val=1.0)}, {@code ReLU6},
 * {@code Hardsigmoid}, {@code Hardswish}, {@code Mish}, {@code SELU}, {@code CELU(alpha=1.0)}, {@code LogSigmoid},
 * {@code Softsign}, {@code Tanhshrink}, {@code Threshold(threshold, value)}, {@code Hardshrink(lambd=0.5)} and
 * {@code Softshrink(lambd=0.5)}. {@link #typeName()} gives PyTorch's class name.
 */
public final class Activation extends Module {

    /** The function applied. */
    public enum Function { RELU, LEAKY_RELU, GELU, SILU, TANH, SIGMOID, ELU, SOFTPLUS, HARDTANH, RELU6, HARDSIGMOID,
        HARDSWISH, MISH, SELU, CELU, LOG_SIGMOID, SOFTSIGN, TANHSHRINK, THRESHOLD, HARDSHRINK, SOFTSHRINK }

    private final Function function;
    /** negative_slope, alpha or beta. */
    private final double p0;
    /** Softplus's threshold. */
    private final double p1;
    private final String approximate;

    private Activation(Function function, double p0, String approximate) {
        this(function, p0, 0, approximate);
    }

    private Activation(Function function, double p0, double p1, String approximate) {
        this.function = function;
        this.p0 = p0;
        this.p1 = p1;
        this.approximate = approximate;
    }

    public static Activation relu() {
        return new Activation(Function.RELU, 0, null);
    }

    public static Activation leakyRelu(double negativeSlope) {
        if (!Double.isFinite(negativeSlope)) {
            throw new IllegalArgumentException("negative_slope: expected a finite number, got " + negativeSlope);
        }
        return new Activation(Function.LEAKY_RELU, negativeSlope, null);
    }

    /** {@code approximate} is {@code "none"} (the exact erf form) or {@code "tanh"}. */
    public static Activation gelu(String approximate) {
        if (!"none".equals(approximate) && !"tanh".equals(approximate)) {
            throw new IllegalArgumentException("approximate: expected \"none\" or \"tanh\", got \"" + approximate
                    + "\"");
        }
        return new Activation(Function.GELU, 0, approximate);
    }

    public static Activation silu() {
        return new Activation(Function.SILU, 0, null);
    }

    public static Activation tanh() {
        return new Activation(Function.TANH, 0, null);
    }

    public static Activation sigmoid() {
        return new Activation(Function.SIGMOID, 0, null);
    }

    /**
     * {@code clamp(x, min_val, max_val)} with PyTorch's hardtanh gradient; {@code max_val} must exceed
     * {@code min_val}, as {@code torch.nn.Hardtanh} asserts (the functional form also takes equal bounds).
     */
    public static Activation hardtanh(double minVal, double maxVal) {
        if (!Double.isFinite(minVal) || !Double.isFinite(maxVal) || minVal >= maxVal) {
            throw new IllegalArgumentException("max_val: expected a finite number greater than min_val " + minVal
                    + ", got " + maxVal);
        }
        return new Activation(Function.HARDTANH, minVal, maxVal, null);
    }

    public static Activation relu6() {
        return new Activation(Function.RELU6, 0, null);
    }

    public static Activation hardsigmoid() {
        return new Activation(Function.HARDSIGMOID, 0, null);
    }

    public static Activation hardswish() {
        return new Activation(Function.HARDSWISH, 0, null);
    }

    /** {@code x} for x &gt; 0, else {@code alpha (exp(x) - 1)}. */
    public static Activation elu(double alpha) {
        if (!Double.isFinite(alpha)) {
            throw new IllegalArgumentException("alpha: expected a finite number, got " + alpha);
        }
        return new Activation(Function.ELU, alpha, null);
    }

    /** {@code x tanh(softplus(x))}. */
    public static Activation mish() {
        return new Activation(Function.MISH, 0, null);
    }

    /** {@code log(1 + exp(beta x)) / beta}, or {@code x} where {@code beta x > threshold}. */
    public static Activation softplus(double beta, double threshold) {
        if (!Double.isFinite(beta) || beta == 0) {
            throw new IllegalArgumentException("beta: expected a finite number other than 0, got " + beta);
        }
        if (!Double.isFinite(threshold)) {
            throw new IllegalArgumentException("threshold: expected a finite number, got " + threshold);
        }
        return new Activation(Function.SOFTPLUS, beta, threshold, null);
    }

    public static Activation selu() {
        return new Activation(Function.SELU, 0, null);
    }

    /** {@code x} for x &gt; 0, else {@code alpha (exp(x / alpha) - 1)}; alpha must not be 0. */
    public static Activation celu(double alpha) {
        if (!Double.isFinite(alpha) || alpha == 0) {
            throw new IllegalArgumentException("alpha: expected a finite number other than 0, got " + alpha);
        }
        return new Activation(Function.CELU, alpha, null);
    }

    public static Activation logSigmoid() {
        return new Activation(Function.LOG_SIGMOID, 0, null);
    }

    public static Activation softsign() {
        return new Activation(Function.SOFTSIGN, 0, null);
    }

    public static Activation tanhshrink() {
        return new Activation(Function.TANHSHRINK, 0, null);
    }

    /** {@code value} where {@code x <= threshold}, else {@code x}. */
    public static Activation threshold(double threshold, double value) {
        if (!Double.isFinite(threshold) || !Double.isFinite(value)) {
            throw new IllegalArgumentException("threshold and value: expected finite numbers, got " + threshold
                    + " and " + value);
        }
        return new Activation(Function.THRESHOLD, threshold, value, null);
    }

    public static Activation hardshrink(double lambd) {
        if (!Double.isFinite(lambd)) {
            throw new IllegalArgumentException("lambd: expected a finite number, got " + lambd);
        }
        return new Activation(Function.HARDSHRINK, lambd, null);
    }

    /** lambd must be at least 0, as PyTorch checks. */
    public static Activation softshrink(double lambd) {
        if (!(lambd >= 0) || Double.isInfinite(lambd)) {
            throw new IllegalArgumentException("lambd: expected a non-negative finite number, got " + lambd);
        }
        return new Activation(Function.SOFTSHRINK, lambd, null);
    }

    public Function function() {
        return function;
    }

    @Override
    public String typeName() {
        return switch (function) {
            case RELU -> "ReLU";
            case LEAKY_RELU -> "LeakyReLU";
            case GELU -> "GELU";
            case SILU -> "SiLU";
            case TANH -> "Tanh";
            case SIGMOID -> "Sigmoid";
            case ELU -> "ELU";
            case SOFTPLUS -> "Softplus";
            case HARDTANH -> "Hardtanh";
            case RELU6 -> "ReLU6";
            case HARDSIGMOID -> "Hardsigmoid";
            case HARDSWISH -> "Hardswish";
            case MISH -> "Mish";
            case SELU -> "SELU";
            case CELU -> "CELU";
            case LOG_SIGMOID -> "LogSigmoid";
            case SOFTSIGN -> "Softsign";
            case TANHSHRINK -> "Tanhshrink";
            case THRESHOLD -> "Threshold";
            case HARDSHRINK -> "Hardshrink";
            case SOFTSHRINK -> "Softshrink";
        };
    }

    @Override
    public Tensor forward(Tensor x) {
        return switch (function) {
            case RELU -> ActivationOps.relu(x);
            case LEAKY_RELU -> ActivationOps.leakyRelu(x, p0);
            case GELU -> ActivationOps.gelu(x, approximate);
            case SILU -> ActivationOps.silu(x);
            case TANH -> ActivationOps.tanh(x);
            case SIGMOID -> ActivationOps.sigmoid(x);
            case ELU -> ActivationOps.elu(x, p0);
            case SOFTPLUS -> ActivationOps.softplus(x, p0, p1);
            case HARDTANH -> ActivationOps.hardtanh(x, p0, p1);
            case RELU6 -> ActivationOps.relu6(x);
            case HARDSIGMOID -> ActivationOps.hardsigmoid(x);
            case HARDSWISH -> ActivationOps.hardswish(x);
            case MISH -> ActivationOps.mish(x);
            case SELU -> ActivationOps.selu(x);
            case CELU -> ActivationOps.celu(x, p0);
            case LOG_SIGMOID -> ActivationOps.logSigmoid(x);
            case SOFTSIGN -> ActivationOps.softsign(x);
            case TANHSHRINK -> ActivationOps.tanhshrink(x);
            case THRESHOLD -> ActivationOps.threshold(x, p0, p1);
            case HARDSHRINK -> ActivationOps.hardshrink(x, p0);
            case SOFTSHRINK -> ActivationOps.softshrink(x, p0);
        };
    }

    @Override
    public int[] outputShape(int[] in) {
        return in.clone();
    }

    @Override
    protected String extraRepr() {
        return switch (function) {
            case LEAKY_RELU -> "negative_slope=" + p0;
            case ELU -> "alpha=" + p0;
            case SOFTPLUS -> "beta=" + p0 + ", threshold=" + p1;
            case HARDTANH -> "min_val=" + p0 + ", max_val=" + p1;
            case GELU -> "approximate='" + approximate + "'";
            case CELU -> "alpha=" + p0;
            case THRESHOLD -> "threshold=" + p0 + ", value=" + p1;
            case HARDSHRINK, SOFTSHRINK -> String.valueOf(p0);
            default -> "";
        };
    }
}
