package io.nabla.inference;

import io.micrometer.core.instrument.MeterRegistry;
import io.nabla.config.NablaProperties;
import io.nabla.gpu.GpuPool;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The inference beans: the model store at {@code nabla.store.path}, the registry of loaded models and its metrics.
 * The registry is closed when the context destroys its beans, after the web server has stopped and every request in
 * flight has finished (see {@link io.nabla.config.ShutdownPhases}): it then refuses new inference, lets the calls
 * still queued complete and frees every model.
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
            InferenceMetrics metrics, GpuPool gpus) {
        return new ModelRegistry(store, loader, properties.batching(), metrics,
                new ModelPlacement(gpus, properties.models().device()), properties.models().maxLoadedVersions());
    }
}
