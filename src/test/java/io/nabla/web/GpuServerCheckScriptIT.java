package io.nabla.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.nabla.process.ServerProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code src/bench/gpu_server_check.py}, the server-level GPU check that runs on a lent GPU machine, runs here as a
 * dry run against a CPU server process ({@code --allow-cpu}): every scenario but the GPU-only figures must pass, so
 * the script cannot drift from the API between GPU sessions.
 */
class GpuServerCheckScriptIT {

    @Test
    void theGpuServerCheckPassesAsADryRunOnTheCpu(@TempDir Path dir) throws IOException, InterruptedException {
        Path script = Path.of("src/bench/gpu_server_check.py").toAbsolutePath();
        Assumptions.assumeTrue(python3(), "no python3 on this machine: the script's dry run is skipped");
        try (ServerProcess server = ServerProcess.start(dir.resolve("store"), dir.resolve("server.log"))) {
            Process p = new ProcessBuilder("python3", script.toString(), "--allow-cpu",
                    "http://127.0.0.1:" + server.port()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(240, TimeUnit.SECONDS)).as(out).isTrue();
            assertThat(out).as(out).contains("SKIP /v1/devices lists no cuda:0")
                    .containsPattern("GPU-SERVER checks=\\d+ failed=0");
            assertThat(p.exitValue()).as(out).isZero();
            assertThat(Files.readString(dir.resolve("server.log"))).doesNotContain("internal error");
        }
    }

    private static boolean python3() {
        try {
            Process p = new ProcessBuilder("python3", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
