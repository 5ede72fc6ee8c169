package io.nabla.web;

import io.nabla.backend.DType;
import io.nabla.backend.HalfFloats;
import io.nabla.inference.InferenceResult;
import io.nabla.inference.OutputTensor;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
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
        List<OutputTensor> binary = new ArrayList<>();
        for (OutputTensor o : result.outputs()) {
            if (request.binary(o.name())) {
                binary.add(o);
            }
        }
        response.setStatus(HttpServletResponse.SC_OK);
        if (binary.isEmpty()) {
            response.setContentType("application/json");
            try (JsonGenerator g = json.createGenerator(ObjectWriteContext.empty(), response.getOutputStream())) {
                writeJson(g, request, result);
            }
            return;
        }
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        try (JsonGenerator g = json.createGenerator(ObjectWriteContext.empty(), header)) {
            writeJson(g, request, result);
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

    private static void writeJson(JsonGenerator g, ParsedInference request, InferenceResult result) {
        g.writeStartObject();
        g.writeStringProperty("model_name", result.modelName());
        g.writeStringProperty("model_version", Integer.toString(result.modelVersion()));
        if (request.id() != null) {
            g.writeStringProperty("id", request.id());
        }
        g.writeName("outputs");
        g.writeStartArray();
        for (OutputTensor o : result.outputs()) {
            g.writeStartObject();
            g.writeStringProperty("name", o.name());
            g.writeStringProperty("datatype", o.datatype().inferenceName());
            g.writeName("shape");
            g.writeArray(o.shape(), 0, o.shape().length);
            if (request.binary(o.name())) {
                g.writeName("parameters");
                g.writeStartObject();
                g.writeNumberProperty("binary_data_size", o.data().length);
                g.writeEndObject();
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
}
