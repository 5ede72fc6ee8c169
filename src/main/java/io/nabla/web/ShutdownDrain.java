package io.nabla.web;

import io.nabla.config.NablaProperties;
import io.nabla.config.ShutdownPhases;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.core.Ordered;
import org.springframework.stereotype.Component;

/**
 * The first step of shutdown (see {@link ShutdownPhases}): when this context starts closing, readiness turns to
 * refusing traffic, so {@code /v2/health/ready} answers 503, and then {@code nabla.shutdown.drain-delay} passes with
 * the web server still serving everything, before Spring Boot's graceful shutdown stops accepting and waits for the
 * requests in flight. It runs on {@link ContextClosedEvent}, which comes before any lifecycle phase stops, and only
 * then: a context that is merely stopped and started again keeps its readiness.
 */
@Component
class ShutdownDrain implements ApplicationListener<ContextClosedEvent>, Ordered {

    private static final Logger LOG = LoggerFactory.getLogger(ShutdownDrain.class);

    private final ApplicationContext context;
    private final Duration delay;

    ShutdownDrain(ApplicationContext context, NablaProperties properties) {
        this.context = context;
        this.delay = properties.shutdown().drainDelay();
    }

    /**
     * Last among the listeners to the close event, so that none of them waits for the drain delay, but for ending
     * the job event streams ({@code JobsController#endStreams}), which must also end the streams opened during it.
     */
    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE - 1;
    }

    @Override
    public void onApplicationEvent(ContextClosedEvent event) {
        if (event.getApplicationContext() != context) {
            return;
        }
        AvailabilityChangeEvent.publish(context, ReadinessState.REFUSING_TRAFFIC);
        if (delay.isZero()) {
            return;
        }
        LOG.info("Shutting down: readiness is refusing traffic; serving for {} more (nabla.shutdown.drain-delay)"
                + " before the web server stops accepting", delay);
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
