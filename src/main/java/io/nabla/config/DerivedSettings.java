package io.nabla.config;

import java.util.HashMap;
import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Derives Spring's own settings from {@link NablaProperties}, so each default is written once: the multipart
 * limits follow {@code nabla.limits.max-body-size} (so do Tomcat's limit on the form fields of a multipart body, a
 * model's {@code spec} part among them, which would otherwise refuse a spec over 2 MB as "too large" under a body
 * limit of 64 MB) and the Swagger UI follows {@code nabla.openapi.swagger-ui}.
 * The derived values have the lowest precedence, so an explicit Spring property still wins.
 */
public final class DerivedSettings implements EnvironmentPostProcessor, Ordered {

    static final String SOURCE_NAME = "nablaDerivedSettings";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        NablaProperties props = Binder.get(environment)
                .bindOrCreate("nabla", Bindable.of(NablaProperties.class));
        Map<String, Object> derived = new HashMap<>();
        String body = props.limits().maxBodySize().toBytes() + "B";
        derived.put("spring.servlet.multipart.max-request-size", body);
        derived.put("spring.servlet.multipart.max-file-size", body);
        derived.put("spring.servlet.multipart.file-size-threshold", "1MB");
        derived.put("server.tomcat.max-http-form-post-size", body);
        derived.put("springdoc.swagger-ui.enabled", props.openapi().swaggerUi());
        environment.getPropertySources().addLast(new MapPropertySource(SOURCE_NAME, derived));
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
