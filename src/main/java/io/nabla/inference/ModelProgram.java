package io.nabla.inference;

import io.nabla.tensor.Tensor;
import java.util.Map;

/** A built model ready to run forward in eval mode; the caller disables gradient recording. */
@FunctionalInterface
public interface ModelProgram {

    /**
     * Runs the model on inputs given by name, each converted to its declared datatype; returns every output by name.
     */
    Map<String, Tensor> forward(Map<String, Tensor> inputs);
}
