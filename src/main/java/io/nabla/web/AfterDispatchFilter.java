package io.nabla.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Runs what a handler left for after its request ({@link #afterReturn}): once the request's first dispatch has
 * returned to the container, and {@link #MARGIN} later, on a background thread. It is the outermost filter.
 *
 * <p>Why: an event stream is an async request, and Tomcat (11.0.x) loses count of an async request whose
 * connection fails while the container thread that started it has not yet finished with it: a write that fails then
 * (a client that reset the connection right after its request) makes Tomcat close the connection without ending the
 * async cycle ("Encountered a non-recycled request and recycled it forcedly"), the request stays counted as in
 * progress, and graceful shutdown waits for it until its phase times out. So a stream writes nothing before this
 * lets it start: not while its handler runs, not from the container thread, and not while Tomcat finishes the
 * dispatch after this filter (a few microseconds of its own bookkeeping, which a loaded machine can stretch to
 * milliseconds, hence the margin). A write that fails after that is ended the normal way (error, dispatch,
 * completion), as {@code EventStreamResetIT} checks.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class AfterDispatchFilter extends OncePerRequestFilter {

    /** How long after its dispatch returned a request's action waits for the container to finish with it. */
    static final Duration MARGIN = Duration.ofMillis(100);

    private static final Executor LATER = CompletableFuture.delayedExecutor(MARGIN.toMillis(), TimeUnit.MILLISECONDS,
            Runnable::run);
    private static final String ACTIVE = AfterDispatchFilter.class.getName() + ".active";
    private static final String ACTION = AfterDispatchFilter.class.getName() + ".action";

    /**
     * Runs {@code action} {@link #MARGIN} after the request's first dispatch has returned to the container (where this
     * filter is not in the chain, as in a test that calls a controller without it: {@link #MARGIN} from now). The
     * action runs on a shared timer thread, so it must only hand work on. One action per request.
     */
    static void afterReturn(HttpServletRequest request, Runnable action) {
        if (request.getAttribute(ACTIVE) == null) {
            LATER.execute(action);
            return;
        }
        if (request.getAttribute(ACTION) != null) {
            throw new IllegalStateException("a request has one action after its dispatch; a second was given");
        }
        request.setAttribute(ACTION, action);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        request.setAttribute(ACTIVE, Boolean.TRUE);
        try {
            chain.doFilter(request, response);
        } finally {
            Object action = request.getAttribute(ACTION);
            request.removeAttribute(ACTION);
            request.removeAttribute(ACTIVE);
            if (action instanceof Runnable r) {
                LATER.execute(r);
            }
        }
    }
}
