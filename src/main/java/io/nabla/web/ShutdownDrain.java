package io.nabla.web;

import io.nabla.config.NablaProperties;
import io.nabla.config.ShutdownPhases;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The first step of shutdown ({@link ShutdownPhases#DRAIN}): readiness turns to refusing traffic, so
 * {@code /v2/health/ready} answers 503, and then {@code nabla.shutdown.drain-delay} passes with the web server still
 * serving everything, before Spring Boot's graceful shutdown stops accepting and waits for requests in flight.
 */
@Component
class ShutdownDrain implements SmartLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(ShutdownDrain.class);

    private final ApplicationEventPublisher publisher;
    private final Duration delay;
    private volatile boolean running;

    ShutdownDrain(ApplicationEventPublisher publisher, NablaProperties properties) {
        this.publisher = publisher;
        this.delay = properties.shutdown().drainDelay();
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        if (!running) {
            return;
        }
        running = false;
        AvailabilityChangeEvent.publish(publisher, this, ReadinessState.REFUSING_TRAFFIC);
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

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return ShutdownPhases.DRAIN;
    }
}
