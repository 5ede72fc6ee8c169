package io.nabla.config;

import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.SmartLifecycle;

/**
 * The order in which the service stops on SIGTERM. Closing the context first publishes {@code ContextClosedEvent},
 * then stops {@link SmartLifecycle} beans from the highest phase down (beans of one phase stop together; the next
 * phase starts when they are done or after {@code spring.lifecycle.timeout-per-shutdown-phase}), then destroys the
 * singletons.
 *
 * <ol>
 *   <li>Drain, on {@code ContextClosedEvent} ({@code io.nabla.web.ShutdownDrain}, before any phase): readiness turns
 *       to refusing traffic ({@code /v2/health/ready} answers 503), then {@code nabla.shutdown.drain-delay} passes
 *       while every request is still served, so that endpoint controllers and load balancers take the instance out
 *       of rotation before it stops accepting. (On the event rather than in a phase: a context that is only stopped
 *       and started again, as Spring's test context cache does, must not drain.) Right after it, on the same event,
 *       the job event streams end ({@code io.nabla.web.JobsController#endStreams}), those opened during the drain
 *       too: an open stream is a request in flight that the next phase would wait for.</li>
 *   <li>{@link #WEB_GRACEFUL} ({@code Integer.MAX_VALUE - 1024}, Spring Boot's graceful web server shutdown): the
 *       connector stops accepting, and requests in flight finish, including those waiting in a model's batch queue:
 *       the model workers still run, so every queued call completes.</li>
 *   <li>{@link #WEB_STOP} ({@code Integer.MAX_VALUE - 2048}, Spring Boot's web server stop): the server closes.</li>
 *   <li>{@link #JOBS} ({@code Integer.MAX_VALUE - 4096}): running fine-tuning jobs write their checkpoints. No HTTP
 *       request can start or change a job any more, and the job store's database is still open.</li>
 *   <li>Destruction: the model registry refuses new inference, lets queued calls finish and frees every model; the
 *       job store's data source closes.</li>
 * </ol>
 *
 * <p>The worst case is the drain delay plus two phase timeouts plus destruction; a pod's termination grace period
 * must cover it (the Helm chart refuses a shorter one).
 */
public final class ShutdownPhases {

    /** Spring Boot's graceful web server shutdown: stop accepting, finish requests in flight. */
    public static final int WEB_GRACEFUL = WebServerApplicationContext.GRACEFUL_SHUTDOWN_PHASE;

    /** Spring Boot's web server stop. */
    public static final int WEB_STOP = WebServerApplicationContext.START_STOP_LIFECYCLE_PHASE;

    /** Fine-tuning jobs checkpoint and stop; the phase for the job runner's {@link SmartLifecycle}. */
    public static final int JOBS = SmartLifecycle.DEFAULT_PHASE - 4096;

    private ShutdownPhases() {
    }
}
