package io.nabla.web;

/** Receives the values of one tensor's JSON {@code data} in row-major order. */
interface ValueSink {

    /** An integer literal that fits a long. */
    void integer(long value);

    /** An integer literal too large for a long ({@code text} is how it was written). */
    void hugeInteger(double approx, String text);

    /** A literal with a fraction or exponent. */
    void real(double value);

    void bool(boolean value);
}
