package io.nabla.web;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import java.util.List;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * The parts of the OpenAPI document served at {@code /v3/api-docs} that do not come from the controllers: the title,
 * the bearer-token scheme and the 401 answer every operation but the health checks can give. The hand-written
 * {@code openapi/nabla.yaml} must agree with the served document (a test compares them).
 */
@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {

    static final String UNAUTHORIZED = "Unauthorized";

    @Bean
    OpenAPI nablaOpenApi(Environment environment) {
        return new OpenAPI().info(new Info().title("Nabla")
                .version(environment.getProperty("info.app.version", "0.0.0"))
                .description("Inference service: the Open Inference Protocol (KServe V2) with the binary tensor data"
                        + " extension, a model repository, and device figures."))
                .components(new Components()
                        .addSecuritySchemes("bearer", new SecurityScheme().type(SecurityScheme.Type.HTTP)
                                .scheme("bearer").description("Needed when nabla.security.tokens is set"))
                        .addResponses(UNAUTHORIZED, new ApiResponse()
                                .description("Missing or invalid bearer token (only when tokens are configured)")
                                .content(new Content().addMediaType("application/json", new MediaType()
                                        .schema(new Schema<>().$ref("#/components/schemas/ErrorResponse"))))))
                .addSecurityItem(new SecurityRequirement().addList("bearer"));
    }

    /** Adds the 401 answer to every operation except the health checks, which need no token. */
    @Bean
    OpenApiCustomizer unauthorizedAnswers() {
        return api -> api.getPaths().forEach((path, item) -> item.readOperations().forEach(op -> {
            if (path.startsWith("/v2/health/")) {
                op.setSecurity(List.of());
            } else {
                op.getResponses().addApiResponse("401",
                        new ApiResponse().$ref("#/components/responses/" + UNAUTHORIZED));
            }
        }));
    }
}
