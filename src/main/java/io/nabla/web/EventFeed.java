package io.nabla.web;

import io.nabla.jobs.JobEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * The events of one job event stream, in step order. A stream subscribes first and reads the job's snapshot after,
 * so that no event falls between them; live events that arrive before the snapshot is sent may then be older than it
 * (a progress event for step 14101 published while the snapshot read 14100, or the other way round), so they wait
 * until the snapshot has gone out and those older than it are dropped: a client sees steps that never go back.
 *
 * <p>Not thread-safe, on purpose: every call runs through the stream's {@link StreamSender}, one at a time and in
 * the order queued, which is what orders the snapshot and the live events.
 */
final class EventFeed {

    private final Predicate<JobEvent> sink;
    private List<JobEvent> early = new ArrayList<>();
    private int lastStep = Integer.MIN_VALUE;
    private boolean ended;

    /** {@code sink} sends one event and answers false when the stream is gone (the client left). */
    EventFeed(Predicate<JobEvent> sink) {
        this.sink = sink;
    }

    /** Sends the snapshot, then the live events that arrived before it and are not older. */
    void start(JobEvent snapshot) {
        List<JobEvent> waiting = early;
        early = null;
        deliver(snapshot);
        waiting.forEach(this::deliver);
    }

    /** A live event: held until the snapshot is sent, then sent unless older than what was sent. */
    void live(JobEvent e) {
        if (early != null) {
            early.add(e);
        } else {
            deliver(e);
        }
    }

    /** True once the final status was sent or the client left: nothing more goes out. */
    boolean ended() {
        return ended;
    }

    private void deliver(JobEvent e) {
        if (ended || (e.step() < lastStep && !e.status().isFinal())) {
            return;
        }
        lastStep = Math.max(lastStep, e.step());
        ended = !sink.test(e) || e.status().isFinal();
    }
}
