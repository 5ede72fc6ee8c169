package io.nabla.inference;

import java.util.List;

/**
 * What a model answered to one request.
 *
 * @param modelName the model
 * @param modelVersion the version that ran it
 * @param outputs the requested outputs, in the order asked (declaration order when all)
 * @param labels the class names of the outputs that have them (the model spec's {@code labels}), by output name
 */
public record InferenceResult(String modelName, int modelVersion, List<OutputTensor> outputs,
        java.util.Map<String, List<String>> labels) {

    public InferenceResult {
        labels = java.util.Map.copyOf(labels);
    }

    /** A result whose outputs have no labels. */
    public InferenceResult(String modelName, int modelVersion, List<OutputTensor> outputs) {
        this(modelName, modelVersion, outputs, java.util.Map.of());
    }
}
