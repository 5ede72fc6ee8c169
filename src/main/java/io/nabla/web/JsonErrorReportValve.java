package io.nabla.web;

import java.io.IOException;
import java.io.Writer;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.apache.tomcat.util.res.StringManager;

/**
 * Tomcat's error page for failures it answers before the application runs (e.g. an invalid request URI), written as
 * {@code {"error": "..."}} like every other error of the service, without stack traces.
 */
public final class JsonErrorReportValve extends ErrorReportValve {

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        String message = response.getMessage();
        if (message == null || message.isBlank()) {
            message = StringManager.getManager(ErrorReportValve.class).getString("http." + status + ".reason");
        }
        String text = "HTTP " + status + (message == null ? "" : ": " + message) + " (refused by the HTTP server)";
        try {
            response.setContentType("application/json");
            response.setCharacterEncoding("UTF-8");
            Writer w = response.getReporter();
            if (w != null) {
                w.write("{\"error\":\"" + escape(text) + "\"}");
                response.finishResponse();
            }
        } catch (IOException | IllegalStateException e) {
            // the client is gone; nothing more to say
        }
    }

    private static String escape(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
