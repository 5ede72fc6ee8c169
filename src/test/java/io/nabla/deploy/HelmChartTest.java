package io.nabla.deploy;

import static io.nabla.deploy.RenderedChart.at;
import static io.nabla.deploy.RenderedChart.render;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What {@code helm/nabla} renders, through Helm itself: probes, resources, security context, secret wiring, the
 * store volume, shutdown timing, and the refusals (no tokens, too short a grace period, incomplete PostgreSQL).
 */
class HelmChartTest {

    private static final String[] TOKENS = {"security.tokens[0]", "tok-a", "security.tokens[1]", "tok-b"};

    @Test
    void refusesToRenderWithoutTokensBecauseThePodListensOnEveryInterface() {
        assertThatThrownBy(() -> render(List.of()))
                .hasMessageContaining("nabla: API tokens are required")
                .hasMessageContaining("listens on 0.0.0.0")
                .hasMessageContaining("security.existingSecret");
        assertThatThrownBy(() -> render(List.of("values-gpu.yaml")))
                .hasMessageContaining("nabla: API tokens are required");
        assertThatThrownBy(() -> render(List.of("values-cpu.yaml")))
                .hasMessageContaining("nabla: API tokens are required");
    }

    @Test
    void defaultValuesProbeTheHealthEndpointsAndRunLockedDown() {
        RenderedChart chart = render(List.of(), TOKENS);
        assertThat(chart.kinds()).contains("Deployment", "Service", "Secret", "PersistentVolumeClaim",
                "NetworkPolicy", "PodDisruptionBudget", "ServiceAccount").doesNotContain("ServiceMonitor");
        Map<String, Object> c = chart.container();
        assertThat((String) at(c, "startupProbe.httpGet.path")).isEqualTo("/v2/health/live");
        assertThat((String) at(c, "livenessProbe.httpGet.path")).isEqualTo("/v2/health/live");
        assertThat((String) at(c, "readinessProbe.httpGet.path")).isEqualTo("/v2/health/ready");
        assertThat((String) at(c, "readinessProbe.httpGet.port")).isEqualTo("http");
        assertThat((Integer) at(c, "startupProbe.failureThreshold")).isPositive();

        assertThat((Boolean) at(c, "securityContext.readOnlyRootFilesystem")).isTrue();
        assertThat((Boolean) at(c, "securityContext.allowPrivilegeEscalation")).isFalse();
        assertThat((List<String>) at(c, "securityContext.capabilities.drop")).containsExactly("ALL");
        Map<String, Object> pod = at(chart.one("Deployment"), "spec.template.spec");
        assertThat((Boolean) at(pod, "securityContext.runAsNonRoot")).isTrue();
        assertThat((Integer) at(pod, "securityContext.runAsUser")).isNotZero();
        assertThat((String) at(pod, "securityContext.seccompProfile.type")).isEqualTo("RuntimeDefault");
        assertThat((Boolean) at(pod, "automountServiceAccountToken")).isFalse();

        assertThat(value(chart, "SERVER_ADDRESS")).isEqualTo("0.0.0.0");
        assertThat(value(chart, "NABLA_STORE_PATH")).isEqualTo("/var/lib/nabla");
        assertThat(value(chart, "NABLA_SHUTDOWN_DRAIN_DELAY")).isEqualTo("5s");
        assertThat(value(chart, "SPRING_LIFECYCLE_TIMEOUT_PER_SHUTDOWN_PHASE")).isEqualTo("20s");
        assertThat(value(chart, "JDK_JAVA_OPTIONS")).isEqualTo("-XX:MaxRAMPercentage=40");
        assertThat((Integer) at(pod, "terminationGracePeriodSeconds")).isGreaterThanOrEqualTo(5 + 2 * 20 + 10);
        assertThat(chart.text()).doesNotContain("nvidia.com/gpu");
    }

    @Test
    void tokensComeFromTheChartsSecretThroughSecretKeyRef() {
        RenderedChart chart = render(List.of(), TOKENS);
        assertThat((String) at(chart.env("NABLA_SECURITY_TOKENS"), "valueFrom.secretKeyRef.name"))
                .isEqualTo("ml-nabla-tokens");
        assertThat((String) at(chart.env("NABLA_SECURITY_TOKENS"), "valueFrom.secretKeyRef.key")).isEqualTo("tokens");
        assertThat(chart.env("NABLA_SECURITY_TOKENS")).doesNotContainKey("value");
        Map<String, Object> secret = chart.one("Secret");
        assertThat((String) at(secret, "metadata.name")).isEqualTo("ml-nabla-tokens");
        assertThat(decode(at(secret, "data.tokens"))).isEqualTo("tok-a,tok-b");
        assertThat(chart.text()).doesNotContain("tok-a");
    }

    @Test
    void anExistingSecretIsReferencedAndNoSecretIsWritten() {
        RenderedChart chart = render(List.of(), "security.existingSecret", "nabla-api", "security.existingSecretKey",
                "list");
        assertThat((String) at(chart.env("NABLA_SECURITY_TOKENS"), "valueFrom.secretKeyRef.name"))
                .isEqualTo("nabla-api");
        assertThat((String) at(chart.env("NABLA_SECURITY_TOKENS"), "valueFrom.secretKeyRef.key")).isEqualTo("list");
        assertThat(chart.all("Secret")).isEmpty();
    }

    @Test
    void tokensCanBeAMountedFileReadThroughConfigtree() {
        RenderedChart chart = render(List.of(), "security.existingSecret", "nabla-api", "security.mountAsFile",
                "true");
        assertThat(chart.env("NABLA_SECURITY_TOKENS")).isNull();
        assertThat(value(chart, "SPRING_CONFIG_IMPORT")).isEqualTo("configtree:/etc/nabla/secrets/");
        List<Map<String, Object>> volumes = at(chart.one("Deployment"), "spec.template.spec.volumes");
        Map<String, Object> tokens = volumes.stream().filter(v -> "tokens".equals(v.get("name"))).findFirst()
                .orElseThrow();
        assertThat((String) at(tokens, "secret.secretName")).isEqualTo("nabla-api");
        List<Map<String, Object>> items = at(tokens, "secret.items");
        assertThat(items).containsExactly(Map.of("key", "tokens", "path", "nabla.security.tokens"));
        List<Map<String, Object>> mounts = at(chart.container(), "volumeMounts");
        assertThat(mounts).anySatisfy(m -> assertThat(m).containsEntry("name", "tokens")
                .containsEntry("mountPath", "/etc/nabla/secrets").containsEntry("readOnly", true));
    }

    @Test
    void theStoreIsAPersistentVolumeClaimAndTmpAnEmptyDir() {
        RenderedChart chart = render(List.of(), TOKENS);
        Map<String, Object> pvc = chart.one("PersistentVolumeClaim");
        assertThat((String) at(pvc, "metadata.name")).isEqualTo("ml-nabla-store");
        assertThat((String) at(pvc, "spec.resources.requests.storage")).isEqualTo("20Gi");
        assertThat((List<String>) at(pvc, "spec.accessModes")).containsExactly("ReadWriteOnce");
        assertThat((Map<String, Object>) at(pvc, "metadata.annotations"))
                .containsEntry("helm.sh/resource-policy", "keep");
        List<Map<String, Object>> volumes = at(chart.one("Deployment"), "spec.template.spec.volumes");
        assertThat(volumes).anySatisfy(v -> assertThat((String) at(v, "persistentVolumeClaim.claimName"))
                .isEqualTo("ml-nabla-store"));
        assertThat(volumes).anySatisfy(v -> assertThat((String) at(v, "emptyDir.sizeLimit")).isEqualTo("2Gi"));
        List<Map<String, Object>> mounts = at(chart.container(), "volumeMounts");
        assertThat(mounts).extracting(m -> m.get("mountPath")).containsExactlyInAnyOrder("/var/lib/nabla", "/tmp");

        RenderedChart existing = render(List.of(), "security.existingSecret", "t",
                "store.persistence.existingClaim", "models");
        assertThat(existing.all("PersistentVolumeClaim")).isEmpty();
        assertThat(existing.text()).contains("claimName: models");
    }

    @Test
    void gpuValuesRequestTheDevicePluginsResourceAndTolerateGpuNodes() {
        RenderedChart chart = render(List.of("values-gpu.yaml"), TOKENS);
        Map<String, Object> c = chart.container();
        assertThat((Object) at(c, "resources.limits")).isEqualTo(Map.of("nvidia.com/gpu", 1, "memory", "32Gi"));
        assertThat(((Map<String, Object>) at(c, "resources.requests")).get("nvidia.com/gpu")).isEqualTo(1);
        Map<String, Object> pod = at(chart.one("Deployment"), "spec.template.spec");
        assertThat((List<Map<String, Object>>) at(pod, "tolerations"))
                .anySatisfy(t -> assertThat(t).containsEntry("key", "nvidia.com/gpu"));
        assertThat((Integer) at(pod, "terminationGracePeriodSeconds")).isGreaterThanOrEqualTo(10 + 2 * 60 + 10);
        assertThat((String) at(c, "startupProbe.httpGet.path")).isEqualTo("/v2/health/live");

        RenderedChart two = render(List.of("values-gpu.yaml"), "security.existingSecret", "t", "gpu.count", "2",
                "gpu.runtimeClassName", "nvidia");
        assertThat(((Map<String, Object>) at(two.container(), "resources.limits")).get("nvidia.com/gpu")).isEqualTo(2);
        assertThat((String) at(two.one("Deployment"), "spec.template.spec.runtimeClassName")).isEqualTo("nvidia");
    }

    @Test
    void cpuValuesRequestNoGpu() {
        RenderedChart chart = render(List.of("values-cpu.yaml"), TOKENS);
        assertThat((Object) at(chart.container(), "resources.limits")).isEqualTo(Map.of("memory", "8Gi"));
        assertThat(chart.text()).doesNotContain("nvidia.com/gpu");
        assertThat((String) at(chart.container(), "image")).isEqualTo("nabla:0.1.0-SNAPSHOT-cpu");
        assertThat((String) at(chart.one("Deployment"), "spec.template.spec.runtimeClassName")).isNull();
    }

    @Test
    void postgresqlCredentialsComeFromASecret() {
        RenderedChart chart = render(List.of(), "security.existingSecret", "t", "postgresql.enabled", "true",
                "postgresql.url", "jdbc:postgresql://pg:5432/nabla", "postgresql.existingSecret", "pg-cred");
        assertThat(value(chart, "SPRING_DATASOURCE_URL")).isEqualTo("jdbc:postgresql://pg:5432/nabla");
        for (String[] e : new String[][] {{"SPRING_DATASOURCE_USERNAME", "username"},
                {"SPRING_DATASOURCE_PASSWORD", "password"}}) {
            assertThat((String) at(chart.env(e[0]), "valueFrom.secretKeyRef.name")).as(e[0]).isEqualTo("pg-cred");
            assertThat((String) at(chart.env(e[0]), "valueFrom.secretKeyRef.key")).as(e[0]).isEqualTo(e[1]);
        }
        assertThat(chart.all("Secret")).isEmpty();

        RenderedChart own = render(List.of(), "security.existingSecret", "t", "postgresql.enabled", "true",
                "postgresql.url", "jdbc:postgresql://pg/nabla", "postgresql.username", "u",
                "postgresql.password", "p4ss");
        assertThat(decode(at(own.one("Secret"), "data.password"))).isEqualTo("p4ss");
        assertThat((String) at(own.env("SPRING_DATASOURCE_PASSWORD"), "valueFrom.secretKeyRef.name"))
                .isEqualTo("ml-nabla-postgresql");
        assertThat(render(List.of(), TOKENS).env("SPRING_DATASOURCE_URL")).isNull();

        assertThatThrownBy(() -> render(List.of(), "security.existingSecret", "t", "postgresql.enabled", "true"))
                .hasMessageContaining("postgresql.enabled needs postgresql.url");
    }

    @Test
    void serviceMonitorScrapesPrometheusWithABearerToken() {
        RenderedChart chart = render(List.of(), "security.tokens[0]", "first", "security.tokens[1]", "second",
                "serviceMonitor.enabled", "true", "serviceMonitor.labels.release", "kube-prometheus");
        Map<String, Object> monitor = chart.one("ServiceMonitor");
        assertThat((String) at(monitor, "apiVersion")).isEqualTo("monitoring.coreos.com/v1");
        assertThat((String) at(monitor, "metadata.labels.release")).isEqualTo("kube-prometheus");
        Map<String, Object> endpoint = ((List<Map<String, Object>>) at(monitor, "spec.endpoints")).get(0);
        assertThat(endpoint).containsEntry("path", "/actuator/prometheus").containsEntry("port", "http");
        assertThat((String) at(endpoint, "authorization.credentials.name")).isEqualTo("ml-nabla-tokens");
        assertThat((String) at(endpoint, "authorization.credentials.key")).isEqualTo("scrape-token");
        assertThat(decode(at(chart.one("Secret"), "data.scrape-token"))).isEqualTo("first");

        assertThatThrownBy(() -> render(List.of(), "security.existingSecret", "t", "serviceMonitor.enabled", "true"))
                .hasMessageContaining("serviceMonitor.tokenSecret.name");
    }

    @Test
    void loopbackModeNeedsNoTokensAndExposesNothing() {
        RenderedChart chart = render(List.of(), "bind.loopbackOnly", "true");
        assertThat(value(chart, "SERVER_ADDRESS")).isEqualTo("127.0.0.1");
        assertThat(chart.env("NABLA_SECURITY_TOKENS")).isNull();
        assertThat(chart.kinds()).doesNotContain("Service", "NetworkPolicy", "Secret");
        assertThat((List<String>) at(chart.container(), "readinessProbe.exec.command"))
                .contains("curl", "http://127.0.0.1:8080/v2/health/ready");
    }

    @Test
    void refusesAGracePeriodShorterThanTheShutdownPhases() {
        assertThatThrownBy(() -> render(List.of(), "security.existingSecret", "t",
                "shutdown.terminationGracePeriodSeconds", "30"))
                .hasMessageContaining("terminationGracePeriodSeconds must be at least")
                .hasMessageContaining("= 55").hasMessageContaining("got 30");
        assertThatThrownBy(() -> render(List.of(), "security.tokens[0]", "a,b"))
                .hasMessageContaining("no comma");
    }

    private static String value(RenderedChart chart, String env) {
        Map<String, Object> e = chart.env(env);
        assertThat(e).as("env " + env).isNotNull();
        return (String) e.get("value");
    }

    private static String decode(String base64) {
        return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    }
}
