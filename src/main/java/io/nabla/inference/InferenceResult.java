package io.nabla.inference;

import java.util.List;

/**
 * What a model answered to one request.
 *
 * @param modelName the model
 * @param modelVersion the version that ran it
 * @param outputs the requested outputs, in the order asked (declaration order when all)
 */
public record InferenceResult(String modelName, int modelVersion, List<OutputTensor> outputs) {
}
