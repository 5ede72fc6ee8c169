package io.nabla.model;

/**
 * Bytes that are not a valid safetensors file (or tensors that cannot be written as one). The message names the
 * source, the tensor and the field, with the expected and the actual value.
 */
public final class SafetensorsException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    public SafetensorsException(String message) {
        super(message);
    }

    public SafetensorsException(String message, Throwable cause) {
        super(message, cause);
    }
}
