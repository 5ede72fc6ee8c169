package io.nabla.nn;

import io.nabla.tensor.Tensor;
import java.util.Objects;

/**
 * A trainable tensor of a {@link Module}: a leaf that requires its gradient. Its storage belongs to the
 * {@link io.nabla.tensor.TensorScope} that was current when the module was built (the module's scope), and so does
 * the gradient autograd accumulates into it, so closing that scope frees both. Optimizers and
 * {@link Module#loadStateDict} write it in place; it is never replaced.
 */
public final class Parameter {

    private final Tensor tensor;

    /** Wraps {@code value} (cut from any graph) as a parameter requiring its gradient. */
    public Parameter(Tensor value) {
        Objects.requireNonNull(value, "value");
        if (!value.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("a parameter must have a floating point dtype, got "
                    + value.dtype().torchName());
        }
        this.tensor = value.isLeaf() ? value : value.detach();
        this.tensor.requiresGrad(true);
    }

    /** The parameter's tensor (a leaf; use it in forward computations). */
    public Tensor tensor() {
        return tensor;
    }

    /** The accumulated gradient, or null before the first backward. */
    public Tensor grad() {
        return tensor.grad();
    }

    public boolean requiresGrad() {
        return tensor.requiresGrad();
    }

    /** Freezes ({@code false}) or unfreezes the parameter; a frozen parameter gets no gradient. */
    public void requiresGrad(boolean value) {
        tensor.requiresGrad(value);
    }

    @Override
    public String toString() {
        return "Parameter(" + tensor + ")";
    }
}
