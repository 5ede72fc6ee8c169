package io.nabla.jobs;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;

/**
 * The job records, in the {@code training_jobs} table of a relational database (embedded H2 or PostgreSQL; the SQL
 * is the subset both speak), and their losses in {@code training_job_losses}, appended a chunk per checkpoint.
 *
 * <p>Losses are appended, never rewritten: a checkpoint stores the losses of the steps since the previous one as one
 * chunk (the JSON array of {@link #losses(List)}) keyed by its first step, so a job of {@code n} steps writes O(n)
 * bytes in all, not O(n²). A job's losses are, in {@code first_step} order, its record's {@code losses} column (where
 * versions before the chunks kept them all; {@code []} since) with each chunk laid over the list from its first
 * step on, cut at the record's {@code step}. So a run that resumes from an earlier step than the record shows simply
 * writes its next chunk from there, and a chunk written just before a crash, ahead of the record's step, is not read.
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
              model_id VARCHAR(64),
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

    /** The losses, a chunk per checkpoint: those of steps {@code first_step}, {@code first_step + 1}, ... */
    static final String LOSSES_SCHEMA = """
            CREATE TABLE IF NOT EXISTS training_job_losses (
              job_id VARCHAR(64) NOT NULL,
              first_step INTEGER NOT NULL,
              losses TEXT NOT NULL,
              PRIMARY KEY (job_id, first_step)
            )""";

    /**
     * The evaluations on a job's validation dataset, one per finished epoch, written as each is made (so a client sees
     * it at once); a resumed run that makes one again replaces it.
     */
    static final String VALIDATION_SCHEMA = """
            CREATE TABLE IF NOT EXISTS training_job_validation (
              job_id VARCHAR(64) NOT NULL,
              epoch INTEGER NOT NULL,
              step INTEGER NOT NULL,
              loss DOUBLE PRECISION NOT NULL,
              accuracy DOUBLE PRECISION,
              PRIMARY KEY (job_id, epoch)
            )""";

    /** Tables created before jobs recorded their model's id lack the column; their rows read with none. */
    static final String ADD_MODEL_ID = "ALTER TABLE training_jobs ADD COLUMN IF NOT EXISTS model_id VARCHAR(64)";

    private static final String COLUMNS = "id, status, request, model, version, model_id, result_version, step, "
            + "total_steps, epoch, losses, device, created_at, started_at, finished_at, error, cancel_requested";

    private final JdbcClient jdbc;
    private final AtomicLong seq;

    public JobStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
        jdbc.sql(SCHEMA).update();
        jdbc.sql(ADD_MODEL_ID).update();
        jdbc.sql(LOSSES_SCHEMA).update();
        jdbc.sql(VALIDATION_SCHEMA).update();
        this.seq = new AtomicLong(jdbc.sql("SELECT COALESCE(MAX(seq), 0) FROM training_jobs").query(Long.class)
                .single());
    }

    /** Stores a new QUEUED job (its losses, if it has any, in the record itself). */
    public void insert(FineTuneJob job) {
        jdbc.sql("INSERT INTO training_jobs (" + COLUMNS + ", seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                        + "?, ?, ?, ?)")
                .params(job.id(), job.status().name(), job.request(), job.model(), job.version(), job.modelId(),
                        job.resultVersion(), job.step(), job.totalSteps(), job.epoch(), losses(job.losses()),
                        job.device(), micros(job.createdAt()), micros(job.startedAt()), micros(job.finishedAt()),
                        job.error(), job.cancelRequested(), seq.incrementAndGet())
                .update();
    }

    public Optional<FineTuneJob> find(String id) {
        // the record before its chunks: a chunk appended meanwhile lies past the step read, and is cut off
        Optional<FineTuneJob> job = jdbc.sql("SELECT " + COLUMNS + " FROM training_jobs WHERE id = ?").param(id)
                .query(JobStore::row).optional();
        if (job.isEmpty()) {
            return job;
        }
        List<Chunk> chunks = jdbc.sql("SELECT job_id, first_step, losses FROM training_job_losses WHERE job_id = ? "
                + "ORDER BY first_step").param(id).query(JobStore::chunk).list();
        List<ValidationResult> validation = jdbc.sql("SELECT " + VALIDATION_COLUMNS + " FROM training_job_validation "
                + "WHERE job_id = ? ORDER BY epoch").param(id).query(JobStore::validation).list();
        return Optional.of(withChunks(job.get(), chunks).withValidation(validation));
    }

    /**
     * The job's status, step and epoch as a status event (no loss), without reading its losses: what an event stream
     * starts from, which for a long job costs a fraction of {@link #find}.
     */
    public Optional<JobEvent> state(String id) {
        return jdbc.sql("SELECT status, step, epoch FROM training_jobs WHERE id = ?").param(id)
                .query((rs, n) -> new JobEvent(rs.getInt("step"), rs.getInt("epoch"), null,
                        JobStatus.valueOf(rs.getString("status")))).optional();
    }

    /**
     * Which jobs {@link #list(Query)} answers with.
     *
     * @param statuses the statuses a job may have; empty for any
     * @param model the model a job trains, or null for any
     * @param before a job id: only jobs that come after it in the list's order (older ones), or null to start at the
     *     newest
     * @param limit the most jobs answered, or null for all
     */
    public record Query(java.util.Set<JobStatus> statuses, String model, String before, Integer limit) {

        /** Every job. */
        public static final Query ALL = new Query(java.util.Set.of(), null, null, null);

        public Query {
            statuses = java.util.Set.copyOf(statuses);
        }
    }

    /** Every job, newest first (see {@link #list(Query)}). */
    public List<FineTuneJob> list() {
        return list(Query.ALL);
    }

    /**
     * The jobs {@code q} selects, newest first by {@code created_at}, jobs created in the same microsecond by id
     * (descending), so the order is the one a client sees in the fields. Not by insertion order: jobs accepted at the
     * same time are stamped before they are checked and inserted, so they may be inserted in another order than their
     * times. The selection and the limit are applied by the database, and only the selected jobs' losses are read.
     * A {@code before} id that names no job is an {@link IllegalArgumentException}.
     */
    public List<FineTuneJob> list(Query q) {
        StringBuilder where = new StringBuilder(" WHERE 1 = 1");
        Map<String, Object> params = new HashMap<>();
        if (!q.statuses().isEmpty()) {
            where.append(" AND status IN (:statuses)");
            params.put("statuses", q.statuses().stream().map(Enum::name).sorted().toList());
        }
        if (q.model() != null) {
            where.append(" AND model = :model");
            params.put("model", q.model());
        }
        if (q.before() != null) {
            Long created = jdbc.sql("SELECT created_at FROM training_jobs WHERE id = ?").param(q.before())
                    .query(Long.class).optional().orElseThrow(() -> new IllegalArgumentException("before: expected "
                            + "the id of a job, got \"" + clip(q.before()) + "\", which does not exist"));
            where.append(" AND (created_at < :created OR (created_at = :created AND id < :before))");
            params.put("created", created);
            params.put("before", q.before());
        }
        String select = "SELECT " + COLUMNS + " FROM training_jobs" + where + " ORDER BY created_at DESC, id DESC"
                + (q.limit() == null ? "" : " FETCH FIRST " + q.limit() + " ROWS ONLY");
        List<FineTuneJob> jobs = jdbc.sql(select).params(params).query(JobStore::row).list();
        Map<String, List<Chunk>> chunks = new HashMap<>();
        Map<String, List<ValidationResult>> validation = new HashMap<>();
        boolean all = q.equals(Query.ALL);
        List<String> ids = jobs.stream().map(FineTuneJob::id).toList();
        if (!ids.isEmpty()) {
            String of = all ? "" : " WHERE job_id IN (:ids)";
            Map<String, Object> idParams = all ? Map.of() : Map.of("ids", ids);
            jdbc.sql("SELECT job_id, first_step, losses FROM training_job_losses" + of + " ORDER BY job_id, first_step")
                    .params(idParams).query(JobStore::chunk).list()
                    .forEach(c -> chunks.computeIfAbsent(c.jobId(), k -> new ArrayList<>()).add(c));
            jdbc.sql("SELECT job_id, " + VALIDATION_COLUMNS + " FROM training_job_validation" + of
                            + " ORDER BY job_id, epoch").params(idParams)
                    .query((rs, n) -> Map.entry(rs.getString("job_id"), validation(rs, n))).list()
                    .forEach(e -> validation.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue()));
        }
        List<FineTuneJob> out = new ArrayList<>(jobs.size());
        for (FineTuneJob j : jobs) {
            out.add(withChunks(j, chunks.getOrDefault(j.id(), List.of()))
                    .withValidation(validation.getOrDefault(j.id(), List.of())));
        }
        return out;
    }

    private static String clip(String s) {
        return s.length() > 64 ? s.substring(0, 64) + "..." : s;
    }

    /**
     * The ids of the jobs that are not final yet, oldest first. Ids rather than jobs, so that a caller reads each
     * with {@link #find} and one record that cannot be read does not keep it from the others.
     */
    public List<String> unfinishedIds() {
        return jdbc.sql("SELECT id FROM training_jobs WHERE status IN ('QUEUED', 'RUNNING') ORDER BY seq")
                .query(String.class).list();
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

    /**
     * Records the progress of a RUNNING job (at a checkpoint): {@code added} are the losses of steps {@code from},
     * {@code from + 1}, ..., appended as one chunk (replacing what was stored from {@code from} on), then the job is
     * at {@code step}. False, and nothing written, when the job is not RUNNING.
     */
    public boolean progress(String id, int step, int epoch, int from, List<Double> added) {
        appendLosses(id, from, added);
        return jdbc.sql("UPDATE training_jobs SET step = ?, epoch = ? WHERE id = ? AND status = 'RUNNING'")
                .params(step, epoch, id).update() == 1;
    }

    /**
     * Appends the losses of steps {@code from}, {@code from + 1}, ... of a RUNNING job as a chunk, removing the chunks
     * that start at {@code from} or later first (written by a run that went further before it crashed).
     */
    private void appendLosses(String id, int from, List<Double> added) {
        if (from < 0) {
            throw new IllegalArgumentException("losses from step " + from + ": expected a step >= 0");
        }
        jdbc.sql("DELETE FROM training_job_losses WHERE job_id = ? AND first_step >= ? AND EXISTS (SELECT 1 FROM "
                + "training_jobs WHERE id = ? AND status = 'RUNNING')").params(id, from, id).update();
        if (!added.isEmpty()) {
            jdbc.sql("INSERT INTO training_job_losses (job_id, first_step, losses) SELECT id, ?, ? FROM training_jobs "
                    + "WHERE id = ? AND status = 'RUNNING'").params(from, losses(added), id).update();
        }
    }

    /**
     * Records the evaluation after an epoch of a RUNNING job, replacing one stored for that epoch or a later one (by
     * a run that went further before a crash); false, and nothing written, when the job is not RUNNING.
     */
    public boolean validation(String id, ValidationResult v) {
        jdbc.sql("DELETE FROM training_job_validation WHERE job_id = ? AND epoch >= ? AND EXISTS (SELECT 1 FROM "
                + "training_jobs WHERE id = ? AND status = 'RUNNING')").params(id, v.epoch(), id).update();
        return jdbc.sql("INSERT INTO training_job_validation (job_id, " + VALIDATION_COLUMNS + ") SELECT id, ?, ?, ?, ? "
                        + "FROM training_jobs WHERE id = ? AND status = 'RUNNING'")
                .params(v.epoch(), v.step(), v.loss(), v.accuracy(), id).update() == 1;
    }

    private static final String VALIDATION_COLUMNS = "epoch, step, loss, accuracy";

    private static ValidationResult validation(ResultSet rs, int n) throws SQLException {
        return new ValidationResult(rs.getInt("epoch"), rs.getInt("step"), rs.getDouble("loss"),
                (Double) rs.getObject("accuracy", Double.class));
    }

    /**
     * Records the id of the model a job trains, for a job accepted before jobs recorded it (when it starts); false
     * when the job has one already, which is never replaced.
     */
    public boolean recordModelId(String id, String modelId) {
        return jdbc.sql("UPDATE training_jobs SET model_id = ? WHERE id = ? AND model_id IS NULL")
                .params(modelId, id).update() == 1;
    }

    /**
     * RUNNING -> a final state with the job's last progress: the losses of steps {@code from}, {@code from + 1}, ...
     * not stored yet are appended as in {@link #progress}; false, and nothing written, when it was not RUNNING.
     */
    public boolean finish(String id, JobStatus to, Integer resultVersion, int step, int epoch, int from,
            List<Double> added, String error, Instant now) {
        if (!to.isFinal()) {
            throw new IllegalArgumentException("finish: expected a final state, got " + to);
        }
        appendLosses(id, from, added);
        return jdbc.sql("UPDATE training_jobs SET status = ?, result_version = ?, step = ?, epoch = ?, "
                        + "error = ?, finished_at = ? WHERE id = ? AND status = 'RUNNING'")
                .params(to.name(), resultVersion, step, epoch, error, micros(now), id).update() == 1;
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

    /**
     * QUEUED or RUNNING -> FAILED for a job whose record cannot be read (its losses are not valid JSON): the job
     * cannot resume without them, and replacing them by an empty list keeps it readable, so it can be listed and
     * shows {@code error} instead of breaking every answer that includes it. False when it is final already.
     */
    public boolean failUnreadable(String id, String error, Instant now) {
        jdbc.sql("DELETE FROM training_job_losses WHERE job_id = ? AND EXISTS (SELECT 1 FROM training_jobs WHERE id = ? "
                + "AND status IN ('QUEUED', 'RUNNING'))").params(id, id).update();
        return jdbc.sql("UPDATE training_jobs SET status = 'FAILED', losses = '[]', error = ?, finished_at = ? WHERE "
                        + "id = ? AND status IN ('QUEUED', 'RUNNING')")
                .params(error, micros(now), id).update() == 1;
    }

    /** Remembers that a QUEUED or RUNNING job is to be cancelled; false when it is final already. */
    public boolean requestCancel(String id) {
        return jdbc.sql("UPDATE training_jobs SET cancel_requested = TRUE WHERE id = ? AND status IN ('QUEUED', "
                        + "'RUNNING')").param(id).update() == 1;
    }

    private static FineTuneJob row(ResultSet rs, int n) throws SQLException {
        return new FineTuneJob(rs.getString("id"), JobStatus.valueOf(rs.getString("status")), rs.getString("request"),
                rs.getString("model"), rs.getInt("version"), rs.getString("model_id"),
                (Integer) rs.getObject("result_version", Integer.class),
                rs.getInt("step"), rs.getInt("total_steps"), rs.getInt("epoch"), losses(rs.getString("losses")),
                rs.getString("device"), instant(rs, "created_at"), instant(rs, "started_at"),
                instant(rs, "finished_at"), rs.getString("error"), rs.getBoolean("cancel_requested"));
    }

    /** One row of {@code training_job_losses}, its losses still as text. */
    private record Chunk(String jobId, int firstStep, String losses) { }

    private static Chunk chunk(ResultSet rs, int n) throws SQLException {
        return new Chunk(rs.getString("job_id"), rs.getInt("first_step"), rs.getString("losses"));
    }

    /**
     * {@code job} (its record's own losses) with its chunks laid over them in order, each from its first step on, cut
     * at the job's step. A chunk that starts past the end of what precedes it leaves steps without a loss: the record
     * cannot be read.
     */
    private static FineTuneJob withChunks(FineTuneJob job, List<Chunk> chunks) {
        if (chunks.isEmpty() && job.losses().size() <= job.step()) {
            return job;
        }
        List<Double> all = new ArrayList<>(job.losses());
        for (Chunk c : chunks) {
            if (c.firstStep() >= job.step()) {
                break; // written ahead of the record's step (a crash between the two writes), or by a later run
            }
            if (c.firstStep() > all.size()) {
                throw new IllegalStateException("stored losses: the chunk from step " + c.firstStep() + " follows "
                        + "the losses of " + all.size() + " steps; those of steps " + all.size() + " to "
                        + (c.firstStep() - 1) + " are missing");
            }
            all.subList(c.firstStep(), all.size()).clear();
            List<Double> chunk;
            try {
                chunk = losses(c.losses());
            } catch (IllegalStateException e) {
                throw new IllegalStateException("stored losses from step " + c.firstStep() + ": " + e.getMessage(), e);
            }
            all.addAll(chunk);
        }
        if (all.size() > job.step()) {
            all.subList(job.step(), all.size()).clear();
        }
        return job.withLosses(all);
    }

    /**
     * Losses as JSON text. JSON has no NaN or infinities, yet a diverging run produces them (PyTorch keeps training
     * through them), so a non-finite loss is stored as the string {@code "NaN"}, {@code "Infinity"} or
     * {@code "-Infinity"}, the form the API answers with too; {@link #losses(String)} reads every value back exactly.
     */
    static String losses(List<Double> losses) {
        ArrayNode out = JobRequest.STORED.createArrayNode();
        for (double v : losses) {
            if (Double.isFinite(v)) {
                out.add(v);
            } else {
                out.add(Double.toString(v));
            }
        }
        return JobRequest.STORED.writeValueAsString(out);
    }

    /**
     * The losses written by {@link #losses(List)}. Earlier versions wrote non-finite losses the same way but could
     * not read them back, so their records read correctly now; bare {@code NaN} tokens are accepted too.
     */
    static List<Double> losses(String json) {
        JsonNode n;
        try {
            n = JobRequest.STORED.readTree(json);
        } catch (JacksonException e) {
            throw new IllegalStateException("stored losses: expected a JSON array of numbers, got the text \""
                    + (json.length() > 80 ? json.substring(0, 80) + "..." : json) + "\", which is not valid JSON");
        }
        if (n == null || !n.isArray()) {
            throw new IllegalStateException("stored losses: expected a JSON array of numbers, got "
                    + (n == null ? "nothing" : n.getNodeType()));
        }
        List<Double> out = new ArrayList<>(n.size());
        for (JsonNode v : n) {
            out.add(loss(v, out.size()));
        }
        return out;
    }

    private static double loss(JsonNode v, int index) {
        if (v.isNumber()) {
            return v.doubleValue();
        }
        if (v.isString()) {
            switch (v.stringValue()) {
                case "NaN":
                    return Double.NaN;
                case "Infinity":
                    return Double.POSITIVE_INFINITY;
                case "-Infinity":
                    return Double.NEGATIVE_INFINITY;
                default:
                    break;
            }
        }
        throw new IllegalStateException("stored losses[" + index + "]: expected a number, \"NaN\", \"Infinity\" "
                + "or \"-Infinity\", got " + v);
    }

    private static Long micros(Instant t) {
        return t == null ? null : ChronoUnit.MICROS.between(Instant.EPOCH, t);
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : Instant.EPOCH.plus(v, ChronoUnit.MICROS);
    }
}
