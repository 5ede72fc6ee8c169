package io.nabla.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The job store on both databases it supports, embedded H2 and a real PostgreSQL: the schema is created once and
 * reopened, every field round-trips, state changes are conditional (each happens at most once, a final state is
 * never left), listing is newest first, and a restart puts RUNNING jobs back in the queue.
 */
class JobStoreTest {

    static Stream<Arguments> databases() {
        return Stream.of(Arguments.of("h2"), Arguments.of("postgresql"));
    }

    private static JdbcClient fresh(String db) {
        DataSource ds = db.equals("h2") ? Databases.h2() : Databases.postgresForStoreTests();
        JdbcClient jdbc = JdbcClient.create(ds);
        jdbc.sql("DROP TABLE IF EXISTS training_jobs").update();
        jdbc.sql("DROP TABLE IF EXISTS training_job_losses").update();
        jdbc.sql("DROP TABLE IF EXISTS training_job_validation").update();
        return jdbc;
    }

    private static FineTuneJob queued(String id, Instant created) {
        return new FineTuneJob(id, JobStatus.QUEUED, "{\"model\":\"m\"}", "m", 1, MODEL_ID, null, 0, 12, 0,
                List.of(), null, created, null, null, null, false);
    }

    private static final String MODEL_ID = "0d4c5f6e-8a7b-4c3d-9e2f-1a0b9c8d7e6f";

    @ParameterizedTest
    @MethodSource("databases")
    void aJobThatCannotBePlacedIsClaimedWithoutADevice(String db) {
        JobStore store = new JobStore(fresh(db));
        Instant t0 = Instant.parse("2026-01-02T03:04:05.123456Z");
        store.insert(queued("b", t0));
        assertThat(store.claim("b", null, t0)).isTrue();
        assertThat(store.find("b").orElseThrow().device()).isNull();
    }

    @ParameterizedTest
    @MethodSource("databases")
    void fieldsRoundTripAndTransitionsHappenOnce(String db) {
        JobStore store = new JobStore(fresh(db));
        Instant t0 = Instant.parse("2026-01-02T03:04:05.123456Z");
        store.insert(queued("a", t0));
        FineTuneJob a = store.find("a").orElseThrow();
        assertThat(a).isEqualTo(queued("a", t0));
        assertThat(store.find("zzz")).isEmpty();

        Instant t1 = t0.plusSeconds(1);
        assertThat(store.claim("a", "cpu", t1)).isTrue();
        assertThat(store.claim("a", "cpu", t1.plusSeconds(1))).as("claimed twice").isFalse();
        assertThat(store.cancelQueued("a", "x", t1)).as("not queued any more").isFalse();
        List<Double> losses = List.of(2.302585092994046, 1.0E-300, 0.1 + 0.2);
        assertThat(store.progress("a", 3, 0, 0, losses)).isTrue();
        FineTuneJob running = store.find("a").orElseThrow();
        assertThat(running.status()).isEqualTo(JobStatus.RUNNING);
        assertThat(running.startedAt()).isEqualTo(t1);
        assertThat(running.device()).isEqualTo("cpu");
        assertThat(running.losses()).containsExactlyElementsOf(losses);

        Instant t2 = t1.plus(5, ChronoUnit.MILLIS);
        assertThat(store.finish("a", JobStatus.SUCCEEDED, 2, 12, 2, 3, List.of(), null, t2)).isTrue();
        assertThat(store.finish("a", JobStatus.FAILED, null, 12, 2, 3, List.of(), "late", t2)).as("left a final state")
                .isFalse();
        assertThat(store.requestCancel("a")).isFalse();
        FineTuneJob done = store.find("a").orElseThrow();
        assertThat(done.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(done.resultVersion()).isEqualTo(2);
        assertThat(done.finishedAt()).isEqualTo(t2);
        assertThat(done.error()).isNull();
        assertThatThrownBy(() -> store.finish("a", JobStatus.RUNNING, null, 0, 0, 0, List.of(), null, t2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("RUNNING");
    }

    @ParameterizedTest
    @MethodSource("databases")
    void cancellingAQueuedJobKeepsItFromRunning(String db) {
        JobStore store = new JobStore(fresh(db));
        Instant now = Instant.now();
        store.insert(queued("q1", now));
        store.insert(queued("q2", now));
        assertThat(store.requestCancel("q1")).isTrue();
        assertThat(store.claim("q1", "cpu", now)).as("a job asked to cancel never starts").isFalse();
        assertThat(store.cancelQueued("q1", "cancelled by request", now)).isTrue();
        assertThat(store.find("q1").orElseThrow().status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(store.claim("q2", "cpu", now)).isTrue();
        assertThat(store.failQueued("q2", "x", now)).isFalse();
        assertThat(store.finish("q2", JobStatus.FAILED, null, 1, 0, 0, List.of(9.0), "dataset \"d\" was deleted", now))
                .isTrue();
        assertThat(store.find("q2").orElseThrow().error()).isEqualTo("dataset \"d\" was deleted");
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aReopenedStoreListsNewestFirstAndRequeuesRunningJobs(String db) {
        JdbcClient jdbc = fresh(db);
        JobStore store = new JobStore(jdbc);
        Instant same = Instant.now();
        for (String id : List.of("j1", "j2", "j3")) {
            store.insert(queued(id, same));
        }
        store.claim("j1", "cpu", same);
        store.claim("j2", "cpu", same);
        store.finish("j2", JobStatus.CANCELLED, null, 0, 0, 0, List.of(), "cancelled", same);

        JobStore reopened = new JobStore(jdbc);
        reopened.insert(queued("j4", same));
        assertThat(reopened.list()).extracting(FineTuneJob::id).containsExactly("j4", "j3", "j2", "j1");
        assertThat(reopened.requeueRunning()).isEqualTo(1);
        assertThat(reopened.unfinishedIds()).containsExactly("j1", "j3", "j4");
        assertThat(reopened.find("j1").orElseThrow().startedAt()).as("kept when requeued").isNotNull();
        assertThat(reopened.claim("j1", "cpu", same)).isTrue();
    }

    /** The table as releases before model ids created it: a reopened store adds the column, and old rows read. */
    @ParameterizedTest
    @MethodSource("databases")
    void aTableWithoutModelIdsIsUpgradedAndItsJobsRecordTheirModelWhenTheyStart(String db) {
        JdbcClient jdbc = fresh(db);
        jdbc.sql(JobStore.SCHEMA.replace("  model_id VARCHAR(64),\n", "")).update();
        jdbc.sql("INSERT INTO training_jobs (id, seq, status, request, model, version, step, total_steps, epoch, "
                + "losses, created_at, cancel_requested) VALUES ('old', 1, 'RUNNING', '{}', 'm', 1, 3, 12, 0, "
                + "'[1.0,0.5,0.25]', 1, FALSE)").update();
        assertThat(jdbc.sql("SELECT COUNT(*) FROM information_schema.columns WHERE LOWER(table_name) = "
                + "'training_jobs' AND LOWER(column_name) = 'model_id'").query(Long.class).single())
                .as("the old table has no model_id").isZero();

        JobStore store = new JobStore(jdbc);
        FineTuneJob old = store.find("old").orElseThrow();
        assertThat(old.modelId()).isNull();
        assertThat(old.losses()).containsExactly(1.0, 0.5, 0.25);
        assertThat(store.recordModelId("old", MODEL_ID)).isTrue();
        assertThat(store.recordModelId("old", "another")).as("never replaced").isFalse();
        assertThat(new JobStore(jdbc).find("old").orElseThrow().modelId()).isEqualTo(MODEL_ID);
        store.insert(queued("new", Instant.now()));
        assertThat(store.find("new").orElseThrow().modelId()).isEqualTo(MODEL_ID);
    }

    /** Jobs accepted at once may be inserted in another order than their created_at (stamped before the checks). */
    @ParameterizedTest
    @MethodSource("databases")
    void jobsAreListedNewestFirstByCreationTimeWhateverOrderTheyWereInsertedIn(String db) {
        JdbcClient jdbc = fresh(db);
        JobStore store = new JobStore(jdbc);
        Instant t0 = Instant.parse("2026-03-04T05:06:07.000001Z");
        store.insert(queued("late", t0.plusMillis(60)));
        store.insert(queued("early", t0));
        store.insert(queued("tie-b", t0.plus(90, ChronoUnit.MICROS)));
        store.insert(queued("mid", t0.plusMillis(30)));
        store.insert(queued("tie-a", t0.plus(90, ChronoUnit.MICROS)));
        store.insert(queued("first-micro", t0.minus(1, ChronoUnit.MICROS)));
        List<String> expected = List.of("late", "mid", "tie-b", "tie-a", "early", "first-micro");
        assertThat(store.list()).extracting(FineTuneJob::id).containsExactlyElementsOf(expected);
        assertThat(new JobStore(jdbc).list()).extracting(FineTuneJob::id).as("reopened")
                .containsExactlyElementsOf(expected);
    }

    @ParameterizedTest
    @MethodSource("databases")
    void nonFiniteLossesRoundTripExactly(String db) {
        JobStore store = new JobStore(fresh(db));
        Instant now = Instant.parse("2026-01-02T03:04:05Z");
        store.insert(queued("n", now));
        store.claim("n", "cpu", now);
        List<Double> losses = List.of(2.5, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0,
                Double.MIN_VALUE, Double.MAX_VALUE);
        assertThat(store.progress("n", 7, 0, 0, losses)).isTrue();
        assertThat(store.find("n").orElseThrow().losses()).containsExactlyElementsOf(losses);
        assertThat(store.unfinishedIds()).containsExactly("n");
        assertThat(store.finish("n", JobStatus.SUCCEEDED, 2, 7, 1, 7, List.of(), null, now)).isTrue();
        assertThat(store.list()).singleElement().extracting(FineTuneJob::losses).asInstanceOf(
                org.assertj.core.api.InstanceOfAssertFactories.LIST).containsExactlyElementsOf(losses);
        assertThat(JobStore.losses(losses)).isEqualTo("[2.5,\"NaN\",\"Infinity\",\"-Infinity\",-0.0,4.9E-324,"
                + "1.7976931348623157E308]");
    }

    @ParameterizedTest
    @MethodSource("databases")
    void lossesWrittenByEarlierVersionsAreRead(String db) {
        JdbcClient jdbc = fresh(db);
        JobStore store = new JobStore(jdbc);
        store.insert(queued("old", Instant.now()));
        jdbc.sql("UPDATE training_jobs SET losses = ?, step = 4 WHERE id = 'old'")
                .param("[1.5,\"NaN\",NaN,-Infinity]").update();
        assertThat(store.find("old").orElseThrow().losses()).containsExactly(1.5, Double.NaN, Double.NaN,
                Double.NEGATIVE_INFINITY);
    }

    @ParameterizedTest
    @MethodSource("databases")
    void anUnreadableJobCanBeFailedAndListedAgain(String db) {
        JdbcClient jdbc = fresh(db);
        JobStore store = new JobStore(jdbc);
        Instant now = Instant.now();
        store.insert(queued("bad", now));
        store.insert(queued("good", now));
        jdbc.sql("UPDATE training_jobs SET losses = '[1.0, \"nope\"]' WHERE id = 'bad'").update();
        assertThatThrownBy(() -> store.find("bad")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("losses[1]").hasMessageContaining("\"nope\"");
        assertThat(store.unfinishedIds()).containsExactly("bad", "good");
        assertThat(store.failUnreadable("bad", "unreadable", now)).isTrue();
        assertThat(store.failUnreadable("bad", "again", now)).as("final already").isFalse();
        FineTuneJob bad = store.find("bad").orElseThrow();
        assertThat(bad.status()).isEqualTo(JobStatus.FAILED);
        assertThat(bad.error()).isEqualTo("unreadable");
        assertThat(bad.losses()).isEmpty();
        assertThat(store.list()).extracting(FineTuneJob::id).containsExactly("good", "bad");
        assertThat(store.unfinishedIds()).containsExactly("good");
    }

    /** Stores job {@code id} and claims it: RUNNING, as a worker's job is. */
    private static void running(JobStore store, String id, Instant now) {
        store.insert(queued(id, now));
        store.claim(id, "cpu", now);
    }

    /** Losses of steps 0, 1, ..., n - 1: distinct, so a misplaced chunk shows. */
    private static List<Double> steps(int from, int n, double offset) {
        return java.util.stream.IntStream.range(from, from + n).mapToObj(i -> offset + i / 8.0).toList();
    }

    private static List<Double> concat(List<Double> a, List<Double> b) {
        return Stream.concat(a.stream(), b.stream()).toList();
    }

    private static long chunkChars(JdbcClient jdbc, String id) {
        return jdbc.sql("SELECT COALESCE(SUM(LENGTH(losses)), 0) FROM training_job_losses WHERE job_id = ?").param(id)
                .query(Long.class).single();
    }

    /**
     * Each checkpoint appends the losses since the previous one: a job of 500 steps checkpointed every 20 writes
     * each loss once (the text of all chunks together is the text of the whole list, plus a bracket for each comma between chunks),
     * where rewriting the list at every checkpoint wrote about 13 times as much.
     */
    @ParameterizedTest
    @MethodSource("databases")
    void eachCheckpointAppendsOnlyTheLossesSinceThePreviousOne(String db) {
        JdbcClient jdbc = fresh(db);
        JobStore store = new JobStore(jdbc);
        Instant now = Instant.now();
        running(store, "long", now);
        for (int at = 0; at < 500; at += 20) {
            assertThat(store.progress("long", at + 20, 0, at, steps(at, 20, 1))).isTrue();
        }
        List<Double> all = steps(0, 500, 1);
        assertThat(store.find("long").orElseThrow().losses()).containsExactlyElementsOf(all);
        assertThat(store.list()).singleElement().extracting(FineTuneJob::losses).isEqualTo(all);
        assertThat(chunkChars(jdbc, "long")).isEqualTo(JobStore.losses(all).length() + 25 - 1L);
        assertThat(jdbc.sql("SELECT losses FROM training_jobs WHERE id = 'long'").query(String.class).single())
                .as("the record's own column").isEqualTo("[]");

        assertThat(store.finish("long", JobStatus.CANCELLED, null, 503, 0, 500, steps(500, 3, 1), "cancelled", now))
                .isTrue();
        assertThat(store.find("long").orElseThrow().losses()).containsExactlyElementsOf(steps(0, 503, 1));
        assertThat(store.progress("long", 510, 0, 503, steps(503, 7, 9))).as("final already").isFalse();
        assertThat(store.finish("long", JobStatus.FAILED, null, 510, 0, 0, List.of(), "x", now)).isFalse();
        assertThat(store.find("long").orElseThrow().losses()).as("a final job's losses are never changed")
                .containsExactlyElementsOf(steps(0, 503, 1));
    }

    /**
     * A run that resumes from an earlier step than its record shows (the record is written before the checkpoint,
     * and the process died between the two) writes its next chunk from that step: it replaces the old steps' losses.
     * A chunk written just before a crash, ahead of the record's step, is never read.
     */
    @ParameterizedTest
    @MethodSource("databases")
    void aRunResumedFromAnEarlierStepReplacesTheLossesFromThere(String db) {
        JdbcClient jdbc = fresh(db);
        JobStore store = new JobStore(jdbc);
        Instant now = Instant.now();
        running(store, "r", now);
        store.progress("r", 4, 0, 0, steps(0, 4, 1));
        store.progress("r", 8, 0, 4, steps(4, 4, 1));
        // a chunk inserted before a crash kept the step from being recorded
        jdbc.sql("INSERT INTO training_job_losses (job_id, first_step, losses) VALUES ('r', 8, '[7.0, 7.0]')")
                .update();
        assertThat(store.find("r").orElseThrow().losses()).containsExactlyElementsOf(steps(0, 8, 1));

        // resumed from step 6 (within the second chunk): its losses from there replace those stored
        assertThat(store.progress("r", 10, 0, 6, steps(6, 4, 5))).isTrue();
        List<Double> expected = concat(steps(0, 6, 1), steps(6, 4, 5));
        assertThat(store.find("r").orElseThrow().losses()).containsExactlyElementsOf(expected);
        assertThat(new JobStore(jdbc).list()).singleElement().extracting(FineTuneJob::losses).isEqualTo(expected);
        assertThat(jdbc.sql("SELECT first_step FROM training_job_losses WHERE job_id = 'r' ORDER BY first_step")
                .query(Integer.class).list()).as("the chunk ahead was removed").containsExactly(0, 4, 6);
    }

    /** A job recorded by a version that kept all losses in its record goes on with chunks after them. */
    @ParameterizedTest
    @MethodSource("databases")
    void aJobRecordedByAnEarlierVersionGoesOnWithChunks(String db) {
        JdbcClient jdbc = fresh(db);
        JobStore store = new JobStore(jdbc);
        Instant now = Instant.now();
        running(store, "old", now);
        jdbc.sql("UPDATE training_jobs SET losses = ?, step = 3 WHERE id = 'old'").param(JobStore.losses(steps(0, 3, 1)))
                .update();
        store.progress("old", 6, 0, 3, steps(3, 3, 1));
        assertThat(store.find("old").orElseThrow().losses()).containsExactlyElementsOf(steps(0, 6, 1));
        store.progress("old", 4, 0, 2, steps(2, 2, 3));
        assertThat(store.find("old").orElseThrow().losses()).as("from step 2, inside the record's own list")
                .containsExactlyElementsOf(concat(steps(0, 2, 1), steps(2, 2, 3)));
    }

    /** Chunks that leave steps without a loss make the record unreadable; failing it removes them. */
    @ParameterizedTest
    @MethodSource("databases")
    void aGapBetweenChunksMakesTheRecordUnreadableAndFailingItClearsThem(String db) {
        JdbcClient jdbc = fresh(db);
        JobStore store = new JobStore(jdbc);
        Instant now = Instant.now();
        running(store, "gap", now);
        store.progress("gap", 4, 0, 0, steps(0, 4, 1));
        jdbc.sql("INSERT INTO training_job_losses (job_id, first_step, losses) VALUES ('gap', 6, '[1.0, 2.0]')")
                .update();
        jdbc.sql("UPDATE training_jobs SET step = 8 WHERE id = 'gap'").update();
        assertThatThrownBy(() -> store.find("gap")).isInstanceOf(IllegalStateException.class)
                .hasMessage("stored losses: the chunk from step 6 follows the losses of 4 steps; those of steps 4 to 5 "
                        + "are missing");
        jdbc.sql("UPDATE training_job_losses SET losses = '[1.0, oops' WHERE job_id = 'gap' AND first_step = 0")
                .update();
        assertThatThrownBy(() -> store.find("gap")).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("stored losses from step 0: ").hasMessageContaining("not valid JSON");
        assertThat(store.failUnreadable("gap", "unreadable", now)).isTrue();
        assertThat(store.find("gap").orElseThrow().losses()).isEmpty();
        assertThat(chunkChars(jdbc, "gap")).isZero();
    }

    /**
     * Evaluations are stored as they are made, non-finite ones exactly, only for a RUNNING job; one made again (a run
     * resumed from an earlier checkpoint) replaces it and those after it; a record shows none made after its step.
     */
    @ParameterizedTest
    @MethodSource("databases")
    void evaluationsAreStoredAsMadeAndReplacedByARunThatMakesThemAgain(String db) {
        JobStore store = new JobStore(fresh(db));
        Instant t0 = Instant.parse("2026-01-02T03:04:05.123456Z");
        store.insert(queued("v", t0));
        ValidationResult first = new ValidationResult(0, 4, 0.75, 0.5);
        assertThat(store.validation("v", first)).as("queued").isFalse();
        store.claim("v", "cpu", t0);
        assertThat(store.validation("v", first)).isTrue();
        ValidationResult nan = new ValidationResult(1, 8, Double.NaN, null);
        ValidationResult inf = new ValidationResult(2, 12, Double.POSITIVE_INFINITY, Double.NaN);
        assertThat(store.validation("v", nan)).isTrue();
        assertThat(store.validation("v", inf)).isTrue();
        assertThat(store.find("v").orElseThrow().validation()).containsExactly(first, nan, inf);
        assertThat(store.list().get(0).validation()).containsExactly(first, nan, inf);
        assertThat(store.progress("v", 8, 2, 0, steps(0, 8, 0))).isTrue();
        assertThat(store.find("v").orElseThrow().withoutValidationAhead().validation()).as("the record is at step 8")
                .containsExactly(first, nan);
        ValidationResult again = new ValidationResult(1, 8, 0.5, null);
        assertThat(store.validation("v", again)).isTrue();
        assertThat(store.find("v").orElseThrow().validation()).containsExactly(first, again);
        store.finish("v", JobStatus.SUCCEEDED, 2, 12, 3, 8, steps(8, 4, 0), null, t0);
        assertThat(store.validation("v", inf)).as("finished").isFalse();
        assertThat(store.find("v").orElseThrow().validation()).containsExactly(first, again);
        store.insert(queued("w", t0.plusSeconds(1)));
        assertThat(store.find("w").orElseThrow().validation()).isEmpty();
    }

    /**
     * A query selects by status and model in the database, pages by {@code before} and {@code limit} in the list's
     * order (ties in {@code created_at} by id), and reads only the selected jobs' losses and evaluations.
     */
    @ParameterizedTest
    @MethodSource("databases")
    void queriesSelectByStatusAndModelAndPageInTheListsOrder(String db) {
        JobStore store = new JobStore(fresh(db));
        Instant t0 = Instant.parse("2026-01-02T03:04:05.123456Z");
        for (int i = 0; i < 7; i++) {
            FineTuneJob q = queued("j" + i, i == 3 || i == 4 ? t0.plusSeconds(3) : t0.plusSeconds(i));
            store.insert(i % 2 == 0 ? q : new FineTuneJob(q.id(), q.status(), q.request(), "other", 1, MODEL_ID, null,
                    0, 12, 0, List.of(), null, q.createdAt(), null, null, null, false));
        }
        store.claim("j5", "cpu", t0);
        store.progress("j5", 2, 0, 0, List.of(1.5, 2.5));
        store.validation("j5", new ValidationResult(0, 2, 0.25, 0.5));
        store.claim("j2", "cpu", t0);
        // newest first: j6, j5, then j4 and j3 (same time, id descending), j2, j1, j0
        assertThat(ids(store.list())).containsExactly("j6", "j5", "j4", "j3", "j2", "j1", "j0");
        assertThat(ids(store.list(new JobStore.Query(java.util.Set.of(), null, null, 3))))
                .containsExactly("j6", "j5", "j4");
        assertThat(ids(store.list(new JobStore.Query(java.util.Set.of(), null, "j4", 2)))).containsExactly("j3", "j2");
        assertThat(ids(store.list(new JobStore.Query(java.util.Set.of(), null, "j3", null))))
                .containsExactly("j2", "j1", "j0");
        assertThat(ids(store.list(new JobStore.Query(java.util.Set.of(JobStatus.RUNNING), null, null, null))))
                .containsExactly("j5", "j2");
        assertThat(ids(store.list(new JobStore.Query(java.util.Set.of(JobStatus.QUEUED), "other", null, null))))
                .containsExactly("j3", "j1");
        assertThat(ids(store.list(new JobStore.Query(java.util.Set.of(JobStatus.QUEUED, JobStatus.RUNNING), "m",
                "j6", 2)))).containsExactly("j4", "j2");
        FineTuneJob j5 = store.list(new JobStore.Query(java.util.Set.of(JobStatus.RUNNING), "other", null, 1)).get(0);
        assertThat(j5.losses()).containsExactly(1.5, 2.5);
        assertThat(j5.validation()).containsExactly(new ValidationResult(0, 2, 0.25, 0.5));
        assertThat(store.list(new JobStore.Query(java.util.Set.of(JobStatus.FAILED), null, null, 5))).isEmpty();
        assertThatThrownBy(() -> store.list(new JobStore.Query(java.util.Set.of(), null, "nope", 5)))
                .hasMessage("before: expected the id of a job, got \"nope\", which does not exist");
    }

    private static List<String> ids(List<FineTuneJob> jobs) {
        return jobs.stream().map(FineTuneJob::id).toList();
    }
}
