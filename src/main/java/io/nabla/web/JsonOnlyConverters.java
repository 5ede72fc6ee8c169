package io.nabla.web;

import java.util.Set;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.MediaType;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.converter.HttpMessageConverters;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Request and response bodies are JSON (API.md), so Spring MVC keeps no converter for YAML, XML, CBOR or Smile. Such
 * converters arrive with libraries on the classpath (springdoc brings Jackson 2's YAML), and each one opened a
 * second way in that skips the JSON rules ({@link JsonLimits}: nesting limit, no field twice), accepted
 * {@code ready: yes}, answered in YAML to {@code Accept: application/yaml}, and failed with a 500 on a repeated YAML
 * key. Without them such a body is a 415 and such an {@code Accept} gets JSON or a 406. springdoc's
 * {@code /v3/api-docs.yaml} writes its own bytes and does not need them.
 */
@Configuration(proxyBeanMethods = false)
class JsonOnlyConverters implements WebMvcConfigurer {

    private static final Set<String> OTHER_FORMATS = Set.of("yaml", "xml", "cbor", "smile", "x-jackson-smile",
            "x-yaml");

    @Override
    public void configureMessageConverters(HttpMessageConverters.ServerBuilder builder) {
        builder.configureMessageConvertersList(list -> list.removeIf(JsonOnlyConverters::otherFormat));
    }

    static boolean otherFormat(HttpMessageConverter<?> converter) {
        for (MediaType t : converter.getSupportedMediaTypes()) {
            String sub = t.getSubtype();
            int plus = sub.lastIndexOf('+');
            if (OTHER_FORMATS.contains(sub) || (plus >= 0 && OTHER_FORMATS.contains(sub.substring(plus + 1)))) {
                return true;
            }
        }
        return false;
    }
}
