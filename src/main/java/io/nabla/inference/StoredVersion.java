package io.nabla.inference;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One immutable version of a model in the {@link ModelStore}: a directory holding {@code spec.json} and
 * {@code weights.safetensors}.
 *
 * @param name the model's name
 * @param version the version number, from 1
 * @param dir the version's directory
 */
public record StoredVersion(String name, int version, Path dir) {

    public static final String SPEC_FILE = "spec.json";
    public static final String WEIGHTS_FILE = "weights.safetensors";
    /** Optional: who made this version, e.g. {@code job:<id>} for a fine-tuning job's result. */
    public static final String ORIGIN_FILE = "origin";

    public Path spec() {
        return dir.resolve(SPEC_FILE);
    }

    public Path weights() {
        return dir.resolve(WEIGHTS_FILE);
    }

    /** The spec's bytes as stored. */
    public byte[] readSpec() {
        try {
            return Files.readAllBytes(spec());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the spec of " + owner() + ": " + e.getMessage(), e);
        }
    }

    /** The owner name used for memory accounting: {@code model:<name>:<version>}. */
    public String owner() {
        return "model:" + name + ":" + version;
    }
}
