package io.nabla.web;

import io.nabla.inference.InferenceException;
import io.nabla.jobs.FineTuneJob;
import io.nabla.jobs.JobEvent;
import io.nabla.jobs.JobService;
import io.nabla.nn.JsonValues;
import io.nabla.model.Utf8Json;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import tools.jackson.databind.json.JsonMapper;

/**
 * Fine-tuning jobs: submit (202 at once), read, list, follow as server-sent events, cancel. Events are written by
 * a {@link StreamSender} per stream on a shared pool, so a slow client holds up neither a job's worker nor the other
 * streams.
 */
@RestController
@Tag(name = "jobs")
class JobsController {

    private static final Logger LOG = LoggerFactory.getLogger(JobsController.class);

    private static final long EVENT_STREAM_TIMEOUT_MS = 24L * 3600 * 1000;

    private final JobService jobs;
    /** Writes a finished job's event as Spring MVC writes the events of a stream. */
    private final JsonMapper json;
    /** Unsent events one stream may hold before it is ended as too slow (a few hundred KB). */
    static final int MAX_BACKLOG = 4096;

    /** Event streams open at once; more is a 429 (each may hold a sender thread while its client stalls). */
    static final int MAX_STREAMS = 256;

    private final ExecutorService senders = StreamSender.pool("job-events", 2 * MAX_STREAMS);

    private final Set<SseEmitter> streams = ConcurrentHashMap.newKeySet();

    /** Set when shutdown has ended the streams: no new one stays open. */
    private volatile boolean closing;

    JobsController(JobService jobs, JsonMapper json) {
        this.jobs = jobs;
        this.json = json;
    }

    /**
     * Ends every event stream when shutdown begins; a stream asked for after that gets the job's status and ends at
     * once. An open stream is a request in flight, and graceful shutdown would otherwise wait for it until the phase
     * times out. It runs after {@link ShutdownDrain}, so streams opened during the drain delay end too, just before
     * the web server stops accepting. Clients reconnect to the restarted server.
     */
    @EventListener(ContextClosedEvent.class)
    @Order(Ordered.LOWEST_PRECEDENCE)
    void endStreams() {
        closing = true;
        streams.forEach(SseEmitter::complete);
        streams.clear();
    }

    @PostMapping(path = "/v1/jobs", consumes = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Submit a fine-tuning job; it runs asynchronously")
    @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true, content = @Content(
            mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(implementation = JobSchemas.Request.class)))
    @ApiResponse(responseCode = "202")
    @ApiResponse(responseCode = "400", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "413", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "415", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "429", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "503", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    ResponseEntity<JobSchemas.Created> submit(
            @RequestBody @io.swagger.v3.oas.annotations.Parameter(hidden = true) byte[] body) {
        // bytes, decoded strictly: a String body is decoded leniently, invalid UTF-8 turning into U+FFFD
        FineTuneJob job = jobs.submit(Utf8Json.decode(body, "the request body"));
        return ResponseEntity.accepted().location(URI.create("/v1/jobs/" + job.id()))
                .body(new JobSchemas.Created(job.id(), job.status().name()));
    }

    /** The most jobs one page of {@code GET /v1/jobs} may ask for. */
    static final int MAX_LIMIT = 1000;

    @GetMapping("/v1/jobs")
    @Operation(summary = "Every job, newest first; optionally only some, a page at a time (an extension)")
    @ApiResponse(responseCode = "200", headers = @io.swagger.v3.oas.annotations.headers.Header(name = "Link",
            description = "with limit, when the page is full: the next page, rel=\"next\""))
    @ApiResponse(responseCode = "400", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    ResponseEntity<List<JobSchemas.Job>> list(
            @io.swagger.v3.oas.annotations.Parameter(description = "only jobs in these statuses (repeated or "
                    + "comma-separated: QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED)")
            @RequestParam(name = "status", required = false) List<String> status,
            @io.swagger.v3.oas.annotations.Parameter(description = "only the jobs of this model")
            @RequestParam(name = "model", required = false) String model,
            @io.swagger.v3.oas.annotations.Parameter(description = "only jobs after this one in the order (older): "
                    + "the last id of the previous page")
            @RequestParam(name = "before", required = false) String before,
            @io.swagger.v3.oas.annotations.Parameter(description = "at most this many jobs, 1 to " + MAX_LIMIT
                    + " (default: all)") @RequestParam(name = "limit", required = false) String limit) {
        Set<io.nabla.jobs.JobStatus> statuses = new java.util.TreeSet<>();
        if (status != null) {
            for (String part : status) {
                for (String s : part.split(",", -1)) {
                    statuses.add(status(s.trim()));
                }
            }
        }
        Integer n = limit == null ? null : limit(limit);
        List<FineTuneJob> page = jobs.list(new io.nabla.jobs.JobStore.Query(statuses, model, before, n));
        ResponseEntity.BodyBuilder ok = ResponseEntity.ok();
        if (n != null && page.size() == n) {
            StringBuilder next = new StringBuilder("/v1/jobs?limit=").append(n).append("&before=")
                    .append(java.net.URLEncoder.encode(page.get(page.size() - 1).id(), StandardCharsets.UTF_8));
            statuses.forEach(s -> next.append("&status=").append(s.name()));
            if (model != null) {
                next.append("&model=").append(java.net.URLEncoder.encode(model, StandardCharsets.UTF_8));
            }
            ok.header("Link", "<" + next + ">; rel=\"next\"");
        }
        return ok.body(page.stream().map(JobSchemas.Job::of).toList());
    }

    private static io.nabla.jobs.JobStatus status(String s) {
        try {
            return io.nabla.jobs.JobStatus.valueOf(s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("status: expected one of " + java.util.Arrays.toString(
                    io.nabla.jobs.JobStatus.values()) + ", got \"" + (s.length() > 64 ? s.substring(0, 64) + "..." : s)
                    + "\"", e);
        }
    }

    private static int limit(String s) {
        if (s.matches("[0-9]{1,9}")) {
            int v = Integer.parseInt(s);
            if (v >= 1 && v <= MAX_LIMIT) {
                return v;
            }
        }
        throw new IllegalArgumentException("limit: expected an integer in [1, " + MAX_LIMIT + "], got \""
                + (s.length() > 64 ? s.substring(0, 64) + "..." : s) + "\"");
    }

    @GetMapping("/v1/jobs/{id}")
    @Operation(summary = "A job and its progress")
    @ApiResponse(responseCode = "200")
    @ApiResponse(responseCode = "400", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "404", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    JobSchemas.Job get(@PathVariable String id,
            @Parameter(description = "an extension: answer only the losses of steps K and after (step 0 first), so "
                    + "a client that has the first K need not read them again; the answer then carries losses_from")
            @RequestParam(name = "losses_from", required = false) String lossesFrom) {
        Integer from = null;
        if (lossesFrom != null) {
            if (!lossesFrom.matches("0|[1-9][0-9]{0,8}")) {
                throw new IllegalArgumentException("losses_from: expected an integer >= 0 (a step), got \""
                        + JsonValues.brief(lossesFrom) + "\"");
            }
            from = Integer.parseInt(lossesFrom);
        }
        return JobSchemas.Job.of(jobs.get(id), from);
    }

    @DeleteMapping("/v1/jobs/{id}")
    @Operation(summary = "Cancel a queued or running job; a running job stops at its next step boundary")
    @ApiResponse(responseCode = "202")
    @ApiResponse(responseCode = "404", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "409", content = @Content(schema = @Schema(implementation = ErrorBody.class)))
    ResponseEntity<JobSchemas.Job> cancel(@PathVariable String id) {
        return ResponseEntity.accepted().body(JobSchemas.Job.of(jobs.cancel(id)));
    }

    @GetMapping(path = "/v1/jobs/{id}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    @Operation(summary = "Server-sent events of the job's progress until it ends")
    @ApiResponse(responseCode = "200", content = @Content(mediaType = MediaType.TEXT_EVENT_STREAM_VALUE,
            schema = @Schema(implementation = JobSchemas.Event.class)))
    @ApiResponse(responseCode = "404", content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
            schema = @Schema(implementation = ErrorBody.class)))
    @ApiResponse(responseCode = "429", content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
            schema = @Schema(implementation = ErrorBody.class)))
    SseEmitter events(@PathVariable String id, HttpServletRequest request, HttpServletResponse response)
            throws IOException {
        SseEmitter emitter = new SseEmitter(EVENT_STREAM_TIMEOUT_MS);
        AtomicReference<Runnable> unsubscribe = new AtomicReference<>(() -> { });
        EventFeed feed = new EventFeed(e -> send(id, emitter, e, unsubscribe.get()));
        StreamSender sender = new StreamSender(senders, MAX_BACKLOG, () -> {
            LOG.debug("job {}: its event stream's client reads too slowly ({} events unsent); the stream ends", id,
                    MAX_BACKLOG);
            unsubscribe.get().run();
            emitter.complete();
        });
        JobService.Subscription sub = jobs.follow(id, e -> sender.execute(() -> feed.live(e)));
        Runnable cancel = sub.unsubscribe();
        JobEvent first = sub.snapshot();
        if (first.status().isFinal()) {
            cancel.run();
            answerAtOnce(first, response);
            return null;
        }
        if (streams.size() >= MAX_STREAMS) {
            cancel.run();
            throw new InferenceException(InferenceException.Kind.OVERLOADED, "too many job event streams are open: "
                    + streams.size() + ", the limit is " + MAX_STREAMS, Duration.ofSeconds(5), null);
        }
        streams.add(emitter);
        if (closing) { // read after adding: endStreams sets closing first, so it ends this stream or this sees closing
            streams.remove(emitter);
            cancel.run();
            answerAtOnce(first, response);
            return null;
        }
        Runnable end = () -> {
            streams.remove(emitter);
            cancel.run();
        };
        // what the final status, a failed send or an overflow runs, so the stream stops counting against MAX_STREAMS
        // and lets go of its listener at once, whether or not the container reports the end
        unsubscribe.set(end);
        emitter.onCompletion(end);
        emitter.onTimeout(end);
        emitter.onError(t -> end.run());
        // nothing is written before the container has let go of this request (live events wait in the feed until
        // the snapshot is sent): see AfterDispatchFilter for what a write that fails earlier does to shutdown
        AfterDispatchFilter.afterReturn(request, () -> sender.execute(() -> feed.start(first)));
        return emitter;
    }

    /**
     * A stream that ends with its first event (a finished job's: its final status; any once shutdown has ended the
     * streams: the job's status now) is answered at once, as a plain response: no async request is opened, so none
     * is left for shutdown to wait for, whenever the client leaves.
     */
    private void answerAtOnce(JobEvent event, HttpServletResponse response) throws IOException {
        response.setContentType(MediaType.TEXT_EVENT_STREAM_VALUE);
        byte[] data = json.writeValueAsBytes(JobSchemas.Event.of(event));
        ServletOutputStream out = response.getOutputStream();
        out.write(("event:" + eventName(event) + "\ndata:").getBytes(StandardCharsets.UTF_8));
        out.write(data);
        out.write("\n\n".getBytes(StandardCharsets.UTF_8));
    }

    private static String eventName(JobEvent e) {
        return e.validation() != null ? "validation" : e.loss() == null ? "status" : "progress";
    }

    /** What an event carries: a {@code JobValidation} for an evaluation, a {@code JobEvent} otherwise. */
    private static Object eventData(JobEvent e) {
        return e.validation() != null ? JobSchemas.Validation.of(e.validation()) : JobSchemas.Event.of(e);
    }

    /**
     * Sends one event; false when the stream cannot take it. A client that closes the stream is normal (a
     * {@code curl} stopped, a browser tab closed), not a server error: the subscription ends and the emitter
     * completes quietly, because handing the failure to Spring would send it to the error handler, which cannot
     * write an error body into an event stream and would log an error for every such client.
     */
    private static boolean send(String id, SseEmitter emitter, JobEvent e, Runnable end) {
        try {
            emitter.send(SseEmitter.event().name(eventName(e)).data(eventData(e), MediaType.APPLICATION_JSON));
            if (e.status().isFinal()) {
                emitter.complete();
                end.run();
            }
            return true;
        } catch (IOException | IllegalStateException ex) {
            LOG.debug("job {}: its event stream ended before step {} could be sent ({})", id, e.step(),
                    ex.toString());
            end.run();
            try {
                emitter.completeWithError(ex); // ends the request even where the container does not report the failure
            } catch (IllegalStateException alreadyOver) {
                // the container ended the request first (the client reset the connection): nothing is left to end
                LOG.debug("job {}: its event stream's request had ended already ({})", id, alreadyOver.toString());
            }
            return false;
        }
    }
}
