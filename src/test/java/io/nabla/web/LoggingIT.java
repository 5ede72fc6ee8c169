package io.nabla.web;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * Triton's logging extension: {@code GET /v2/logging} answers the settings, {@code POST} changes them (each level on
 * or off, the io.nabla loggers' verbosity) and answers them all; a file, a format this server has not, an unknown or
 * mistyped setting is a 400 that changes nothing.
 */
class LoggingIT extends ServerTestBase {

    private final Logger probe = (Logger) LoggerFactory.getLogger("io.nabla.web.LoggingIT.probe");
    private final ListAppender<ILoggingEvent> seen = new ListAppender<>();

    @AfterEach
    void restore() {
        http.postJson("/v2/logging", "{\"log_info\": true, \"log_warning\": true, \"log_error\": true, "
                + "\"log_verbose_level\": 0}");
        probe.detachAppender(seen);
    }

    @Test
    void theSettingsAnswerAndChangeWhileTheServerRuns() {
        seen.start();
        probe.addAppender(seen);
        JsonNode initial = http.get("/v2/logging").json();
        assertThat(initial.toString()).isEqualTo("{\"log_file\":\"\",\"log_info\":true,\"log_warning\":true,"
                + "\"log_error\":true,\"log_verbose_level\":0,\"log_format\":\"ISO8601\"}");
        assertThat(probe.isDebugEnabled()).isFalse();

        Http.Reply quiet = http.postJson("/v2/logging", "{\"log_info\": false, \"log_verbose_level\": 2}");
        assertThat(quiet.status()).as(quiet.text()).isEqualTo(200);
        assertThat(quiet.json().get("log_info").booleanValue()).isFalse();
        assertThat(quiet.json().get("log_warning").booleanValue()).as("left out: unchanged").isTrue();
        assertThat(quiet.json().get("log_verbose_level").intValue()).isEqualTo(2);
        assertThat(http.get("/v2/logging").json()).isEqualTo(quiet.json());
        probe.info("dropped: info is off");
        probe.warn("kept: a warning");
        probe.trace("kept: verbose level 2 is TRACE for io.nabla");
        assertThat(seen.list).extracting(ILoggingEvent::getLevel).containsExactly(Level.WARN, Level.TRACE);
        assertThat(((Logger) LoggerFactory.getLogger("org.springframework")).isDebugEnabled())
                .as("verbosity is the io.nabla loggers'").isFalse();

        http.postJson("/v2/logging", "{\"log_info\": true, \"log_warning\": false, \"log_verbose_level\": 0}");
        seen.list.clear();
        probe.info("kept");
        probe.warn("dropped: warnings are off");
        probe.debug("dropped: verbose level 0");
        assertThat(seen.list).extracting(ILoggingEvent::getLevel).containsExactly(Level.INFO);
    }

    @Test
    void badSettingsAreRefusedAndChangeNothing() {
        JsonNode before = http.get("/v2/logging").json();
        String[][] bad = {
            {"{\"log_file\": \"/etc/passwd\"}", "log_file: this server logs to standard output and writes no file a "
                    + "request names; expected \"\", got \"/etc/passwd\""},
            {"{\"log_format\": \"default\"}", "log_format: this server writes ISO 8601 timestamps"},
            {"{\"log_info\": false, \"log_verbose\": 1}", "log_verbose: unknown log setting; expected one of "
                    + "[log_file, log_info, log_warning, log_error, log_verbose_level, log_format]"},
            {"{\"log_info\": \"no\"}", "log_info: expected true or false, got \"no\""},
            {"{\"log_warning\": false, \"log_verbose_level\": -1}", "log_verbose_level: expected an integer >= 0, got -1"},
            {"{\"log_verbose_level\": 1.5}", "log_verbose_level: expected an integer >= 0, got 1.5"},
            {"[1]", "the request body: expected a JSON object of log settings"},
        };
        for (String[] b : bad) {
            Http.Reply r = http.postJson("/v2/logging", b[0]);
            assertThat(r.status()).as(b[0]).isEqualTo(400);
            assertThat(r.error()).as(b[0]).startsWith(b[1]);
        }
        assertThat(http.get("/v2/logging").json()).as("nothing changed").isEqualTo(before);
        Http.Reply same = http.postJson("/v2/logging", "{\"log_file\": \"\", \"log_format\": \"ISO8601\"}");
        assertThat(same.status()).as("the values it has are accepted").isEqualTo(200);
        assertThat(((LoggerContext) LoggerFactory.getILoggerFactory()).getTurboFilterList()).isNotEmpty();
    }
}
