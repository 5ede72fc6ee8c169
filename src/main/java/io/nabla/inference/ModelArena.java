package io.nabla.inference;

/**
 * The memory one loaded model holds.
 *
 * @param owner {@code model:<name>:<version>}
 * @param allocated bytes held now
 */
public record ModelArena(String owner, long allocated) {
}
