package io.nabla.inference;

import io.micrometer.core.instrument.MeterRegistry;
import io.nabla.config.NablaProperties;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.ContextClosedEvent;

/**
 * The inference beans: the model store at {@code nabla.store.path}, the registry of loaded models (closed on
 * shutdown, freeing every model) and its metrics. When shutdown begins, the registry stops accepting inference and
 * readiness turns to refusing traffic, while requests already accepted finish.
 */
@Configuration(proxyBeanMethods = false)
public class InferenceConfiguration {

    @Bean
    ModelStore modelStore(NablaProperties properties) {
        return new ModelStore(properties.store().path());
    }

    @Bean
    InferenceMetrics inferenceMetrics(MeterRegistry meters) {
        return new InferenceMetrics(meters);
    }

    @Bean(destroyMethod = "close")
    ModelRegistry modelRegistry(ModelStore store, ModelLoader loader, NablaProperties properties,
            InferenceMetrics metrics) {
        return new ModelRegistry(store, loader, properties.batching(), metrics);
    }

    @Bean
    ApplicationListener<ContextClosedEvent> drainOnShutdown(ModelRegistry registry) {
        return event -> {
            registry.drain();
            AvailabilityChangeEvent.publish(event.getApplicationContext(), ReadinessState.REFUSING_TRAFFIC);
        };
    }
}
