package io.nabla.web;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * The title of the OpenAPI document served at {@code /v3/api-docs}; the hand-written {@code openapi/nabla.yaml} must
 * agree with it (a test compares them).
 */
@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {

    @Bean
    OpenAPI nablaOpenApi(Environment environment) {
        return new OpenAPI().info(new Info().title("Nabla")
                .version(environment.getProperty("info.app.version", "0.0.0"))
                .description("Inference service: the Open Inference Protocol (KServe V2) with the binary tensor data"
                        + " extension, a model repository, and device figures."));
    }
}
