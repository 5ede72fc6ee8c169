package io.nabla.web;

import io.nabla.model.JsonErrorText;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.TokenStreamContext;

/**
 * Says what is wrong with a JSON body that Jackson refused, in the service's words: what was found, where (the field
 * path, line and column), and what was expected; never Jackson's own text (Java types, parser features, redacted
 * source descriptions). The wording is {@link JsonErrorText}'s, kept in the model package so the jobs and model
 * packages (which may not depend on web) answer malformed JSON in the same words; this class keeps web's callers on
 * the names they already use.
 */
final class JsonErrors {

    private JsonErrors() {
    }

    /**
     * The message for a refused JSON body. {@code maxDepth} is the configured nesting limit
     * ({@code nabla.limits.max-json-depth}), named when the parser that refused the body applied it; -1 when unknown.
     */
    static String describe(JacksonException e, int maxDepth) {
        return JsonErrorText.describe(e, maxDepth);
    }

    /** As {@link #describe(JacksonException, int)}, with {@code parser}'s position when the exception has none. */
    static String describe(JacksonException e, int maxDepth, JsonParser parser) {
        return JsonErrorText.describe(e, maxDepth, parser);
    }

    /** The JSON path of the failure ({@code inputs[0].data[3]}): the binding path, else the parser's position. */
    static String path(JacksonException e) {
        return JsonErrorText.path(e);
    }

    /** The JSON path of a parser's position ({@code layers[0].kernel_size}), empty at the top level. */
    static String path(TokenStreamContext context) {
        return JsonErrorText.path(context);
    }

    /** Jackson's text without what only makes sense to a Java developer (see {@link JsonErrorText#clean}). */
    static String clean(String msg) {
        return JsonErrorText.clean(msg);
    }

    static String clip(String s) {
        return JsonData.clip(s);
    }
}
