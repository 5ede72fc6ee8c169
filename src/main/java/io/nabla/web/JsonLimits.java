package io.nabla.web;

import io.nabla.config.NablaProperties;
import org.springframework.boot.jackson.autoconfigure.JsonFactoryBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamReadFeature;

/**
 * Gives the JSON bodies Spring binds ({@code @RequestBody}) the same rules as the bodies the service parses itself:
 * nesting limited by {@code nabla.limits.max-json-depth} (API.md section 6) instead of Jackson's default of 500,
 * and a field given twice refused instead of silently taking its last value.
 */
@Configuration(proxyBeanMethods = false)
class JsonLimits {

    @Bean
    JsonFactoryBuilderCustomizer nablaJsonLimits(NablaProperties properties) {
        return builder -> builder.enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(properties.limits().maxJsonDepth()).build());
    }
}
