package io.nabla.model;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Objects;

/**
 * Turns the bytes of a client's JSON document into text, strictly: UTF-8 without a byte-order mark (RFC 8259
 * section 8.1). A document in UTF-16 or UTF-32, one that starts with a BOM, or one with a byte sequence that is not
 * UTF-8 is refused with a message naming the document, the byte and its offset, where a lenient decoder would have
 * stored U+FFFD in place of the client's bytes (a model name, a tensor name) and answered about a name the client
 * never sent.
 */
public final class Utf8Json {

    private Utf8Json() {
    }

    /**
     * The text of {@code json}, or an {@link IllegalArgumentException} whose message starts with {@code what}
     * ("model spec", "the request body").
     */
    public static String decode(byte[] json, String what) {
        Objects.requireNonNull(json, "json");
        String encoding = foreignEncoding(json);
        if (encoding != null) {
            throw new IllegalArgumentException(what + ": expected UTF-8 JSON without a byte-order mark, got "
                    + encoding);
        }
        try {
            return strict().decode(ByteBuffer.wrap(json)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(what + ": expected UTF-8 JSON, got bytes that are not valid UTF-8"
                    + firstInvalidByte(json));
        }
    }

    private static CharsetDecoder strict() {
        return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
    }

    /** What the bytes start with when it is a byte-order mark or UTF-16/32 text (a zero byte), else null. */
    private static String foreignEncoding(byte[] b) {
        if (b.length >= 3 && (b[0] & 0xff) == 0xEF && (b[1] & 0xff) == 0xBB && (b[2] & 0xff) == 0xBF) {
            return "a UTF-8 byte-order mark (bytes EF BB BF) at the start";
        }
        if (b.length >= 2 && ((b[0] & 0xff) == 0xFE && (b[1] & 0xff) == 0xFF
                || (b[0] & 0xff) == 0xFF && (b[1] & 0xff) == 0xFE)) {
            return String.format(Locale.ROOT, "a UTF-16 or UTF-32 byte-order mark (bytes %02X %02X) at"
                    + " the start", b[0] & 0xff, b[1] & 0xff);
        }
        for (int i = 0; i < Math.min(b.length, 4); i++) {
            if (b[i] == 0) {
                return "a zero byte at offset " + i + " (UTF-16 or UTF-32 text?)";
            }
        }
        return null;
    }

    private static String firstInvalidByte(byte[] b) {
        ByteBuffer in = ByteBuffer.wrap(b);
        var result = strict().decode(in, CharBuffer.allocate(b.length + 1), true);
        return result.isError() ? String.format(Locale.ROOT, " (byte %02X at offset %d)",
                b[in.position()] & 0xff, in.position()) : "";
    }
}
