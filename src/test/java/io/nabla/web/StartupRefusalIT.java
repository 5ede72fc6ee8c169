package io.nabla.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nabla.NablaApplication;
import io.nabla.config.InsecureBindingException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** The real application refuses to start on a non-loopback address without tokens, and starts with them. */
class StartupRefusalIT {

    @TempDir
    Path store;

    private SpringApplicationBuilder app(String... args) {
        return new SpringApplicationBuilder(NablaApplication.class)
                .properties("nabla.store.path=" + store, "server.port=0", "spring.main.banner-mode=off");
    }

    @Test
    void refusesAWildcardAddressWithoutTokens() {
        assertThatThrownBy(() -> app().run("--server.address=0.0.0.0"))
                .hasRootCauseInstanceOf(InsecureBindingException.class)
                .rootCause().hasMessageContaining("refusing to listen on 0.0.0.0 without API tokens");
    }

    @Test
    void startsOnAWildcardAddressWithTokens() throws Exception {
        try (ConfigurableApplicationContext ctx = app().run("--server.address=0.0.0.0",
                "--nabla.security.tokens=a-long-enough-token")) {
            assertThat(ctx.isRunning()).isTrue();
        }
        assertThat(Files.isDirectory(store.resolve("models"))).isTrue();
    }
}
