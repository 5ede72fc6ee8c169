package io.nabla.web;

/** The request body went over {@code nabla.limits.max-body-size}; answered 413. */
final class BodyTooLargeException extends RuntimeException {

    BodyTooLargeException(String message) {
        super(message);
    }

    static BodyTooLargeException of(long limit, String how) {
        return new BodyTooLargeException("the request body " + how + " is over the limit of " + limit
                + " bytes (nabla.limits.max-body-size)");
    }
}
