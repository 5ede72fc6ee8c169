package io.nabla.web;

import io.nabla.backend.DType;
import io.nabla.inference.InferenceException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/** Reads the small fields of an inference request (names, shapes, flags), each refusal naming the field. */
final class JsonFields {

    static final int MAX_RANK = io.nabla.model.TensorSpec.MAX_RANK;

    private JsonFields() {
    }

    /** Reads a {@code parameters} object: known keys go to their handler, others are skipped. */
    static void readParameters(JsonParser p, JsonToken t, String field,
            Map<String, java.util.function.Consumer<JsonToken>> handlers) {
        expect(t, JsonToken.START_OBJECT, field, "an object");
        Set<String> seen = new HashSet<>();
        for (String key = p.nextName(); key != null; key = p.nextName()) {
            once(seen, key, field);
            JsonToken v = p.nextToken();
            var handler = handlers.get(key);
            if (handler != null) {
                handler.accept(v);
            } else {
                p.skipChildren();
            }
        }
    }

    static long[] shape(JsonParser p, JsonToken t, String field) {
        expect(t, JsonToken.START_ARRAY, field, "an array of sizes");
        List<Long> sizes = new ArrayList<>();
        for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
            String at = field + "[" + sizes.size() + "]";
            if (sizes.size() >= MAX_RANK) {
                throw InferenceException.invalid(field + " has more than " + MAX_RANK + " dimensions");
            }
            if (e != JsonToken.VALUE_NUMBER_INT) {
                throw InferenceException.invalid(at + " must be an integer, got " + JsonData.describe(e));
            }
            if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER || p.getLongValue() > Integer.MAX_VALUE) {
                throw InferenceException.invalid(at + " = " + JsonData.clip(p.getText())
                        + " exceeds the largest size " + Integer.MAX_VALUE);
            }
            long v = p.getLongValue();
            if (v < 0) {
                throw InferenceException.invalid(at + " = " + v + " must be >= 0");
            }
            sizes.add(v);
        }
        return sizes.stream().mapToLong(Long::longValue).toArray();
    }

    static DType datatype(String name, String field) {
        if ("BYTES".equals(name)) {
            throw InferenceException.invalid(field + ".datatype BYTES is not supported by numeric models; expected"
                    + " one of BOOL, UINT8, INT8, INT16, INT32, INT64, FP16, BF16, FP32, FP64");
        }
        try {
            return DType.fromInferenceName(name);
        } catch (IllegalArgumentException e) {
            throw InferenceException.invalid(field + ".datatype: " + e.getMessage());
        }
    }

    static String string(JsonParser p, JsonToken t, String field) {
        if (t != JsonToken.VALUE_STRING) {
            throw InferenceException.invalid(field + " must be a string, got " + JsonData.describe(t));
        }
        return p.getText();
    }

    static boolean bool(JsonParser p, JsonToken t, String field) {
        if (t != JsonToken.VALUE_TRUE && t != JsonToken.VALUE_FALSE) {
            throw InferenceException.invalid(field + " must be true or false, got " + JsonData.describe(t));
        }
        return t == JsonToken.VALUE_TRUE;
    }

    static long count(JsonParser p, JsonToken t, String field) {
        if (t != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                || p.getLongValue() < 0) {
            throw InferenceException.invalid(field + " must be a byte count >= 0, got "
                    + (t == JsonToken.VALUE_NUMBER_INT ? JsonData.clip(p.getText()) : JsonData.describe(t)));
        }
        return p.getLongValue();
    }

    static void expect(JsonToken actual, JsonToken expected, String field, String what) {
        if (actual != expected) {
            throw InferenceException.invalid(field + " must be " + what + ", got "
                    + (actual == null ? "the end of the body" : JsonData.describe(actual)));
        }
    }

    static void once(Set<String> seen, String key, String where) {
        if (!seen.add(key)) {
            throw InferenceException.invalid("field '" + JsonData.clip(key) + "' appears twice in " + where);
        }
    }
}
