package io.nabla.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.nabla.config.NablaProperties;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/**
 * The environment variables the chart renders reach the properties they mean, through Spring Boot's own binder and
 * its environment-variable name mapping (a misspelt variable would be silently ignored by the server).
 */
class ChartEnvironmentTest {

    @Test
    void everyVariableBindsToItsProperty() {
        RenderedChart chart = RenderedChart.render(List.of("values-gpu.yaml"), "security.existingSecret", "t",
                "postgresql.enabled", "true", "postgresql.url", "jdbc:postgresql://pg:5432/nabla",
                "postgresql.existingSecret", "pg");
        Binder binder = binder(chart, Map.of("NABLA_SECURITY_TOKENS", "tok-a,tok-b",
                "SPRING_DATASOURCE_USERNAME", "u", "SPRING_DATASOURCE_PASSWORD", "p"));

        NablaProperties nabla = binder.bindOrCreate("nabla", Bindable.of(NablaProperties.class));
        assertThat(nabla.store().path()).isEqualTo(Path.of("/var/lib/nabla"));
        assertThat(nabla.security().tokens()).containsExactly("tok-a", "tok-b");
        assertThat(nabla.shutdown().drainDelay()).isEqualTo(Duration.ofSeconds(10));
        assertThat(binder.bind("spring.lifecycle.timeout-per-shutdown-phase", Duration.class).get())
                .isEqualTo(Duration.ofSeconds(60));
        assertThat(binder.bind("server.address", String.class).get()).isEqualTo("0.0.0.0");
        assertThat(binder.bind("server.port", Integer.class).get()).isEqualTo(8080);
        assertThat(binder.bind("spring.datasource.url", String.class).get())
                .isEqualTo("jdbc:postgresql://pg:5432/nabla");
        assertThat(binder.bind("spring.datasource.username", String.class).get()).isEqualTo("u");
        assertThat(binder.bind("spring.datasource.password", String.class).get()).isEqualTo("p");
    }

    @Test
    void extraEnvSettingsBindToo() {
        RenderedChart chart = RenderedChart.render(List.of(), "security.existingSecret", "t",
                "extraEnv[0].name", "NABLA_BATCHING_MAX_BATCH_SIZE", "extraEnv[0].value", "64");
        NablaProperties nabla = binder(chart, Map.of("NABLA_SECURITY_TOKENS", "t")).bindOrCreate("nabla", Bindable.of(NablaProperties.class));
        assertThat(nabla.batching().maxBatchSize()).isEqualTo(64);
        assertThat(nabla.shutdown().drainDelay()).isEqualTo(Duration.ofSeconds(5));
    }

    /** A binder over the container's environment: literal values, plus {@code secrets} for secretKeyRef ones. */
    private static Binder binder(RenderedChart chart, Map<String, String> secrets) {
        Map<String, Object> variables = new LinkedHashMap<>();
        List<Map<String, Object>> env = RenderedChart.at(chart.container(), "env");
        for (Map<String, Object> e : env) {
            String name = (String) e.get("name");
            Object value = e.containsKey("value") ? e.get("value") : secrets.get(name);
            assertThat(value).as("a value for " + name).isNotNull();
            variables.put(name, value);
        }
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().replace(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
                        variables));
        environment.getPropertySources().remove(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME);
        return Binder.get(environment);
    }
}
