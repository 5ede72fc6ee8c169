package io.nabla.nn;

import tools.jackson.databind.JsonNode;

/**
 * Reading a client's JSON values for error messages and range checks. A number as a double without exceptions: Jackson's {@code doubleValue()} refuses an integer past
 * double's range (a 401-digit literal) with its own exception, which would reach a client as a 500; here it is
 * the infinity it rounds to, so the field's own range check refuses it in the API's words.
 */
public final class JsonValues {

    private JsonValues() {
    }

    /** The number's value rounded to a double (infinite past double's range); only for {@code v.isNumber()}. */
    public static double toDouble(JsonNode v) {
        if (v.isBigInteger()) {
            return v.bigIntegerValue().doubleValue();
        }
        if (v.isBigDecimal()) {
            return v.decimalValue().doubleValue();
        }
        return v.doubleValue();
    }

    /** A value (or name) as an error message quotes it: its JSON text, cut to 64 characters. */
    public static String brief(Object v) {
        String s = String.valueOf(v);
        return s.length() > 64 ? s.substring(0, 64) + "..." : s;
    }
}
