package io.nabla.inference;

/**
 * A stored version and the id of the model it belongs to ({@link ModelStore#modelId}), read together.
 *
 * @param version the version
 * @param modelId the id of its model: another one once the model is deleted and created again under its name
 */
public record IdentifiedVersion(StoredVersion version, String modelId) {
}
