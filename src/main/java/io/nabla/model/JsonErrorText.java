package io.nabla.model;

import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.TokenStreamContext;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.exc.InputCoercionException;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.core.exc.UnexpectedEndOfInputException;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.PropertyBindingException;
import tools.jackson.databind.exc.ValueInstantiationException;

/**
 * Says what is wrong with a JSON document that Jackson refused, in the service's words: what was found, where (the field
 * path, line and column), and what was expected. Jackson's own messages are written for Java developers: they name
 * Java types ({@code java.lang.Boolean}), parser features to enable ({@code JsonReadFeature.ALLOW_...}) and
 * redacted source descriptions, none of which a client can act on, so they are never passed through; a message that
 * is not recognised is cleaned of those parts instead.
 *
 * <p>It lives in the model package, not in web, because every layer that reads client JSON needs it: web for
 * inference and bound bodies, jobs for {@code POST /v1/jobs}, model for specs and safetensors headers; the package
 * rules let all of them depend on model, and none but web on web.
 */
public final class JsonErrorText {

    private static final Pattern NON_STANDARD = Pattern.compile("Non-standard token '([^']*)'");
    private static final Pattern CONTROL = Pattern.compile("Illegal (unquoted )?character \\(\\(CTRL-CHAR, code (\\d+)\\)\\)");
    private static final Pattern UNRECOGNIZED = Pattern.compile("Unrecognized token '([^']*)'");
    private static final Pattern UNEXPECTED_CHAR = Pattern.compile(
            "Unexpected character \\('(.+?)' \\(code (\\d+)[^)]*\\)\\)( in numeric value)?: (.*)", Pattern.DOTALL);
    private static final Pattern CLOSE_MARKER = Pattern.compile("Unexpected close marker '(.)': expected '(.)'");
    private static final Pattern STRAY_CLOSE = Pattern.compile("Unexpected close marker '(.)': no open");
    private static final Pattern ESCAPE = Pattern.compile("Unrecognized character escape '(.+?)'");
    private static final Pattern TRAILING = Pattern.compile("Trailing token \\(`?(?:JsonToken\\.)?([A-Z_]+)`?\\)");
    private static final Pattern INVALID_NUMBER = Pattern.compile("Invalid numeric value: (.*)");
    private static final Pattern INVALID_UTF8 = Pattern.compile("Invalid UTF-8 (start |middle )?byte (0x[0-9a-fA-F]{1,15})");
    private static final Pattern DUPLICATE = Pattern.compile("Duplicate (?:Object )?property \"(.*)\"");
    private static final Pattern LIMIT = Pattern.compile("\\((\\d+)\\) exceeds the maximum allowed \\((\\d+)");
    private static final Pattern OUT_OF_RANGE = Pattern.compile("Numeric value \\((.*?)\\) out of range");
    private static final Pattern FROM_VALUE = Pattern.compile("from (Array|Object|String|Integer|Floating-point|"
            + "Boolean|Null|Number|Embedded Object) value");
    private static final Map<String, String> EXPECTATIONS = Map.of(
            "was expecting comma to separate Array entries", "expected ',' or ']'",
            "was expecting comma to separate Object entries", "expected ',' or '}'",
            "was expecting double-quote to start property name", "expected a field name in double quotes",
            "was expecting a colon to separate property name and value", "expected ':'",
            "expected a value", "expected a JSON value",
            "expected a valid value", "expected a JSON value");

    private JsonErrorText() {
    }

    /**
     * The message for a refused JSON body. {@code maxDepth} is the configured nesting limit
     * ({@code nabla.limits.max-json-depth}), named when the parser that refused the body applied it; -1 when unknown.
     */
    public static String describe(JacksonException e, int maxDepth) {
        if (e instanceof DatabindException d && !(d.getCause() instanceof JacksonException) && !trailing(e)) {
            String bound = binding(d);
            if (bound != null) {
                return bound;
            }
        }
        return "malformed JSON" + detail(e, maxDepth);
    }

    /**
     * Where and what of a syntax error, for callers that say "malformed JSON" in words of their own: {@code " at
     * a.b[1] (line 1, column 9): the number ... "}; the position part is left out when Jackson knows none.
     */
    public static String detail(JacksonException e, int maxDepth) {
        return detail(e, maxDepth, null);
    }

    /**
     * As {@link #describe(JacksonException, int)}, taking the position from {@code parser} (the parser that was
     * reading, or null) when the exception carries none: a length limit (a 2000-digit number, a 60,000-character
     * field name) is refused without one, yet the client needs to know which field to shorten.
     */
    public static String describe(JacksonException e, int maxDepth, JsonParser parser) {
        if (parser == null || e instanceof DatabindException) {
            return describe(e, maxDepth);
        }
        return "malformed JSON" + detail(e, maxDepth, parser);
    }

    /** As {@link #detail(JacksonException, int)}, with {@code parser}'s position when the exception has none. */
    public static String detail(JacksonException e, int maxDepth, JsonParser parser) {
        String path = trailing(e) ? "" : path(e);
        String at = location(e);
        if (parser != null && path.isEmpty() && !trailing(e)) {
            TokenStreamContext c = parser.streamReadContext();
            boolean name = e instanceof StreamConstraintsException && e.getOriginalMessage() != null
                    && e.getOriginalMessage().startsWith("Name");
            // an over-long name is refused before it becomes the object's current name: the object is the place
            path = path(name && c != null ? c.getParent() : c);
        }
        if (parser != null && at.isEmpty()) {
            at = location(parser.currentLocation());
        }
        String where = path.isEmpty() ? at : " at " + path + (at.isEmpty() ? "" : " (" + at.substring(4) + ")");
        return where + ": " + syntax(e, path, maxDepth);
    }

    /** Whether {@code e} refuses a second value after the document's one (two objects back to back). */
    private static boolean trailing(JacksonException e) {
        return e.getOriginalMessage() != null && e.getOriginalMessage().startsWith("Trailing token");
    }

    private static String syntax(JacksonException e, String path, int maxDepth) {
        String msg = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        Matcher m;
        if ((m = TRAILING.matcher(msg)).find()) {
            return "a second JSON value (" + token(m.group(1)) + ") after the first one; expected a single value"
                    + " and then the end of the document";
        }
        if (msg.contains("plus sign")) {
            return "unexpected character '+'; a JSON number may not start with '+' (expected '-' or a digit)";
        }
        if (msg.contains("maybe a (non-standard) comment")) {
            return "unexpected character '/'; comments are not allowed in JSON";
        }
        if ((m = ESCAPE.matcher(msg)).find()) {
            return "invalid escape '\\" + m.group(1) + "' in a string; expected one of \\\" \\\\ \\/ \\b"
                    + " \\f \\n \\r \\t or \\uXXXX";
        }
        if ((m = STRAY_CLOSE.matcher(msg)).find()) {
            return "unexpected '" + m.group(1) + "' with no open " + (m.group(1).equals("]") ? "array" : "object")
                    + " to close";
        }
        if (e instanceof StreamConstraintsException) {
            return constraint(msg, maxDepth);
        }
        if (e instanceof UnexpectedEndOfInputException) {
            return "the JSON ends before it is complete" + (path.isEmpty() ? "" : " (inside " + path + ")")
                    + "; expected the rest of the document";
        }
        if (e instanceof InputCoercionException && (m = OUT_OF_RANGE.matcher(msg)).find()) {
            return "the number " + clip(m.group(1)) + " is out of range here";
        }
        if ((m = NON_STANDARD.matcher(msg)).find()) {
            return m.group(1) + " is not a JSON number (NaN and Infinity are not accepted); expected a number";
        }
        if ((m = CONTROL.matcher(msg)).find()) {
            String code = String.format(Locale.ROOT, "0x%02X", Integer.parseInt(m.group(2)));
            return m.group(1) != null ? "control character " + code + " inside a string; it must be escaped"
                    : "control character " + code + " where a JSON value was expected";
        }
        if ((m = UNRECOGNIZED.matcher(msg)).find()) {
            return "unexpected text '" + clip(m.group(1)) + "'; expected a JSON value (a string, number, array,"
                    + " object, true, false or null)";
        }
        if ((m = UNEXPECTED_CHAR.matcher(msg)).find()) {
            String rest = m.group(4).strip();
            String expected = m.group(3) != null ? "expected a digit" : EXPECTATIONS.getOrDefault(
                    rest.replaceAll("\\s*\\(.*", ""), clean(rest.replace("was expecting", "expected")));
            return "unexpected character " + character(m.group(1), Integer.parseInt(m.group(2))) + "; " + expected;
        }
        if ((m = CLOSE_MARKER.matcher(msg)).find()) {
            return "unexpected '" + m.group(1) + "'; expected '" + m.group(2) + "'";
        }
        if ((m = INVALID_NUMBER.matcher(msg)).find()) {
            return "invalid number: " + clean(m.group(1)).toLowerCase(Locale.ROOT);
        }
        if ((m = INVALID_UTF8.matcher(msg)).find()) {
            // a "middle" byte is the one after a multi-byte sequence's first byte, which is valid on its own
            // in a field name Jackson reports the bytes read so far as one number (0x696ec370): the last is the one
            long bytes = Long.parseLong(m.group(2).substring(2), 16);
            return "byte 0x" + Long.toHexString(bytes & 0xff) + (m.group(1) != null && m.group(1).startsWith("middle")
                    ? " cannot continue a multi-byte UTF-8 sequence" : " is not valid UTF-8")
                    + "; JSON must be UTF-8 text";
        }
        if ((m = DUPLICATE.matcher(msg)).find()) {
            return "field '" + clip(m.group(1)) + "' appears twice";
        }
        String cleaned = clean(msg);
        return cleaned.isEmpty() ? "the body is not valid JSON" : cleaned;
    }

    /** A token kind as a client would call it ({@code START_OBJECT}: "an object"). */
    private static String token(String kind) {
        return switch (kind) {
            case "START_OBJECT" -> "an object";
            case "START_ARRAY" -> "an array";
            case "VALUE_STRING" -> "a string";
            case "VALUE_NUMBER_INT", "VALUE_NUMBER_FLOAT" -> "a number";
            case "VALUE_TRUE", "VALUE_FALSE" -> "a boolean";
            case "VALUE_NULL" -> "null";
            default -> "content";
        };
    }

    private static String constraint(String msg, int maxDepth) {
        Matcher m = LIMIT.matcher(msg);
        String limit = m.find() ? m.group(2) : null;
        if (msg.contains("nesting depth")) {
            return "nesting depth over the limit of " + (limit == null ? maxDepth : limit)
                    + (limit == null || Integer.toString(maxDepth).equals(limit) ? " (nabla.limits.max-json-depth)"
                    : "");
        }
        String what = msg.startsWith("Number") ? "a number is longer than"
                : msg.startsWith("String") ? "a string is longer than"
                : msg.startsWith("Name") ? "a field name is longer than"
                : msg.startsWith("Token count") ? "the document has more tokens than"
                : "the document is over the limit of";
        return what + " " + (limit == null ? "the parser's limit" : limit)
                + (what.endsWith("than") && limit != null && !what.contains("tokens") ? " characters" : "");
    }

    /** A well-formed document whose value does not fit the field: names the field, expected and actual value. */
    private static String binding(DatabindException e) {
        String path = path(e);
        String field = path.isEmpty() ? "the body" : path;
        if (e instanceof PropertyBindingException p) {
            Collection<Object> known = p.getKnownPropertyIds();
            return "unknown field '" + clip(p.getPropertyName()) + "'" + (parentPath(e).isEmpty() ? ""
                    : " in " + parentPath(e)) + (known == null || known.isEmpty() ? "" : "; expected one of "
                    + known);
        }
        if (e instanceof ValueInstantiationException && e.getCause() instanceof IllegalArgumentException iae
                && iae.getMessage() != null) {
            return (path.isEmpty() ? "" : path + ": ") + iae.getMessage();
        }
        if (e instanceof MismatchedInputException mi) {
            String expected = expected(mi.getTargetType());
            String actual;
            if (mi instanceof InvalidFormatException f) {
                actual = f.getValue() instanceof String s ? "the string \"" + clip(s) + "\""
                        : String.valueOf(f.getValue());
            } else {
                String msg = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
                Matcher m = FROM_VALUE.matcher(msg);
                actual = m.find() ? actual(m.group(1)) : msg.startsWith("Cannot map `null`") ? "null"
                        : null;
            }
            if (expected == null && actual == null) {
                return null;
            }
            return field + ": expected " + (expected == null ? "another value" : expected)
                    + (actual == null ? "" : ", got " + actual);
        }
        return null;
    }

    private static String expected(Class<?> type) {
        if (type == null) {
            return null;
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class
                || type == Short.class || type == short.class || type == Byte.class || type == byte.class
                || type == java.math.BigInteger.class) {
            return "an integer";
        }
        if (Number.class.isAssignableFrom(type) || type == double.class || type == float.class) {
            return "a number";
        }
        if (type == String.class || type == char.class || type == Character.class) {
            return "a string";
        }
        if (type.isArray() || Collection.class.isAssignableFrom(type)) {
            return "an array";
        }
        if (type.isEnum()) {
            Object[] values = type.getEnumConstants();
            return "one of " + java.util.Arrays.toString(values);
        }
        return "an object";
    }

    private static String actual(String jacksonKind) {
        return switch (jacksonKind) {
            case "Array" -> "an array";
            case "Object", "Embedded Object" -> "an object";
            case "String" -> "a string";
            case "Integer", "Floating-point", "Number" -> "a number";
            case "Boolean" -> "a boolean";
            default -> "null";
        };
    }

    /** The JSON path of the failure ({@code inputs[0].data[3]}): the binding path, else the parser's position. */
    public static String path(JacksonException e) {
        StringBuilder b = new StringBuilder();
        if (!e.getPath().isEmpty() || e instanceof DatabindException) {
            for (JacksonException.Reference r : e.getPath()) {
                append(b, r.getPropertyName(), r.getIndex());
            }
            return b.toString();
        }
        return e.processor() instanceof JsonParser p ? path(p.streamReadContext()) : "";
    }

    /** The JSON path of a parser's position ({@code layers[0].kernel_size}), empty at the top level. */
    public static String path(TokenStreamContext context) {
        java.util.ArrayDeque<TokenStreamContext> chain = new java.util.ArrayDeque<>();
        for (TokenStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
            chain.push(c);
        }
        StringBuilder b = new StringBuilder();
        for (TokenStreamContext c : chain) {
            if (c.inArray()) {
                append(b, null, Math.max(0, c.getCurrentIndex()));
            } else if (c.currentName() != null) {
                append(b, c.currentName(), -1);
            }
        }
        return b.toString();
    }

    private static String parentPath(JacksonException e) {
        StringBuilder b = new StringBuilder();
        var refs = e.getPath();
        for (int i = 0; i < refs.size() - 1; i++) {
            append(b, refs.get(i).getPropertyName(), refs.get(i).getIndex());
        }
        return b.toString();
    }

    private static void append(StringBuilder b, String name, int index) {
        if (name != null) {
            b.append(b.length() == 0 ? "" : ".").append(clip(name));
        } else if (index >= 0) {
            b.append('[').append(index).append(']');
        }
    }

    private static String location(JacksonException e) {
        return location(e.getLocation());
    }

    private static String location(TokenStreamLocation l) {
        if (l == null || l.getLineNr() < 1) {
            return "";
        }
        return " at line " + l.getLineNr() + ", column " + l.getColumnNr();
    }

    /**
     * A character as a client can read it: control characters by code, a byte-order mark by name (it is invisible,
     * and a text editor may have added it without the client knowing), other characters outside ASCII as
     * {@code U+XXXX} next to the character.
     */
    private static String character(String c, int code) {
        if (code == 0xFEFF) {
            return "U+FEFF (a byte-order mark; JSON must be UTF-8 text without one)";
        }
        if (code < 0x20 || code == 0x7f) {
            return String.format(Locale.ROOT, "0x%02X", code);
        }
        if (code < 0x7f) {
            return "'" + c + "'";
        }
        // a parser reading bytes reports the first byte of a UTF-8 sequence as if it were a character
        return code <= 0xff ? String.format(Locale.ROOT, "(a non-ASCII character starting with 0x%02X)", code)
                : String.format(Locale.ROOT, "'%s' (U+%04X)", c, code);
    }

    /**
     * Jackson's text without what only makes sense to a Java developer: the first line, without parenthesised
     * source descriptions, {@code (code 123)} notes, back-quoted class or feature names and hints to enable features.
     */
    public static String clean(String msg) {
        if (msg == null) {
            return "";
        }
        String s = msg.lines().findFirst().orElse("");
        s = s.replaceAll("\\s*\\((?:for [^()]*)?(?:start marker at )?\\[Source:[^\\]]*\\][^)]*\\)", "");
        s = s.replaceAll("\\[Source:[^\\]]*\\]", "");
        s = s.replaceAll("\\s*\\(code \\d+\\)", "");
        s = s.replaceAll("[:;,]?\\s*(?:enable|set|use|disable) `[^`]*`[^.;]*", "");
        s = s.replaceAll("\\s*\\(token `[^`]*`\\)", "");
        s = s.replaceAll("\\s*\\([^()]*Feature[^()]*\\)", "");
        s = s.replaceAll("\\s*\\(code \\d+[^)]*\\)", "");
        s = s.replaceAll("`(?:java|javax|jakarta|tools|com|org|io)\\.[^`]*`", "a value");
        s = s.replace("`", "");
        return s.strip();
    }

    /** {@code s} cut to 40 characters, so a huge name or value cannot flood a message. */
    public static String clip(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
