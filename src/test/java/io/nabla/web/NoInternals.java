package io.nabla.web;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The check that an error message speaks the API's language: a client is told what is wrong, where and what was
 * expected, never with Java or library internals (class names, parser features, limit accessors, token or node type
 * names, character codes). Shared by the end-to-end refusal tests and the unit tests of every JSON reader.
 */
public final class NoInternals {

    private NoInternals() {
    }

    /** Fails, labelled {@code as}, when {@code message} holds anything only a Java developer could read. */
    public static void check(String as, String message) {
        assertThat(message).as(as).doesNotContain("java.", "`", "Exception", "io.nabla", "org.springframework",
                "org.apache", "tools.jackson", "REDACTED", "Source:", "Feature", "CTRL-CHAR", "(code ",
                "StreamRead", "getMax", "JsonNode", "JsonToken", "bound as", "MISSING", "START_OBJECT");
    }

    /** As {@link #check(String, String)}, labelled with the message itself. */
    public static void check(String message) {
        check(message, message);
    }
}
