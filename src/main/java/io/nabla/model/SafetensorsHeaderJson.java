package io.nabla.model;

import static io.nabla.model.SafetensorsText.quote;

import io.nabla.backend.DType;
import io.nabla.tensor.Shape;
import java.io.Reader;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * Streams the JSON of a safetensors header into entries, checking each field as it goes: the root is an object;
 * {@code __metadata__}, if present, maps strings to strings; every other member is an object with exactly
 * {@code dtype} (a code the engine supports), {@code shape} (non-negative integers) and {@code data_offsets}
 * ({@code [begin, end]}, {@code begin <= end <= data size}) whose byte length equals the shape's. Names are unique
 * (Jackson's strict duplicate detection) and at most {@link SafetensorsLimits#MAX_TENSOR_NAME_LENGTH} characters long
 * (checked before a name is used in any message), and every string is valid Unicode. Nothing is allocated from a
 * declared size: shapes are read element by element and capped at {@link #MAX_RANK} dimensions.
 */
final class SafetensorsHeaderJson {

    /** The most dimensions a tensor may have (bounds what one shape array can make the reader allocate). */
    static final int MAX_RANK = 64;

    /** safetensors dtype codes that are valid in the format but have no engine dtype. */
    private static final Set<String> KNOWN_UNSUPPORTED = Set.of("F4", "F6_E2M3", "F6_E3M2", "F8_E5M2", "F8_E4M3",
            "F8_E8M0", "U16", "U32", "U64", "C64");

    private static final JsonMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .streamReadConstraints(SafetensorsLimits.jsonConstraints())
                    .build())
            .build();

    private final String source;
    private final long dataSize;
    private final Map<String, String> metadata = new LinkedHashMap<>();
    private final List<SafetensorsEntry> entries = new ArrayList<>();
    private boolean hasMetadata;
    private JsonParser p;
    /** The member being parsed ({@code __metadata__} or "tensor 'name'"), null at the root: for error messages. */
    private String context;

    private SafetensorsHeaderJson(String source, long dataSize) {
        this.source = source;
        this.dataSize = dataSize;
    }

    /** Parsed header members, in the order the header lists them. */
    record Parsed(Map<String, String> metadata, boolean hasMetadata, List<SafetensorsEntry> entries) {
    }

    /** Parses the header text read from {@code json} (already checked to be valid UTF-8). */
    static Parsed parse(Reader json, String source, long dataSize) {
        SafetensorsHeaderJson h = new SafetensorsHeaderJson(source, dataSize);
        try (JsonParser parser = MAPPER.createParser(json)) {
            h.p = parser;
            h.parseRoot();
        } catch (JacksonException e) {
            throw h.jsonFailure(e);
        }
        return new Parsed(h.metadata, h.hasMetadata, h.entries);
    }

    /**
     * Jackson's error in the service's words ({@link JsonErrorText}: what, where, expected; never a parser feature or
     * limit accessor a client cannot act on), or for a duplicate name (strict duplicate detection) the member it
     * repeats.
     */
    private SafetensorsException jsonFailure(JacksonException e) {
        String msg = e.getOriginalMessage();
        if (msg != null && msg.startsWith("Duplicate Object property \"") && msg.endsWith("\"")) {
            String dup = quote(msg.substring(msg.indexOf('"') + 1, msg.length() - 1));
            String what = context == null ? "duplicate tensor name " + dup
                    : context.equals("__metadata__") ? "__metadata__ has a duplicate key " + dup
                    : context + " has a duplicate field " + dup;
            return fail(what + at(e.getLocation()), e);
        }
        return fail("header is not valid JSON" + JsonErrorText.detail(e, -1, p), e);
    }

    private static String at(TokenStreamLocation loc) {
        return loc == null || loc.getLineNr() < 0 ? "" : " (line " + loc.getLineNr() + ", column "
                + loc.getColumnNr() + ")";
    }

    private void parseRoot() {
        JsonToken t = p.nextToken();
        if (t != JsonToken.START_OBJECT) {
            throw fail("header must be a JSON object, got " + describe(t));
        }
        for (t = p.nextToken(); t == JsonToken.PROPERTY_NAME; t = p.nextToken()) {
            String name = checkedString(p.currentName(), "tensor name");
            p.nextToken();
            if (name.equals("__metadata__")) {
                context = name;
                parseMetadata();
            } else {
                SafetensorsLimits.checkTensorName(name, source + ": ");
                context = "tensor " + quote(name);
                entries.add(parseEntry(name));
            }
            context = null;
        }
        JsonToken after = p.nextToken();
        if (after != null) {
            throw fail("unexpected content after the header's JSON object: " + describe(after)
                    + at(p.currentLocation()));
        }
    }

    private void parseMetadata() {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw fail("__metadata__ must be an object of string to string, got " + describe(p.currentToken()));
        }
        hasMetadata = true;
        for (JsonToken t = p.nextToken(); t == JsonToken.PROPERTY_NAME; t = p.nextToken()) {
            String key = checkedString(p.currentName(), "__metadata__ key");
            JsonToken v = p.nextToken();
            if (v != JsonToken.VALUE_STRING) {
                throw fail("__metadata__ value of " + quote(key) + " must be a string, got " + describe(v));
            }
            metadata.put(key, checkedString(p.getString(), "__metadata__ value of " + quote(key)));
        }
    }

    private SafetensorsEntry parseEntry(String name) {
        String what = "tensor " + quote(name);
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw fail(what + ": entry must be an object with dtype, shape and data_offsets, got "
                    + describe(p.currentToken()));
        }
        DType dtype = null;
        int[] shape = null;
        long[] offsets = null;
        for (JsonToken t = p.nextToken(); t == JsonToken.PROPERTY_NAME; t = p.nextToken()) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "dtype" -> dtype = parseDType(what);
                case "shape" -> shape = parseShape(what);
                case "data_offsets" -> offsets = parseOffsets(what);
                default -> throw fail(what + ": unknown field " + quote(field)
                        + " (expected exactly dtype, shape and data_offsets)");
            }
        }
        if (dtype == null || shape == null || offsets == null) {
            String missing = dtype == null ? "dtype" : shape == null ? "shape" : "data_offsets";
            throw fail(what + ": missing field '" + missing + "'");
        }
        return checkedEntry(name, what, dtype, shape, offsets[0], offsets[1]);
    }

    private SafetensorsEntry checkedEntry(String name, String what, DType dtype, int[] shape, long begin, long end) {
        String offsets = "data_offsets [" + begin + ", " + end + "]";
        if (begin > end) {
            throw fail(what + ": " + offsets + " has begin " + begin + " > end " + end);
        }
        if (end > dataSize) {
            throw fail(what + ": " + offsets + " is out of range: the data section has " + dataSize + " bytes");
        }
        long bytes;
        try {
            bytes = Math.multiplyExact(Shape.numel(shape), (long) dtype.itemSize());
        } catch (ArithmeticException | IllegalArgumentException e) { // the product or the element count overflows
            throw fail(what + ": the byte size of shape " + Shape.format(shape) + " of " + dtype.safetensorsCode()
                    + " overflows 64 bits");
        }
        if (bytes != end - begin) {
            throw fail(what + ": shape " + Shape.format(shape) + " of " + dtype.safetensorsCode() + " needs "
                    + bytes + " bytes, but " + offsets + " span " + (end - begin));
        }
        return new SafetensorsEntry(name, dtype, shape, begin, end);
    }

    private DType parseDType(String what) {
        JsonToken t = p.currentToken();
        if (t != JsonToken.VALUE_STRING) {
            throw fail(what + ": field 'dtype' must be a string, got " + describe(t));
        }
        String code = p.getString();
        for (DType d : DType.values()) {
            if (d.safetensorsCode().equals(code)) {
                return d;
            }
        }
        if (KNOWN_UNSUPPORTED.contains(code)) {
            throw fail(what + ": dtype " + quote(code) + " is a safetensors dtype that this engine does not "
                    + "support (supported: " + supportedCodes() + ")");
        }
        throw fail(what + ": unknown dtype " + quote(code) + ", expected one of " + supportedCodes());
    }

    private int[] parseShape(String what) {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw fail(what + ": field 'shape' must be an array of non-negative integers, got "
                    + describe(p.currentToken()));
        }
        int[] dims = new int[4];
        int rank = 0;
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            String field = "shape[" + rank + "]";
            long v = nonNegativeInteger(what, field, t);
            if (v > Integer.MAX_VALUE) {
                throw fail(what + ": " + field + " = " + p.getString() + " exceeds the largest dimension the engine "
                        + "supports, " + Integer.MAX_VALUE);
            }
            if (rank == MAX_RANK) {
                throw fail(what + ": shape has more than " + MAX_RANK + " dimensions");
            }
            if (rank == dims.length) {
                dims = Arrays.copyOf(dims, Math.min(2 * rank, MAX_RANK));
            }
            dims[rank++] = (int) v;
        }
        return Arrays.copyOf(dims, rank);
    }

    private long[] parseOffsets(String what) {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw fail(what + ": field 'data_offsets' must be an array [begin, end], got "
                    + describe(p.currentToken()));
        }
        long[] out = new long[2];
        int n = 0;
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            if (n == 2) {
                throw fail(what + ": field 'data_offsets' must have exactly 2 elements [begin, end], got more");
            }
            String field = "data_offsets[" + n + "]";
            out[n++] = nonNegativeInteger(what, field, t);
        }
        if (n != 2) {
            throw fail(what + ": field 'data_offsets' must have exactly 2 elements [begin, end], got " + n);
        }
        return out;
    }

    /** The current token as a non-negative integer; a value past a long is reported (it is past any file). */
    private long nonNegativeInteger(String what, String field, JsonToken t) {
        if (t != JsonToken.VALUE_NUMBER_INT) {
            throw fail(what + ": " + field + " must be a non-negative integer, got " + describe(t));
        }
        if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            BigInteger big = p.getBigIntegerValue();
            if (big.signum() < 0) {
                throw fail(what + ": " + field + " must be a non-negative integer, got " + big);
            }
            throw fail(what + ": " + field + " = " + big + " is out of range: the data section has " + dataSize
                    + " bytes");
        }
        long v = p.getLongValue();
        if (v < 0) {
            throw fail(what + ": " + field + " must be a non-negative integer, got " + v);
        }
        return v;
    }

    private String describe(JsonToken t) {
        if (t == null) {
            return "the end of the header";
        }
        return switch (t) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "the string " + quote(p.getString());
            case VALUE_NUMBER_INT -> "the integer " + p.getString();
            case VALUE_NUMBER_FLOAT -> "the number " + p.getString();
            case VALUE_TRUE -> "true";
            case VALUE_FALSE -> "false";
            case VALUE_NULL -> "null";
            default -> t.toString();
        };
    }

    /** Rejects strings holding an unpaired UTF-16 surrogate (JSON can escape one; it is not Unicode). */
    private String checkedString(String s, String what) {
        int at = SafetensorsText.unpairedSurrogate(s);
        if (at >= 0) {
            throw fail(what + " " + quote(s) + " holds an unpaired surrogate \\u" + Integer.toHexString(s.charAt(at))
                    + " at index " + at + ", which is not valid Unicode");
        }
        return s;
    }

    private static String supportedCodes() {
        StringBuilder sb = new StringBuilder();
        for (DType d : DType.values()) {
            sb.append(sb.length() == 0 ? "" : ", ").append(d.safetensorsCode());
        }
        return sb.toString();
    }

    private SafetensorsException fail(String message) {
        return new SafetensorsException(source + ": " + message);
    }

    private SafetensorsException fail(String message, Throwable cause) {
        return new SafetensorsException(source + ": " + message, cause);
    }
}
