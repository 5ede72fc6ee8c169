package io.nabla.nn;

import io.nabla.backend.Device;
import io.nabla.tensor.Tensor;
import java.util.Objects;

/**
 * A trainable tensor of a {@link Module}: a leaf that requires its gradient. Its storage belongs to the
 * {@link io.nabla.tensor.TensorScope} that was current when the module was built (the module's scope), and so does
 * the gradient autograd accumulates into it, so closing that scope frees both. Optimizers and
 * {@link Module#loadStateDict} write it in place; only {@link Module#to} replaces it (with a copy on another device),
 * which must happen before an optimizer takes the parameters.
 */
public final class Parameter {

    private Tensor tensor;

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

    /**
     * Replaces the tensor with a copy on {@code device} (a leaf requiring its gradient as the old one did; the
     * gradient is not kept); nothing when it already lives there. The copy is allocated in the current scope.
     */
    void moveTo(Device device) {
        if (tensor.device().equals(device)) {
            return;
        }
        boolean grad = tensor.requiresGrad();
        Tensor moved = tensor.detach().toDevice(device);
        moved.requiresGrad(grad);
        tensor = moved;
    }

    /**
     * Replaces the tensor with a copy in {@code dtype}, owned by the scope that owns the old one (a leaf requiring its
     * gradient as the old one did; the gradient is dropped), and frees the old one's memory at once. Nothing when it
     * has that dtype already.
     */
    void castTo(io.nabla.backend.DType dtype) {
        if (tensor.dtype() == dtype) {
            return;
        }
        boolean grad = tensor.requiresGrad();
        Tensor old = tensor;
        Tensor cast = io.nabla.tensor.TensorScope.moveTo(old.detach().dataAs(dtype), old.storage().owner());
        cast.requiresGrad(grad);
        tensor = cast;
        try (io.nabla.tensor.TensorScope freed = io.nabla.tensor.TensorScope.open()) {
            io.nabla.tensor.TensorScope.moveTo(old, freed);
        }
    }

    /** Frees the tensor's memory now (its module is being replaced); the parameter must not be used afterwards. */
    void free() {
        try (io.nabla.tensor.TensorScope freed = io.nabla.tensor.TensorScope.open()) {
            io.nabla.tensor.TensorScope.moveTo(tensor, freed);
        }
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
