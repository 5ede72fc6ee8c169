package io.nabla.jobs;

import io.nabla.config.NablaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The dataset store bean, under {@code nabla.store.path} (the model store's root). */
@Configuration(proxyBeanMethods = false)
public class DatasetConfiguration {

    @Bean
    DatasetStore datasetStore(NablaProperties properties) {
        return new DatasetStore(properties.store().path());
    }
}
