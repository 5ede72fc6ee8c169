package io.nabla.nn;

import io.nabla.autograd.ActivationOps;
import io.nabla.tensor.Tensor;

/**
 * The parameter-free elementwise layers of {@code torch.nn}: {@code ReLU}, {@code LeakyReLU(negative_slope=0.01)},
 * {@code GELU(approximate="none")}, {@code SiLU}, {@code Tanh}, {@code Sigmoid}. {@link #typeName()} gives
 * PyTorch's class name.
 */
public final class Activation extends Module {

    /** The function applied. */
    public enum Function { RELU, LEAKY_RELU, GELU, SILU, TANH, SIGMOID }

    private final Function function;
    private final double negativeSlope;
    private final String approximate;

    private Activation(Function function, double negativeSlope, String approximate) {
        this.function = function;
        this.negativeSlope = negativeSlope;
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
        };
    }

    @Override
    public Tensor forward(Tensor x) {
        return switch (function) {
            case RELU -> ActivationOps.relu(x);
            case LEAKY_RELU -> ActivationOps.leakyRelu(x, negativeSlope);
            case GELU -> ActivationOps.gelu(x, approximate);
            case SILU -> ActivationOps.silu(x);
            case TANH -> ActivationOps.tanh(x);
            case SIGMOID -> ActivationOps.sigmoid(x);
        };
    }

    @Override
    public int[] outputShape(int[] in) {
        return in.clone();
    }

    @Override
    protected String extraRepr() {
        return switch (function) {
            case LEAKY_RELU -> "negative_slope=" + negativeSlope;
            case GELU -> "approximate='" + approximate + "'";
            default -> "";
        };
    }
}
