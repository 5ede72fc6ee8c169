package io.nabla.web;

import io.nabla.config.NablaProperties;
import io.nabla.inference.InferenceCall;
import io.nabla.inference.InferenceException;
import io.nabla.inference.InputTensor;
import io.nabla.tensor.Shape;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.json.JsonFactory;

/**
 * Decodes an Open Inference Protocol request body: JSON, optionally followed by the binary tensor data extension's
 * raw bytes. Tensors are allocated in the caller's {@link io.nabla.tensor.TensorScope}.
 *
 * <p>Guarantees: numbers are streamed from the JSON into the tensors' memory (no tree, no boxing); nesting depth is
 * limited; every declared shape is checked (no negative sizes, no overflow, the per-tensor and per-request element
 * limits, no more elements than the body has bytes) BEFORE its tensor is allocated; nested {@code data} must have
 * the shape exactly ({@link DataNesting}), flat data the shape's element count; binary data must be exactly
 * {@code prod(shape) * sizeof(datatype)} bytes (BOOL bytes 0 or 1) and is copied once, from the body into the
 * tensor; nothing may follow the last input's bytes. Every refusal is an {@link InferenceException} (400) naming the
 * field, expected and actual, in the API's words ({@link JsonErrors} for malformed JSON).
 */
final class InferRequestReader {

    static final String HEADER_LENGTH = "Inference-Header-Content-Length";

    private final JsonFactory json;
    private final NablaProperties.Limits limits;

    InferRequestReader(NablaProperties.Limits limits) {
        this.limits = limits;
        this.json = JsonFactory.builder().streamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(limits.maxJsonDepth()).maxNumberLength(400).maxStringLength(1 << 20)
                .maxNameLength(1 << 10).build()).build();
    }

    ParsedInference read(InputStream body, long contentLength, String headerLength) {
        Long jsonLength = headerLength(headerLength, contentLength);
        try {
            InputStream jsonIn = body;
            if (jsonLength != null) {
                byte[] header = body.readNBytes((int) (long) jsonLength);
                if (header.length != jsonLength) {
                    throw InferenceException.invalid(HEADER_LENGTH + " is " + jsonLength + " but the body has only "
                            + header.length + " bytes");
                }
                jsonIn = new ByteArrayInputStream(header);
            }
            Document doc = parse(jsonIn, contentLength, jsonLength);
            List<InputTensor> inputs = new ArrayList<>();
            for (InputDraft d : doc.inputs) {
                if (d.binarySize != null) {
                    if (jsonLength == null) {
                        throw InferenceException.invalid(d.field + " ('" + d.name + "') has"
                                + " parameters.binary_data_size, so the " + HEADER_LENGTH + " header is required");
                    }
                    readBinary(body, d);
                }
                inputs.add(d.toInput());
            }
            if (jsonLength != null) {
                if (body.read() >= 0) {
                    throw InferenceException.invalid("the body goes on after the binary data of the inputs ("
                            + doc.binaryBytes + " bytes after the " + jsonLength + "-byte JSON); expected nothing"
                            + " more");
                }
            }
            List<String> names = doc.outputs.stream().map(RequestedOutput::name).toList();
            return new ParsedInference(doc.id, new InferenceCall(inputs, names), doc.outputs, doc.binaryOutput);
        } catch (IOException e) {
            // the message of a failed read names the server's classes (ClientAbortException, ...), not the problem
            throw new UncheckedIOException("cannot read the request body: the connection failed or ended before"
                    + " the body was complete", e);
        }
    }

    private Long headerLength(String header, long contentLength) {
        if (header == null) {
            return null;
        }
        long n;
        try {
            n = Long.parseLong(header.trim());
        } catch (NumberFormatException e) {
            throw InferenceException.invalid(HEADER_LENGTH + " must be a byte count, got '" + JsonData.clip(header)
                    + "'");
        }
        long max = contentLength >= 0 ? contentLength : limits.maxBodySize().toBytes();
        if (n < 2 || n > max) {
            throw InferenceException.invalid(HEADER_LENGTH + " must be between 2 and " + max + " (the "
                    + (contentLength >= 0 ? "Content-Length" : "body limit") + "), got " + n);
        }
        return n;
    }

    private void readBinary(InputStream body, InputDraft d) throws IOException {
        d.tensor = io.nabla.tensor.Tensor.empty(d.dtype, d.intShape());
        ByteBuffer dst = d.tensor.memory().hostBuffer().duplicate();
        dst.clear();
        long size = d.binarySize;
        byte[] chunk = new byte[(int) Math.min(size, 1 << 16) + 1];
        long done = 0;
        while (done < size) {
            int n = body.read(chunk, 0, (int) Math.min(chunk.length, size - done));
            if (n < 0) {
                throw InferenceException.invalid(d.field + " ('" + d.name + "'): parameters.binary_data_size is "
                        + size + " but the body ended after " + done + " of its bytes");
            }
            if (d.dtype == io.nabla.backend.DType.BOOL) {
                checkBools(d, chunk, n, done);
            }
            dst.put(chunk, 0, n);
            done += n;
        }
    }

    /**
     * Binary BOOL elements are one byte each and must be 0 or 1, as in the JSON form: any other byte would reach
     * the model as a value that is neither false nor true (comparisons and sums would disagree about it).
     */
    private static void checkBools(InputDraft d, byte[] chunk, int n, long offset) {
        for (int i = 0; i < n; i++) {
            if ((chunk[i] & 0xff) > 1) {
                throw InferenceException.invalid(d.field + " ('" + d.name + "'): binary BOOL element " + (offset + i)
                        + " is the byte " + String.format(java.util.Locale.ROOT, "0x%02X", chunk[i] & 0xff)
                        + "; BOOL takes the bytes 0x00 (false) and 0x01 (true)");
            }
        }
    }

    /** The JSON part of a request. */
    private static final class Document {
        String id;
        boolean binaryOutput;
        final List<InputDraft> inputs = new ArrayList<>();
        final List<RequestedOutput> outputs = new ArrayList<>();
        long elements;
        long binaryBytes;
    }

    private Document parse(InputStream in, long contentLength, Long jsonLength) {
        Document doc = new Document();
        try (JsonParser p = json.createParser(ObjectReadContext.empty(), in)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw InferenceException.invalid("the request body must be a JSON object");
            }
            Set<String> seen = new HashSet<>();
            for (String key = p.nextName(); key != null; key = p.nextName()) {
                JsonFields.once(seen, key, "the request");
                JsonToken t = p.nextToken();
                switch (key) {
                    case "id" -> doc.id = JsonFields.string(p, t, "id");
                    case "parameters" -> JsonFields.readParameters(p, t, "parameters", Map.of("binary_data_output",
                            v -> doc.binaryOutput = JsonFields.bool(p, v, "parameters.binary_data_output")));
                    case "inputs" -> readInputs(p, t, doc, contentLength, jsonLength);
                    case "outputs" -> readOutputs(p, t, doc);
                    default -> throw InferenceException.invalid("unknown field '" + JsonData.clip(key)
                            + "' in the request; expected id, inputs, outputs, parameters");
                }
            }
            trailing(p, jsonLength);
        } catch (JacksonException e) {
            InferenceException bad = malformed(e, limits.maxJsonDepth());
            if (jsonLength == null && (bad.getMessage().contains("where a JSON value was expected")
                    || bad.getMessage().contains("UTF-8"))) {
                throw new InferenceException(InferenceException.Kind.INVALID, bad.getMessage() + ". The body looks"
                        + " binary: binary tensor data must follow the JSON, with the " + HEADER_LENGTH
                        + " header giving the JSON's length in bytes", null, e);
            }
            throw bad;
        }
        if (doc.inputs.isEmpty()) {
            throw InferenceException.invalid("inputs is missing or empty; expected at least one input");
        }
        return doc;
    }

    /**
     * Checks nothing follows the request's JSON object. Without {@value #HEADER_LENGTH} the whole body is JSON, so
     * whatever follows (often the raw bytes of the binary extension, sent without the header that says where the
     * JSON ends) is refused with a message that names the header, not with the parser's complaint about a control
     * character.
     */
    private static void trailing(JsonParser p, Long jsonLength) {
        var end = p.currentLocation();
        boolean more;
        try {
            more = p.nextToken() != null;
        } catch (JacksonException e) {
            more = true;
        }
        if (more) {
            throw InferenceException.invalid("unexpected content after the request's JSON object (at line "
                    + end.getLineNr() + ", column " + end.getColumnNr() + "); expected the end of the body"
                    + (jsonLength == null ? ". If binary tensor data follows the JSON, the " + HEADER_LENGTH
                    + " header must give the JSON's length in bytes" : ""));
        }
    }

    static InferenceException malformed(JacksonException e, int maxJsonDepth) {
        return new InferenceException(InferenceException.Kind.INVALID, JsonErrors.describe(e, maxJsonDepth), null,
                e);
    }

    private void readInputs(JsonParser p, JsonToken t, Document doc, long contentLength, Long jsonLength) {
        JsonFields.expect(t, JsonToken.START_ARRAY, "inputs", "an array");
        Map<String, String> names = new HashMap<>();
        for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
            InputDraft d = new InputDraft(doc.inputs.size());
            JsonFields.expect(e, JsonToken.START_OBJECT, d.field, "an object");
            readInput(p, d, doc, contentLength, jsonLength);
            String before = names.put(d.name, d.field);
            if (before != null) {
                throw InferenceException.invalid("input '" + d.name + "' appears twice (" + before + " and "
                        + d.field + "); input names must be unique");
            }
            doc.inputs.add(d);
        }
    }

    private void readInput(JsonParser p, InputDraft d, Document doc, long contentLength, Long jsonLength) {
        Set<String> seen = new HashSet<>();
        for (String key = p.nextName(); key != null; key = p.nextName()) {
            JsonFields.once(seen, key, d.field);
            JsonToken t = p.nextToken();
            switch (key) {
                case "name" -> d.name = JsonFields.string(p, t, d.field + ".name");
                case "shape" -> d.shape = JsonFields.shape(p, t, d.field + ".shape");
                case "datatype" -> d.dtype = JsonFields.datatype(JsonFields.string(p, t, d.field + ".datatype"), d.field);
                case "parameters" -> JsonFields.readParameters(p, t, d.field + ".parameters", Map.of("binary_data_size",
                        v -> d.binarySize = JsonFields.count(p, v, d.field + ".parameters.binary_data_size")));
                case "data" -> {
                    d.hasData = true;
                    if (d.binarySize != null) {
                        throw InferenceException.invalid(d.field + " ('" + d.name + "') has both data and"
                                + " parameters.binary_data_size; send one of them");
                    }
                    if (d.described()) {
                        admit(d, doc, contentLength, jsonLength);
                        JsonData.read(p, d.field + ".data", limits.maxJsonDepth(), d.shape, d.allocate());
                    } else {
                        d.early = new ValueBuffer(d.field + ".data", limits.maxTensorElements());
                        d.nesting = JsonData.read(p, d.field + ".data", limits.maxJsonDepth(), null, d.early);
                    }
                }
                default -> throw InferenceException.invalid("unknown field '" + JsonData.clip(key) + "' in "
                        + d.field + "; expected name, shape, datatype, parameters, data");
            }
        }
        if (d.name == null) {
            throw InferenceException.invalid(d.field + ".name is missing");
        }
        if (d.described() && d.numel < 0) {
            admit(d, doc, contentLength, jsonLength);
            if (d.nesting != null) {
                d.nesting.check(d.shape);
            }
            if (d.early != null) {
                d.early.replay(d.allocate());
            }
        }
        d.finish();
    }

    /** Checks a described input against the limits and the body's size, before anything is allocated for it. */
    private void admit(InputDraft d, Document doc, long contentLength, Long jsonLength) {
        String what = d.field + " ('" + d.name + "')";
        long n;
        try {
            n = Shape.numelChecked(d.shape, limits.maxTensorElements());
        } catch (IllegalArgumentException e) {
            throw InferenceException.invalid(what + ": " + e.getMessage() + " (nabla.limits.max-tensor-elements)");
        }
        if (doc.elements + n > limits.maxRequestElements()) {
            throw InferenceException.invalid(what + ": shape " + d.shapeText() + " brings the request to "
                    + (doc.elements + n) + " elements, more than the limit " + limits.maxRequestElements()
                    + " (nabla.limits.max-request-elements)");
        }
        d.numel = n;
        if (d.binarySize == null) {
            if (contentLength >= 0 && n > contentLength) {
                throw InferenceException.invalid(what + ": shape " + d.shapeText() + " declares " + n
                        + " values but the whole body is only " + contentLength + " bytes");
            }
        } else {
            if (d.binarySize != d.expectedBytes()) {
                d.finish();
            }
            long available = (contentLength >= 0 ? contentLength : limits.maxBodySize().toBytes())
                    - (jsonLength == null ? 0 : jsonLength);
            doc.binaryBytes += d.binarySize;
            if (doc.binaryBytes > available) {
                throw InferenceException.invalid(what + ": the binary_data_size of the inputs adds up to "
                        + doc.binaryBytes + " bytes, but at most " + available + " bytes follow the JSON");
            }
        }
        doc.elements += n;
    }

    private void readOutputs(JsonParser p, JsonToken t, Document doc) {
        JsonFields.expect(t, JsonToken.START_ARRAY, "outputs", "an array");
        for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
            String field = "outputs[" + doc.outputs.size() + "]";
            JsonFields.expect(e, JsonToken.START_OBJECT, field, "an object");
            String name = null;
            Boolean[] binary = {null};
            Integer[] classes = {null};
            Set<String> seen = new HashSet<>();
            for (String key = p.nextName(); key != null; key = p.nextName()) {
                JsonFields.once(seen, key, field);
                JsonToken v = p.nextToken();
                switch (key) {
                    case "name" -> name = JsonFields.string(p, v, field + ".name");
                    case "parameters" -> JsonFields.readParameters(p, v, field + ".parameters", Map.of("binary_data",
                            b -> binary[0] = JsonFields.bool(p, b, field + ".parameters.binary_data"),
                            "classification", c -> classes[0] = classification(p, c,
                                    field + ".parameters.classification")));
                    default -> throw InferenceException.invalid("unknown field '" + JsonData.clip(key) + "' in "
                            + field + "; expected name, parameters");
                }
            }
            if (name == null) {
                throw InferenceException.invalid(field + ".name is missing");
            }
            doc.outputs.add(new RequestedOutput(name, binary[0], classes[0]));
        }
    }

    /** A class count: an integer from 1 to {@link #MAX_CLASSIFICATION}. */
    private static int classification(JsonParser p, JsonToken t, String field) {
        if (t != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                || p.getLongValue() < 1 || p.getLongValue() > MAX_CLASSIFICATION) {
            throw InferenceException.invalid(field + " must be an integer from 1 to " + MAX_CLASSIFICATION + ", got "
                    + (t == JsonToken.VALUE_NUMBER_INT ? JsonData.clip(p.getText()) : JsonData.describe(t)));
        }
        return p.getIntValue();
    }

    /** The most classes one output may be asked for. */
    static final int MAX_CLASSIFICATION = 1 << 16;
}
