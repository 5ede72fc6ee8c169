package io.nabla.inference;

/**
 * One model version in the repository index (Triton's shape).
 *
 * @param name the model
 * @param version the version
 * @param state {@code READY}, {@code LOADING} or {@code UNAVAILABLE}
 * @param reason why it is unavailable, empty otherwise
 */
public record RepositoryEntry(String name, String version, String state, String reason) {
}
