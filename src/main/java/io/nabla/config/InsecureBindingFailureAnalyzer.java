package io.nabla.config;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Turns {@link InsecureBindingException} into Spring Boot's startup failure report, saying why and what to do. */
public final class InsecureBindingFailureAnalyzer extends AbstractFailureAnalyzer<InsecureBindingException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, InsecureBindingException cause) {
        return new FailureAnalysis(
                "Nabla would listen on " + cause.address() + ", which is reachable from other machines, but no API"
                        + " tokens are configured, so anyone could load models and run inference.",
                "Set nabla.security.tokens (clients then send 'Authorization: Bearer <token>'), or keep the"
                        + " default server.address=127.0.0.1.",
                cause);
    }
}
