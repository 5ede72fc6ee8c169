package io.nabla.inference;

import java.util.List;

/**
 * A decoded inference request.
 *
 * @param inputs the inputs, distinct names
 * @param outputs the outputs asked for by name, empty for all of them
 */
public record InferenceCall(List<InputTensor> inputs, List<String> outputs) {

    public InferenceCall {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }
}
