package io.nabla.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.nabla.jobs.JobEvent;
import io.nabla.jobs.JobStatus;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A job event stream never goes back in steps, whichever way the snapshot and the live events interleave. */
class EventFeedTest {

    private final List<JobEvent> sent = new ArrayList<>();

    private static JobEvent progress(int step) {
        return new JobEvent(step, 0, 1.0 / step, JobStatus.RUNNING);
    }

    private static JobEvent status(int step, JobStatus s) {
        return new JobEvent(step, 0, null, s);
    }

    private List<Integer> steps() {
        return sent.stream().map(JobEvent::step).toList();
    }

    @Test
    void liveEventsQueuedBeforeTheSnapshotGoOutAfterItAndOlderOnesAreDropped() {
        EventFeed feed = new EventFeed(sent::add);
        feed.live(progress(14100));
        feed.live(progress(14101));
        feed.live(progress(14102));
        assertThat(sent).as("nothing before the snapshot").isEmpty();
        feed.start(status(14101, JobStatus.RUNNING));
        feed.live(progress(14103));
        assertThat(sent).containsExactly(status(14101, JobStatus.RUNNING), progress(14101), progress(14102),
                progress(14103));
    }

    @Test
    void aSnapshotOlderThanTheLiveEventsComesFirst() {
        EventFeed feed = new EventFeed(sent::add);
        feed.live(progress(14101));
        feed.start(status(14100, JobStatus.RUNNING));
        feed.live(progress(14102));
        assertThat(steps()).containsExactly(14100, 14101, 14102);
    }

    @Test
    void theFinalStatusEndsTheStreamOnceEvenWhenTheSnapshotIsFinalAlready() {
        EventFeed feed = new EventFeed(sent::add);
        feed.live(progress(6));
        feed.live(status(6, JobStatus.SUCCEEDED));
        feed.start(status(6, JobStatus.SUCCEEDED));
        feed.live(status(6, JobStatus.SUCCEEDED));
        assertThat(sent).containsExactly(status(6, JobStatus.SUCCEEDED));
        assertThat(feed.ended()).isTrue();
    }

    @Test
    void statusEventsAtTheStepAlreadySentGoOut() {
        EventFeed feed = new EventFeed(sent::add);
        feed.start(status(3, JobStatus.QUEUED));
        feed.live(status(3, JobStatus.RUNNING));
        feed.live(progress(4));
        feed.live(status(4, JobStatus.CANCELLED));
        assertThat(steps()).containsExactly(3, 3, 4, 4);
        assertThat(feed.ended()).isTrue();
    }

    @Test
    void nothingIsSentAfterTheClientLeft() {
        List<JobEvent> tried = new ArrayList<>();
        EventFeed feed = new EventFeed(e -> {
            tried.add(e);
            return tried.size() < 2;
        });
        feed.start(status(0, JobStatus.RUNNING));
        feed.live(progress(1));
        feed.live(progress(2));
        feed.live(status(2, JobStatus.SUCCEEDED));
        assertThat(tried).extracting(JobEvent::step).containsExactly(0, 1);
        assertThat(feed.ended()).isTrue();
    }
}
