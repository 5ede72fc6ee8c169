package io.nabla.inference;

import java.util.List;

/**
 * What the metadata endpoint tells about a model.
 *
 * @param name the model
 * @param versions all its versions, ascending
 * @param version the version described
 * @param signature that version's inputs and outputs
 */
public record ModelDescription(String name, List<Integer> versions, int version, ModelSignature signature) {
}
