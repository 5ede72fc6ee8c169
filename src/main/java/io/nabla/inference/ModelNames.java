package io.nabla.inference;

import java.util.regex.Pattern;

/** The grammar of model names: {@code [A-Za-z0-9][A-Za-z0-9_.-]{0,63}}, never containing {@code ..}. */
public final class ModelNames {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

    private ModelNames() {
    }

    /** Returns {@code name} when valid, else an {@link InferenceException} (400) quoting it and the grammar. */
    public static String check(String name) {
        if (name == null || !NAME.matcher(name).matches() || name.contains("..")) {
            throw InferenceException.invalid("model name must match [A-Za-z0-9][A-Za-z0-9_.-]{0,63} and not"
                    + " contain '..', got '" + printable(name) + "'");
        }
        return name;
    }

    /** Parses a version path segment: a positive integer without sign or leading zeros. */
    public static int version(String version) {
        if (version == null || !version.matches("[1-9][0-9]{0,8}")) {
            throw InferenceException.invalid("model version must be a positive integer, got '" + printable(version)
                    + "'");
        }
        return Integer.parseInt(version);
    }

    /** The text with control characters escaped and cut to 100 characters, safe to echo in an error message. */
    static String printable(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length() && sb.length() < 100; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return s.length() > 100 ? sb + "..." : sb.toString();
    }
}
