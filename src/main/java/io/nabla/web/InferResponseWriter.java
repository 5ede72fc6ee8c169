package io.nabla.web;

import io.nabla.backend.DType;
import io.nabla.backend.HalfFloats;
import io.nabla.inference.InferenceException;
import io.nabla.inference.InferenceResult;
import io.nabla.inference.OutputTensor;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.json.JsonFactory;

/**
 * Writes an inference response: JSON streamed straight from the outputs' bytes, or, when any output goes back as
 * binary data, the JSON header (its length in {@code Inference-Header-Content-Length}) followed by the raw
 * little-endian bytes of those outputs in order.
 */
final class InferResponseWriter {

    private final JsonFactory json = JsonFactory.builder().build();

    void write(HttpServletResponse response, ParsedInference request, InferenceResult result) throws IOException {
        Map<String, Classes> classes = new HashMap<>();
        for (OutputTensor o : result.outputs()) {
            Integer k = request.classification(o.name());
            if (k != null) {
                // before anything is written: a 400 stays possible
                classes.put(o.name(), Classes.of(o, k, result.labels().get(o.name())));
            }
        }
        List<OutputTensor> binary = new ArrayList<>();
        for (OutputTensor o : result.outputs()) {
            if (request.binary(o.name())) {
                binary.add(classes.containsKey(o.name()) ? classes.get(o.name()).asBytes(o.name()) : o);
            }
        }
        response.setStatus(HttpServletResponse.SC_OK);
        if (binary.isEmpty()) {
            response.setContentType("application/json");
            try (JsonGenerator g = json.createGenerator(ObjectWriteContext.empty(), response.getOutputStream())) {
                writeJson(g, request, result, classes);
            }
            return;
        }
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        try (JsonGenerator g = json.createGenerator(ObjectWriteContext.empty(), header)) {
            writeJson(g, request, result, classes);
        }
        long total = header.size();
        for (OutputTensor o : binary) {
            total += o.data().length;
        }
        response.setContentType("application/octet-stream");
        response.setHeader(InferRequestReader.HEADER_LENGTH, Integer.toString(header.size()));
        response.setContentLengthLong(total);
        OutputStream out = response.getOutputStream();
        header.writeTo(out);
        for (OutputTensor o : binary) {
            out.write(o.data());
        }
        out.flush();
    }

    private static void writeJson(JsonGenerator g, ParsedInference request, InferenceResult result,
            Map<String, Classes> classes) {
        g.writeStartObject();
        g.writeStringProperty("model_name", result.modelName());
        g.writeStringProperty("model_version", Integer.toString(result.modelVersion()));
        if (request.id() != null) {
            g.writeStringProperty("id", request.id());
        }
        g.writeName("outputs");
        g.writeStartArray();
        for (OutputTensor o : result.outputs()) {
            Classes c = classes.get(o.name());
            g.writeStartObject();
            g.writeStringProperty("name", o.name());
            g.writeStringProperty("datatype", c == null ? o.datatype().inferenceName() : "BYTES");
            g.writeName("shape");
            int[] shape = c == null ? o.shape() : c.shape();
            g.writeArray(shape, 0, shape.length);
            if (request.binary(o.name())) {
                g.writeName("parameters");
                g.writeStartObject();
                g.writeNumberProperty("binary_data_size", c == null ? o.data().length : c.asBytes(o.name()).data()
                        .length);
                g.writeEndObject();
            } else if (c != null) {
                g.writeName("data");
                g.writeStartArray();
                for (String v : c.values()) {
                    g.writeString(v);
                }
                g.writeEndArray();
            } else {
                g.writeName("data");
                writeData(g, o);
            }
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    /** Writes the values flat, in row-major order; floats with their shortest exact text. */
    private static void writeData(JsonGenerator g, OutputTensor o) {
        ByteBuffer b = ByteBuffer.wrap(o.data()).order(ByteOrder.LITTLE_ENDIAN);
        DType t = o.datatype();
        int n = o.data().length / t.itemSize();
        g.writeStartArray();
        for (int i = 0; i < n; i++) {
            switch (t) {
                case FP32 -> g.writeNumber(b.getFloat(i << 2));
                case FP64 -> g.writeNumber(b.getDouble(i << 3));
                case FP16 -> g.writeNumber(HalfFloats.halfToFloat(b.getShort(i << 1)));
                case BF16 -> g.writeNumber(HalfFloats.bf16ToFloat(b.getShort(i << 1)));
                case INT64 -> g.writeNumber(b.getLong(i << 3));
                case INT32 -> g.writeNumber(b.getInt(i << 2));
                case INT16 -> g.writeNumber(b.getShort(i << 1));
                case INT8 -> g.writeNumber(b.get(i));
                case UINT8 -> g.writeNumber(b.get(i) & 0xff);
                case BOOL -> g.writeBoolean(b.get(i) != 0);
                default -> throw new IllegalStateException("no JSON form for " + t);
            }
        }
        g.writeEndArray();
    }

    /**
     * Triton's classification extension: for each row of an output of shape (rows, classes), or the one row of an
     * output of shape (classes), the k largest values as the strings {@code "value:index"} (the value as C's
     * {@code %f}, as Triton's {@code std::to_string}), or {@code "value:index:label"} for an output whose spec names
     * its classes ({@code labels}, Triton's label file), largest first, ties by smaller index; shape (rows, k) or
     * (k). Asking for more classes than there are answers them all.
     */
    record Classes(int[] shape, List<String> values) {

        static Classes of(OutputTensor o, int k, List<String> labels) {
            int[] s = o.shape();
            if (s.length != 1 && s.length != 2) {
                throw InferenceException.invalid("output '" + o.name() + "': parameters.classification needs an output "
                        + "of shape (classes) or (rows, classes), got " + java.util.Arrays.toString(s));
            }
            int classes = s[s.length - 1];
            int rows = s.length == 1 ? 1 : s[0];
            int top = Math.min(k, classes);
            double[] v = values(o);
            List<String> out = new ArrayList<>(rows * top);
            Integer[] order = new Integer[classes];
            for (int r = 0; r < rows; r++) {
                int base = r * classes;
                for (int c = 0; c < classes; c++) {
                    order[c] = c;
                }
                java.util.Arrays.sort(order, (a, b) -> {
                    int cmp = Double.compare(v[base + b], v[base + a]);
                    return cmp != 0 ? cmp : Integer.compare(a, b);
                });
                for (int i = 0; i < top; i++) {
                    String entry = String.format(java.util.Locale.ROOT, "%f:%d", v[base + order[i]], order[i]);
                    out.add(labels == null ? entry : entry + ":" + labels.get(order[i]));
                }
            }
            return new Classes(s.length == 1 ? new int[] {top} : new int[] {rows, top}, out);
        }

        /** The strings as binary BYTES elements: each a 4-byte little-endian length and its UTF-8 bytes. */
        OutputTensor asBytes(String name) {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            for (String v : values) {
                byte[] u = v.getBytes(java.nio.charset.StandardCharsets.UTF_8);
                b.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(u.length).array());
                b.writeBytes(u);
            }
            return new OutputTensor(name, DType.UINT8, shape, b.toByteArray());
        }

        private static double[] values(OutputTensor o) {
            ByteBuffer b = ByteBuffer.wrap(o.data()).order(ByteOrder.LITTLE_ENDIAN);
            DType t = o.datatype();
            int n = o.data().length / t.itemSize();
            double[] v = new double[n];
            for (int i = 0; i < n; i++) {
                v[i] = switch (t) {
                    case FP32 -> b.getFloat(i << 2);
                    case FP64 -> b.getDouble(i << 3);
                    case FP16 -> HalfFloats.halfToFloat(b.getShort(i << 1));
                    case BF16 -> HalfFloats.bf16ToFloat(b.getShort(i << 1));
                    case INT64 -> b.getLong(i << 3);
                    case INT32 -> b.getInt(i << 2);
                    case INT16 -> b.getShort(i << 1);
                    case INT8 -> b.get(i);
                    case UINT8 -> b.get(i) & 0xff;
                    case BOOL -> b.get(i) != 0 ? 1 : 0;
                    default -> throw new IllegalStateException("no values of " + t);
                };
            }
            return v;
        }
    }
}
