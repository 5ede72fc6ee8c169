package io.nabla.inference;

import java.time.Duration;

/**
 * A request the inference service refuses, with the reason the web layer turns into a status code. The message names
 * the field, the expected and the actual value.
 */
public class InferenceException extends RuntimeException {

    /** Why the request failed; each kind has one HTTP status. */
    public enum Kind {
        /** Malformed or inconsistent input (400). */
        INVALID,
        /** Unknown model, version, input or output (404). */
        NOT_FOUND,
        /** The request conflicts with the state of the resource (409). */
        CONFLICT,
        /** The body is over the configured limit (413). */
        TOO_LARGE,
        /** Too many requests queued for a model (429). */
        OVERLOADED,
        /** Not able to serve now: starting, draining, model not loaded (503). */
        UNAVAILABLE,
        /** Not enough device memory (507). */
        OUT_OF_MEMORY,
        /** A stored model could not be loaded (500). */
        INTERNAL
    }

    private final Kind kind;
    private final Duration retryAfter;

    public InferenceException(Kind kind, String message) {
        this(kind, message, null, null);
    }

    public InferenceException(Kind kind, String message, Duration retryAfter, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.retryAfter = retryAfter;
    }

    public static InferenceException invalid(String message) {
        return new InferenceException(Kind.INVALID, message);
    }

    public static InferenceException notFound(String message) {
        return new InferenceException(Kind.NOT_FOUND, message);
    }

    public Kind kind() {
        return kind;
    }

    /** How long a client should wait before retrying, or null when retrying will not help. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
