package io.nabla.web;

import io.nabla.inference.ModelLoader;
import io.nabla.inference.ScaleModelLoader;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/** Supplies the scale-model test double as the server's model loader. */
@TestConfiguration(proxyBeanMethods = false)
public class TestLoaderConfig {

    @Bean
    ModelLoader scaleModelLoader() {
        return new ScaleModelLoader();
    }
}
