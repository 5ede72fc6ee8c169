package io.nabla.web;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.json.JsonFactory;

/**
 * The body of every error answer: {@code {"error": "<message naming the field, the expected and the actual value>"}}.
 *
 * @param error the message
 */
@Schema(name = "ErrorResponse", description = "Every error: a message naming the field, the expected and the"
        + " actual value")
record ErrorBody(@JsonProperty("error") @Schema(requiredMode = Schema.RequiredMode.REQUIRED) String error) {

    /**
     * The longest message sent. Messages quote the offending value so a client sees what was refused; quoting all of
     * a 100,000-character field would make the error as large as the request, so past this the message is cut.
     */
    static final int MAX_LENGTH = 2000;

    private static final JsonFactory JSON = JsonFactory.builder().build();

    ErrorBody {
        error = cut(error);
    }

    static String cut(String message) {
        if (message == null || message.length() <= MAX_LENGTH) {
            return message;
        }
        return message.substring(0, MAX_LENGTH) + "... (" + message.length() + " characters in all)";
    }

    /** Writes an error answer directly (for filters, which run outside Spring MVC's exception handling). */
    static void write(HttpServletResponse response, int status, String message) throws IOException {
        response.resetBuffer();
        response.setStatus(status);
        response.setContentType("application/json");
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        try (JsonGenerator g = JSON.createGenerator(ObjectWriteContext.empty(), response.getOutputStream())) {
            g.writeStartObject();
            g.writeStringProperty("error", cut(message));
            g.writeEndObject();
        }
    }
}
