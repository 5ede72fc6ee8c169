package io.nabla.jobs;

import io.nabla.inference.InferenceException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Dataset ids: the server makes them ({@code ds-} and 16 random hex digits); a path segment that is not in the name
 * grammar of the API ({@code [A-Za-z0-9][A-Za-z0-9_.-]{0,63}}, never containing {@code ..}) is refused (400).
 */
public final class DatasetIds {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private DatasetIds() {
    }

    /** True when {@code id} is in the grammar (so it can name a directory of the store). */
    public static boolean isValid(String id) {
        return id != null && NAME.matcher(id).matches() && !id.contains("..");
    }

    /** Returns {@code id} when valid, else an {@link InferenceException} (400) quoting it and the grammar. */
    public static String check(String id) {
        if (!isValid(id)) {
            throw InferenceException.invalid("dataset id must match [A-Za-z0-9][A-Za-z0-9_.-]{0,63} and not contain"
                    + " '..', got '" + printable(id) + "'");
        }
        return id;
    }

    /** A fresh random id. */
    static String generate() {
        byte[] bits = new byte[8];
        RANDOM.nextBytes(bits);
        return "ds-" + HexFormat.of().formatHex(bits);
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
