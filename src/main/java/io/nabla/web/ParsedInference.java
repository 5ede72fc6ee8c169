package io.nabla.web;

import io.nabla.inference.InferenceCall;
import java.util.List;

/**
 * A decoded inference request body.
 *
 * @param id the request's {@code id}, or null
 * @param call the inputs (tensors in the request's scope) and the output names asked for
 * @param outputs the {@code outputs} entries as sent (empty: all outputs)
 * @param binaryDataOutput {@code parameters.binary_data_output}
 */
record ParsedInference(String id, InferenceCall call, List<RequestedOutput> outputs, boolean binaryDataOutput) {

    /** Whether output {@code name} goes back as binary data. */
    boolean binary(String name) {
        for (RequestedOutput o : outputs) {
            if (o.name().equals(name) && o.binary() != null) {
                return o.binary();
            }
        }
        return binaryDataOutput;
    }

    /** {@code parameters.classification} of output {@code name}, or null. */
    Integer classification(String name) {
        for (RequestedOutput o : outputs) {
            if (o.name().equals(name)) {
                return o.classification();
            }
        }
        return null;
    }
}
