package io.nabla.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.json.JsonMapper;

/**
 * What can be checked of the two Dockerfiles without a Docker engine: pinned base images (CUDA 13.0 runtime for the
 * GPU image, a Temurin 17 JRE for the CPU one), a Maven wrapper build, a non-root numeric user, the health check, the
 * port, an exec-form entrypoint whose JVM flags this JVM accepts, writes confined to /tmp and the store volume, and
 * agreement with the Helm chart's defaults (user id, port, store path). The image build itself is not run here.
 */
class DockerfileTest {

    private static final Path DOCKER = Path.of("docker");

    @ParameterizedTest
    @ValueSource(strings = {"Dockerfile", "Dockerfile.cpu"})
    void baseImagesArePinnedAndTheBuildUsesTheWrapper(String file) {
        Dockerfile d = Dockerfile.read(DOCKER.resolve(file));
        for (Dockerfile.Stage s : d.stages) {
            if (d.stages.stream().anyMatch(other -> s.image().equals(other.name()))) {
                continue;
            }
            assertThat(s.image()).as(file + " base image").matches("[a-z0-9./-]+:\\d+\\.\\d+\\.\\d+[-_.a-z0-9]*");
        }
        Dockerfile.Stage build = d.stage("build");
        assertThat(build.image()).startsWith("eclipse-temurin:17.").contains("-jdk");
        assertThat(build.all("RUN")).anyMatch(r -> r.contains("./mvnw -B -DskipTests package"));
        // the native-loops profile (AVX2 elementwise loops) builds only where /usr/bin/g++ exists
        assertThat(build.all("RUN")).anyMatch(r -> r.contains("apt-get install") && r.contains(" g++"));
        if (file.equals("Dockerfile")) {
            assertThat(d.runtime().image()).matches("nvidia/cuda:13\\.0\\.\\d+-(cudnn-)?runtime-ubuntu24\\.04");
            assertThat(d.runtime().all("COPY")).contains("--from=jre /opt/java/openjdk /opt/java/openjdk");
            assertThat(d.stage("jre").image()).matches("eclipse-temurin:17\\.[0-9._]+-jre-noble");
        } else {
            assertThat(d.runtime().image()).matches("eclipse-temurin:17\\.[0-9._]+-jre-noble");
        }
        assertThat(d.runtime().all("COPY")).contains("--from=build /nabla.jar /opt/nabla/nabla.jar");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Dockerfile", "Dockerfile.cpu"})
    void runsAsANonRootUserWithAHealthCheckOnLiveness(String file) {
        Dockerfile.Stage rt = Dockerfile.read(DOCKER.resolve(file)).runtime();
        assertThat(rt.last("USER")).as("numeric, so runAsNonRoot can verify it").matches("[1-9]\\d*(:\\d+)?");
        assertThat(rt.instructions().get(rt.instructions().size() - 1).keyword()).isEqualTo("ENTRYPOINT");
        assertThat(rt.all("EXPOSE")).containsExactly("8080");
        assertThat(rt.all("HEALTHCHECK")).singleElement().asString()
                .contains("CMD curl").contains("/v2/health/live").contains("${SERVER_PORT:-8080}");
        assertThat(rt.all("VOLUME")).containsExactly("[\"/var/lib/nabla\"]");
        String env = String.join(" ", rt.all("ENV"));
        assertThat(env).contains("NABLA_STORE_PATH=/var/lib/nabla", "SERVER_ADDRESS=0.0.0.0", "SERVER_PORT=8080",
                "JDK_JAVA_OPTIONS=\"-XX:MaxRAMPercentage=40\"");
        assertThat(String.join(" ", rt.all("RUN"))).contains("useradd --system --uid 10001",
                "chown 10001:10001 /var/lib/nabla");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Dockerfile", "Dockerfile.cpu"})
    void theEntrypointIsExecFormWithContainerFlagsThisJvmAccepts(String file) throws Exception {
        List<String> entry = entrypoint(Dockerfile.read(DOCKER.resolve(file)).runtime());
        assertThat(entry.get(0)).isEqualTo("java");
        assertThat(entry.subList(entry.size() - 2, entry.size())).containsExactly("-jar", "/opt/nabla/nabla.jar");
        List<String> flags = entry.subList(1, entry.size() - 2);
        assertThat(flags).contains("-XX:+ExitOnOutOfMemoryError", "-Djava.io.tmpdir=/tmp",
                "-Dorg.bytedeco.javacpp.cachedir=/tmp/javacpp");
        for (String f : flags) {
            if (f.contains("=/")) {
                assertThat(f.substring(f.indexOf("=/") + 1)).as("a path the JVM writes: " + f).startsWith("/tmp");
            }
        }
        assertThat(flags).as("the heap follows the container limit").noneMatch(f -> f.startsWith("-Xmx"));

        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("-XX:MaxRAMPercentage=40");
        command.addAll(flags.stream().map(f -> f.replace("/tmp/", System.getProperty("java.io.tmpdir") + "/"))
                .toList());
        command.add("-version");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("java %s -version:%n%s", flags, out).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"Dockerfile", "Dockerfile.cpu"})
    void agreesWithTheHelmChartsDefaults(String file) throws IOException {
        Dockerfile.Stage rt = Dockerfile.read(DOCKER.resolve(file)).runtime();
        Map<String, Object> values = new Yaml(new LoaderOptions())
                .load(Files.readString(RenderedChart.CHART.resolve("values.yaml")));
        assertThat(rt.last("USER")).isEqualTo(RenderedChart.at(values, "podSecurityContext.runAsUser") + ":"
                + RenderedChart.at(values, "podSecurityContext.runAsGroup"));
        assertThat(rt.all("EXPOSE")).containsExactly(String.valueOf((Object) RenderedChart.at(values, "bind.port")));
        assertThat(rt.all("VOLUME")).containsExactly("[\"" + RenderedChart.at(values, "store.path") + "\"]");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Dockerfile", "Dockerfile.cpu"})
    void everythingTheBuildCopiesIsInTheContext(String file) throws IOException {
        List<String> ignored = Files.readAllLines(Path.of(".dockerignore")).stream()
                .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        for (String copy : Dockerfile.read(DOCKER.resolve(file)).stage("build").all("COPY")) {
            String[] words = copy.split("\\s+");
            for (String source : Arrays.copyOf(words, words.length - 1)) {
                assertThat(Path.of(source)).as(file + " copies " + source).exists();
                assertThat(ignored).as(".dockerignore must not exclude " + source)
                        .noneMatch(i -> source.replaceAll("/$", "").equals(i.replaceAll("/$", "")));
            }
        }
        assertThat(ignored).contains("target/", ".git");
    }

    private static List<String> entrypoint(Dockerfile.Stage rt) {
        String json = rt.last("ENTRYPOINT");
        assertThat(json).as("exec form, so java is PID 1 and gets SIGTERM").startsWith("[");
        return Arrays.asList(JsonMapper.builder().build().readValue(json, String[].class));
    }
}
