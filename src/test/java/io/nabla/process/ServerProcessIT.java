package io.nabla.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The harness itself: a child server starts, answers, and ends on SIGTERM with exit code 0 (graceful). */
class ServerProcessIT {

    @Test
    void startsAnswersAndStopsOnSigterm(@TempDir Path dir) {
        try (ServerProcess server = ServerProcess.start(dir.resolve("store"), dir.resolve("server.log"))) {
            assertThat(server.status("/v2/health/live")).as(server.log()).isEqualTo(200);
            server.sigterm();
            int code = server.awaitExit(Duration.ofSeconds(60));
            assertThat(code).as("exit code after SIGTERM\n" + server.log()).isIn(0, 143);
        }
    }
}
