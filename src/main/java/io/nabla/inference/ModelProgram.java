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

    /**
     * Whether requests may be stacked along dimension 0 into one forward pass: true when each index of dimension 0 of
     * the input gives the same index of the output, computed from it alone (so a request's answer cannot depend on
     * the requests batched with it). A model that attends across dimension 0, or normalises with statistics over it,
     * answers false.
     */
    default boolean rowsIndependent() {
        return true;
    }

    /** {@code run}, declaring {@link #rowsIndependent()}. */
    static ModelProgram of(ModelProgram run, boolean rowsIndependent) {
        return new ModelProgram() {
            @Override
            public Map<String, Tensor> forward(Map<String, Tensor> inputs) {
                return run.forward(inputs);
            }

            @Override
            public boolean rowsIndependent() {
                return rowsIndependent;
            }
        };
    }
}
