package io.nabla.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.apache.catalina.Container;
import org.apache.catalina.core.StandardContext;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import tools.jackson.databind.node.ObjectNode;

/**
 * Clients that reset (TCP RST) a job's event stream right after sending the request, or while it streams, leave no
 * request in flight: graceful shutdown waits for every async request the container counts as in progress, so one
 * that is never ended makes every shutdown wait its whole timeout.
 */
class EventStreamResetIT extends ServerTestBase {

    private static final int CLIENTS = 30;
    private static final long SETTLE_MS = 8_000;

    @Autowired
    WebServerApplicationContext server;

    @Test
    void resetStreamsOfAFinishedJobLeaveNoRequestInFlight() throws Exception {
        String dataset = JobFixtures.prepare(http, "mlp_sgd", "reset-finished");
        String id = JobFixtures.submit(http, JobFixtures.request("mlp_sgd", "reset-finished", dataset));
        JobFixtures.awaitFinal(http, id);
        long before = inFlight();
        for (int i = 0; i < CLIENTS; i++) {
            reset(id, i % 2 == 0 ? 0 : 5, false);
        }
        assertThat(awaitInFlight(before)).as("async requests in progress after %d reset streams", CLIENTS)
                .isEqualTo(before);
    }

    @Test
    void resetStreamsOfARunningJobLeaveNoRequestInFlight() throws Exception {
        String dataset = JobFixtures.prepare(http, "mlp_sgd", "reset-running");
        ObjectNode request = JobFixtures.request("mlp_sgd", "reset-running", dataset);
        request.put("epochs", 50_000);
        String id = JobFixtures.submit(http, request);
        JobFixtures.awaitStep(http, id, 1);
        long before = inFlight();
        try {
            for (int i = 0; i < CLIENTS; i++) {
                reset(id, i % 3 == 1 ? 5 : 0, i % 3 == 2);
            }
            assertThat(awaitInFlight(before)).as("async requests in progress after %d reset streams", CLIENTS)
                    .isEqualTo(before);
        } finally {
            http.delete("/v1/jobs/" + id);
            JobFixtures.awaitFinal(http, id);
        }
    }

    /**
     * Sends the request for the job's events and resets the connection: at once, after {@code pauseMs}, or once the
     * first event has arrived ({@code midStream}).
     */
    private void reset(String id, long pauseMs, boolean midStream) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.getOutputStream().write(("GET /v1/jobs/" + id + "/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            if (midStream) {
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(),
                        StandardCharsets.UTF_8));
                for (String l = in.readLine(); l != null && !l.startsWith("data:"); l = in.readLine()) {
                    // the status line and headers
                }
            } else if (pauseMs > 0) {
                JobFixtures.sleep(pauseMs);
            }
            s.setSoLinger(true, 0);
        }
    }

    /** Waits up to SETTLE_MS for the count of async requests in progress to fall to {@code expected}; returns it. */
    private long awaitInFlight(long expected) {
        long deadline = System.nanoTime() + SETTLE_MS * 1_000_000;
        long n = inFlight();
        while (n > expected && System.nanoTime() < deadline) {
            JobFixtures.sleep(20);
            n = inFlight();
        }
        return n;
    }

    /** What Spring Boot's graceful shutdown waits for: the async requests Tomcat counts as in progress. */
    private long inFlight() {
        long n = 0;
        for (Container context : ((TomcatWebServer) server.getWebServer()).getTomcat().getHost().findChildren()) {
            n += ((StandardContext) context).getInProgressAsyncCount();
        }
        return n;
    }
}
