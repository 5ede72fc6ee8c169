package io.nabla.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.nabla.process.ServerProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart's {@code security.mountAsFile} wiring on a real server: the token Secret mounted the way the kubelet
 * mounts it (a file that is a symlink into a hidden {@code ..data} directory, with a trailing newline), read through
 * {@code SPRING_CONFIG_IMPORT=configtree:...}, on every interface: the server starts and demands the tokens.
 */
class TokenFileIT {

    @Test
    void tokensFromAMountedSecretFileProtectTheServerOnEveryInterface(@TempDir Path dir) throws Exception {
        Path secrets = dir.resolve("secrets");
        Path data = Files.createDirectories(secrets.resolve("..2026_11_23_00_00_00.000000001"));
        Files.writeString(data.resolve("nabla.security.tokens"), "tok-a,tok-b\n");
        Files.createSymbolicLink(secrets.resolve("..data"), data.getFileName());
        Files.createSymbolicLink(secrets.resolve("nabla.security.tokens"),
                Path.of("..data", "nabla.security.tokens"));

        try (ServerProcess server = ServerProcess.start(dir.resolve("store"), dir.resolve("server.log"),
                "--spring.config.import=configtree:" + secrets + "/", "--server.address=0.0.0.0")) {
            assertThat(get(server, "/v2/models/none", null)).as(server.log()).isEqualTo(401);
            assertThat(get(server, "/v2/models/none", "tok-b")).as(server.log()).isEqualTo(404);
            assertThat(get(server, "/v2", "tok-a")).isEqualTo(200);
            assertThat(get(server, "/v2", "tok-c")).isEqualTo(401);
            assertThat(get(server, "/v2/health/live", null)).isEqualTo(200);
        }
    }

    private static int get(ServerProcess server, String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(10));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
