package io.nabla.web;

import io.nabla.inference.InferenceException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * Streams a tensor's JSON {@code data} (a flat array, or arrays nested as the shape is, read in row-major order) into
 * a {@link ValueSink}, one token at a time: no tree and no boxed numbers are ever built. How the arrays are nested is
 * checked against the shape as they stream by ({@link DataNesting}). A bare value is refused: the protocol's
 * {@code data} is an array (API section 1, the OpenAPI document), and a client whose serialiser dropped the brackets
 * should be told so rather than have one number read as a whole tensor.
 */
final class JsonData {

    private JsonData() {
    }

    /**
     * Reads the value at the parser's current token (the start of {@code data}) up to its end. {@code shape} is the
     * tensor's shape, or null when it is not known yet: then the returned nesting is to be
     * {@linkplain DataNesting#check checked} once it is.
     */
    static DataNesting read(JsonParser p, String field, int maxDepth, long[] shape, ValueSink sink) {
        DataNesting nesting = new DataNesting(field, shape, maxDepth);
        JsonToken t = p.currentToken();
        if (t == null) {
            throw InferenceException.invalid("the body ended inside " + field);
        }
        if (t != JsonToken.START_ARRAY) {
            String actual = t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT
                    ? "the number " + clip(p.getText()) : t == JsonToken.VALUE_STRING
                    ? "the string \"" + clip(p.getText()) + "\"" : describe(t);
            throw InferenceException.invalid(field + ": expected an array of values (flat, or nested as the shape"
                    + " is), got " + actual);
        }
        nesting.start();
        int depth = 1;
        while (depth > 0) {
            t = p.nextToken();
            if (t == JsonToken.START_ARRAY) {
                if (++depth > maxDepth) {
                    throw InferenceException.invalid(field + " is nested more than " + maxDepth
                            + " arrays deep (nabla.limits.max-json-depth)");
                }
                nesting.openArray();
            } else if (t == JsonToken.END_ARRAY) {
                nesting.closeArray();
                depth--;
            } else {
                value(p, field, t, sink);
                nesting.value();
            }
        }
        return nesting;
    }

    private static void value(JsonParser p, String field, JsonToken t, ValueSink sink) {
        if (t == null) {
            throw InferenceException.invalid("the body ended inside " + field);
        }
        switch (t) {
            case VALUE_NUMBER_INT -> {
                if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                    sink.hugeInteger(p.getDoubleValue(), p.getText());
                } else {
                    sink.integer(p.getLongValue());
                }
            }
            case VALUE_NUMBER_FLOAT -> sink.real(p.getDoubleValue());
            case VALUE_TRUE -> sink.bool(true);
            case VALUE_FALSE -> sink.bool(false);
            case VALUE_STRING -> throw InferenceException.invalid(field + " holds the string \""
                    + clip(p.getText()) + "\"; expected numbers (NaN and Infinity are not accepted)");
            default -> throw InferenceException.invalid(field + " holds " + describe(t)
                    + "; expected a number or a nested array of numbers");
        }
    }

    static String describe(JsonToken t) {
        if (t == null) {
            return "the end of the body";
        }
        return switch (t) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NULL -> "null";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            default -> t.name();
        };
    }

    static String clip(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
