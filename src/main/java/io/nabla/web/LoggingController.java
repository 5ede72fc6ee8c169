package io.nabla.web;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.nabla.nn.JsonValues;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.annotation.PreDestroy;
import java.util.List;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/**
 * Triton's logging extension ({@code GET/POST /v2/logging}): the server's log settings, read and changed while it
 * runs. {@code log_info}, {@code log_warning} and {@code log_error} switch each level of the whole process's log on
 * or off (a Logback turbo filter, so each is independent of the others, as in Triton); {@code log_verbose_level}
 * 0 leaves the {@code io.nabla} loggers at their configured level, 1 turns on their DEBUG and 2 or more their TRACE
 * messages. The log goes to standard output ({@code log_file} is {@code ""}) with ISO 8601 timestamps
 * ({@code log_format} {@code "ISO8601"}, Spring Boot's pattern): a request may send those values, and is refused for
 * any other (a client choosing a file on the server to write to, or Triton's glog format, which this server has not).
 * A POST is checked whole before anything changes; a field it leaves out keeps its value. Settings last until the
 * process ends.
 */
@RestController
@Tag(name = "server")
class LoggingController {

    private static final List<String> FIELDS = List.of("log_file", "log_info", "log_warning", "log_error",
            "log_verbose_level", "log_format");

    private final LoggerContext context;
    private final Logger nabla;
    private final Level configured;
    private final Switches switches = new Switches();
    private int verbose;

    LoggingController() {
        this.context = LoggerFactory.getILoggerFactory() instanceof LoggerContext c ? c : null;
        this.nabla = context == null ? null : context.getLogger("io.nabla");
        this.configured = nabla == null ? null : nabla.getLevel();
        if (context != null) {
            switches.setContext(context);
            switches.start();
            context.addTurboFilter(switches);
        }
    }

    /** Takes this server's filter out of the process's (shared) logger context and restores the verbosity. */
    @PreDestroy
    void close() {
        if (context != null) {
            context.getTurboFilterList().remove(switches);
            nabla.setLevel(configured);
        }
    }

    /** Drops the events of the levels switched off; decides nothing about the others. */
    static final class Switches extends TurboFilter {
        volatile boolean info = true;
        volatile boolean warning = true;
        volatile boolean error = true;

        @Override
        public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params,
                Throwable t) {
            if (level == Level.INFO && !info || level == Level.WARN && !warning || level == Level.ERROR && !error) {
                return FilterReply.DENY;
            }
            return FilterReply.NEUTRAL;
        }
    }

    @Schema(name = "LogSettings", description = "Triton's log settings")
    record Settings(@JsonProperty("log_file") @Schema(description = "\"\": the log goes to standard output")
            String logFile,
            @JsonProperty("log_info") Boolean logInfo,
            @JsonProperty("log_warning") Boolean logWarning,
            @JsonProperty("log_error") Boolean logError,
            @JsonProperty("log_verbose_level") @Schema(description = "0: the configured levels; 1: DEBUG and 2 or more: "
                    + "TRACE for the io.nabla loggers") Integer logVerboseLevel,
            @JsonProperty("log_format") @Schema(description = "ISO8601 (Spring Boot's pattern)") String logFormat) {
    }

    @GetMapping("/v2/logging")
    @Operation(summary = "The log settings (Triton's logging extension)")
    @ApiResponse(responseCode = "200")
    synchronized Settings settings() {
        return new Settings("", switches.info, switches.warning, switches.error, verbose, "ISO8601");
    }

    @PostMapping(value = "/v2/logging", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Changes the log settings; answers them all (Triton's logging extension)")
    @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true, content = @Content(
            mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(implementation = Settings.class)))
    @ApiResponse(responseCode = "200")
    @ApiResponse(responseCode = "400", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    synchronized Settings update(@RequestBody JsonNode body) {
        if (body == null || !body.isObject()) {
            throw new IllegalArgumentException("the request body: expected a JSON object of log settings such as "
                    + "{\"log_verbose_level\": 1}, got " + (body == null ? "nothing" : JsonValues.brief(body)));
        }
        for (String name : body.propertyNames()) {
            if (!FIELDS.contains(name)) {
                throw new IllegalArgumentException(name + ": unknown log setting; expected one of " + FIELDS);
            }
        }
        String file = string(body, "log_file");
        if (file != null && !file.isEmpty()) {
            throw new IllegalArgumentException("log_file: this server logs to standard output and writes no file a "
                    + "request names; expected \"\", got \"" + JsonValues.brief(file) + "\"");
        }
        String format = string(body, "log_format");
        if (format != null && !format.equals("ISO8601")) {
            throw new IllegalArgumentException("log_format: this server writes ISO 8601 timestamps (Spring Boot's "
                    + "pattern; Triton's glog \"default\" format is not built); expected \"ISO8601\", got \""
                    + JsonValues.brief(format) + "\"");
        }
        Boolean info = bool(body, "log_info");
        Boolean warning = bool(body, "log_warning");
        Boolean error = bool(body, "log_error");
        JsonNode v = body.get("log_verbose_level");
        Integer level = null;
        if (v != null && !v.isNull()) {
            if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < 0) {
                throw new IllegalArgumentException("log_verbose_level: expected an integer >= 0, got "
                        + JsonValues.brief(v));
            }
            level = v.intValue();
        }
        boolean changes = info != null || warning != null || error != null || level != null;
        if (changes && context == null) {
            throw new IllegalArgumentException("the request body: this server's logging is not Logback's, so its log "
                    + "settings cannot change while it runs");
        }
        if (info != null) {
            switches.info = info;
        }
        if (warning != null) {
            switches.warning = warning;
        }
        if (error != null) {
            switches.error = error;
        }
        if (level != null) {
            verbose = level;
            nabla.setLevel(level == 0 ? configured : level == 1 ? Level.DEBUG : Level.TRACE);
        }
        return settings();
    }

    private static String string(JsonNode body, String name) {
        JsonNode v = body.get(name);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isString()) {
            throw new IllegalArgumentException(name + ": expected a string, got " + JsonValues.brief(v));
        }
        return v.stringValue();
    }

    private static Boolean bool(JsonNode body, String name) {
        JsonNode v = body.get(name);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isBoolean()) {
            throw new IllegalArgumentException(name + ": expected true or false, got " + JsonValues.brief(v));
        }
        return v.booleanValue();
    }
}
