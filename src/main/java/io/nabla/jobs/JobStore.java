package io.nabla.jobs;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * The job records, in the {@code training_jobs} table of a relational database (embedded H2 or PostgreSQL; the SQL
 * is the subset both speak).
 *
 * <p>Guarantees: the schema is created when missing; every change of state is one conditional {@code UPDATE} that
 * names the state it leaves, so a job moves QUEUED -> RUNNING -> final at most once each and a final state is never
 * left; the answer says whether the transition happened. Times are stored as microseconds since the epoch.
 */
public final class JobStore {

    static final String SCHEMA = """
            CREATE TABLE IF NOT EXISTS training_jobs (
              id VARCHAR(64) PRIMARY KEY,
              seq BIGINT NOT NULL,
              status VARCHAR(16) NOT NULL,
              request TEXT NOT NULL,
              model VARCHAR(128) NOT NULL,
              version INTEGER NOT NULL,
              result_version INTEGER,
              step INTEGER NOT NULL,
              total_steps INTEGER NOT NULL,
              epoch INTEGER NOT NULL,
              losses TEXT NOT NULL,
              device VARCHAR(32),
              created_at BIGINT NOT NULL,
              started_at BIGINT,
              finished_at BIGINT,
              error TEXT,
              cancel_requested BOOLEAN NOT NULL
            )""";

    private static final String COLUMNS = "id, status, request, model, version, result_version, step, total_steps, "
            + "epoch, losses, device, created_at, started_at, finished_at, error, cancel_requested";

    private final JdbcClient jdbc;
    private final AtomicLong seq;

    public JobStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
        jdbc.sql(SCHEMA).update();
        this.seq = new AtomicLong(jdbc.sql("SELECT COALESCE(MAX(seq), 0) FROM training_jobs").query(Long.class)
                .single());
    }

    /** Stores a new QUEUED job. */
    public void insert(FineTuneJob job) {
        jdbc.sql("INSERT INTO training_jobs (" + COLUMNS + ", seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                        + "?, ?, ?)")
                .params(job.id(), job.status().name(), job.request(), job.model(), job.version(), job.resultVersion(),
                        job.step(), job.totalSteps(), job.epoch(), losses(job.losses()), job.device(),
                        micros(job.createdAt()), micros(job.startedAt()), micros(job.finishedAt()), job.error(),
                        job.cancelRequested(), seq.incrementAndGet())
                .update();
    }

    public Optional<FineTuneJob> find(String id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM training_jobs WHERE id = ?").param(id)
                .query(JobStore::row).optional();
    }

    /** Every job, newest first. */
    public List<FineTuneJob> list() {
        return jdbc.sql("SELECT " + COLUMNS + " FROM training_jobs ORDER BY seq DESC").query(JobStore::row).list();
    }

    /** The jobs that are not final yet, oldest first. */
    public List<FineTuneJob> unfinished() {
        return jdbc.sql("SELECT " + COLUMNS + " FROM training_jobs WHERE status IN ('QUEUED', 'RUNNING') ORDER BY seq")
                .query(JobStore::row).list();
    }

    /** After a restart: every RUNNING job (its worker died with the old process) waits for a worker again. */
    public int requeueRunning() {
        return jdbc.sql("UPDATE training_jobs SET status = 'QUEUED' WHERE status = 'RUNNING'").update();
    }

    /** QUEUED -> RUNNING on {@code device}; false when the job is not QUEUED (cancelled meanwhile). */
    public boolean claim(String id, String device, Instant now) {
        return jdbc.sql("UPDATE training_jobs SET status = 'RUNNING', device = ?, started_at = COALESCE(started_at, ?)"
                        + " WHERE id = ? AND status = 'QUEUED' AND cancel_requested = FALSE")
                .params(device, micros(now), id).update() == 1;
    }

    /** Records the progress of a RUNNING job (at a checkpoint). */
    public boolean progress(String id, int step, int epoch, List<Double> losses) {
        return jdbc.sql("UPDATE training_jobs SET step = ?, epoch = ?, losses = ? WHERE id = ? AND status = 'RUNNING'")
                .params(step, epoch, losses(losses), id).update() == 1;
    }

    /** RUNNING -> a final state with the job's last progress; false when it was not RUNNING. */
    public boolean finish(String id, JobStatus to, Integer resultVersion, int step, int epoch, List<Double> losses,
            String error, Instant now) {
        if (!to.isFinal()) {
            throw new IllegalArgumentException("finish: expected a final state, got " + to);
        }
        return jdbc.sql("UPDATE training_jobs SET status = ?, result_version = ?, step = ?, epoch = ?, losses = ?, "
                        + "error = ?, finished_at = ? WHERE id = ? AND status = 'RUNNING'")
                .params(to.name(), resultVersion, step, epoch, losses(losses), error, micros(now), id).update() == 1;
    }

    /** QUEUED -> CANCELLED; false when the job is not QUEUED. */
    public boolean cancelQueued(String id, String reason, Instant now) {
        return jdbc.sql("UPDATE training_jobs SET status = 'CANCELLED', cancel_requested = TRUE, error = ?, "
                        + "finished_at = ? WHERE id = ? AND status = 'QUEUED'")
                .params(reason, micros(now), id).update() == 1;
    }

    /** QUEUED -> FAILED (a job that cannot even start); false when the job is not QUEUED. */
    public boolean failQueued(String id, String error, Instant now) {
        return jdbc.sql("UPDATE training_jobs SET status = 'FAILED', error = ?, finished_at = ? WHERE id = ? AND "
                        + "status = 'QUEUED'")
                .params(error, micros(now), id).update() == 1;
    }

    /** Remembers that a QUEUED or RUNNING job is to be cancelled; false when it is final already. */
    public boolean requestCancel(String id) {
        return jdbc.sql("UPDATE training_jobs SET cancel_requested = TRUE WHERE id = ? AND status IN ('QUEUED', "
                        + "'RUNNING')").param(id).update() == 1;
    }

    private static FineTuneJob row(ResultSet rs, int n) throws SQLException {
        return new FineTuneJob(rs.getString("id"), JobStatus.valueOf(rs.getString("status")), rs.getString("request"),
                rs.getString("model"), rs.getInt("version"), (Integer) rs.getObject("result_version", Integer.class),
                rs.getInt("step"), rs.getInt("total_steps"), rs.getInt("epoch"), losses(rs.getString("losses")),
                rs.getString("device"), instant(rs, "created_at"), instant(rs, "started_at"),
                instant(rs, "finished_at"), rs.getString("error"), rs.getBoolean("cancel_requested"));
    }

    static String losses(List<Double> losses) {
        return JobRequest.JSON.writeValueAsString(losses);
    }

    static List<Double> losses(String json) {
        JsonNode n = JobRequest.JSON.readTree(json);
        List<Double> out = new ArrayList<>(n.size());
        for (JsonNode v : n) {
            out.add(v.asDouble());
        }
        return out;
    }

    private static Long micros(Instant t) {
        return t == null ? null : ChronoUnit.MICROS.between(Instant.EPOCH, t);
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : Instant.EPOCH.plus(v, ChronoUnit.MICROS);
    }
}
