package io.nabla.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.context.SmartLifecycle;

/** The documented shutdown order: drain, then the web server (Spring Boot's phases), then jobs. */
class ShutdownPhasesTest {

    @Test
    void drainThenWebThenJobs() {
        assertThat(ShutdownPhases.WEB_GRACEFUL).isEqualTo(SmartLifecycle.DEFAULT_PHASE - 1024);
        assertThat(ShutdownPhases.WEB_STOP).isEqualTo(SmartLifecycle.DEFAULT_PHASE - 2048);
        assertThat(ShutdownPhases.JOBS).isEqualTo(SmartLifecycle.DEFAULT_PHASE - 4096);
    }
}
