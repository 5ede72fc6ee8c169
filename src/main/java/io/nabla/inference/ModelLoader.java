package io.nabla.inference;

import java.nio.file.Path;

/**
 * Turns a model spec (JSON) and a safetensors weights file into a runnable {@link ModelProgram}. Every method throws
 * {@link IllegalArgumentException} naming the problem when the spec or the weights are invalid.
 */
public interface ModelLoader {

    /** Parses and validates {@code specJson}; returns the inputs and outputs it declares. */
    ModelSignature signature(byte[] specJson);

    /**
     * Checks that {@code weights} is a safetensors file holding exactly the parameters and buffers the spec's model
     * has, with their shapes: missing, extra or mis-shaped tensors are named in the exception.
     */
    void checkWeights(byte[] specJson, Path weights);

    /** Writes the parameters initialised as PyTorch initialises the same layers from the spec's seed. */
    void writeInitialWeights(byte[] specJson, Path target);

    /**
     * Builds the model with {@code weights} loaded, in eval mode. Every tensor it keeps is allocated in the caller's
     * current {@link io.nabla.tensor.TensorScope}; temporaries are freed before it returns.
     */
    ModelProgram build(byte[] specJson, Path weights);

    /** The device the spec asks for ({@code auto}, {@code cpu}, {@code cuda}, {@code cuda:N}); null for none. */
    default String device(byte[] specJson) {
        return null;
    }

    /** About how many bytes the model needs on a GPU with batches of up to {@code batchRows} rows (admission). */
    default long deviceBytes(byte[] specJson, int batchRows) {
        return 0;
    }

    /**
     * {@link #build(byte[], Path)} with the model on {@code device}: inputs are copied there, outputs come back to
     * the host. Device tensors it keeps are allocated in the caller's current scope (and arena).
     */
    default ModelProgram build(byte[] specJson, Path weights, io.nabla.backend.Device device) {
        if (device.isCpu()) {
            return build(specJson, weights);
        }
        throw new IllegalArgumentException(getClass().getSimpleName() + " cannot place models on " + device);
    }
}
