package io.nabla.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.nabla.process.ServerProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * SIGTERM while clients are sending inference requests that wait in a model's batch queue (a long queue delay and
 * batches that never fill keep each one in flight for {@link #QUEUE_DELAY_MS} ms) and a fine-tuning job is running:
 * every request sent before the signal gets 200, readiness answers 503 ("draining") before the server stops
 * accepting, the job is checkpointed at a step boundary, and the process exits within the drain delay plus the
 * shutdown phase timeouts. Restarted on the same store, the job resumes from that checkpoint and succeeds.
 */
class GracefulShutdownIT {

    private static final int CLIENTS = 6;
    private static final int QUEUE_DELAY_MS = 400;
    private static final Duration DRAIN = Duration.ofSeconds(3);
    private static final Duration PHASE = Duration.ofSeconds(20);
    private static final String SPEC = """
            {"inputs": [{"name": "input", "datatype": "FP32", "shape": [-1, 64]}],
             "outputs": [{"name": "output", "datatype": "FP32", "shape": [-1, 64]}],
             "layers": [{"type": "Linear", "in_features": 64, "out_features": 256}, {"type": "ReLU"},
                        {"type": "Linear", "in_features": 256, "out_features": 64}],
             "seed": 3}""";

    /** One request: when it was sent and answered (System.nanoTime), and its status (-1: no answer). */
    record Outcome(long sent, long done, int status, String detail) {
    }

    /** One readiness poll. */
    record Poll(long at, int status, String body) {
    }

    @Test
    void inFlightRequestsFinishReadinessDropsFirstAndTheProcessExits(@TempDir Path dir) throws Exception {
        try (ServerProcess server = ServerProcess.start(dir.resolve("store"), dir.resolve("server.log"),
                "--nabla.shutdown.drain-delay=" + DRAIN.toSeconds() + "s",
                "--spring.lifecycle.timeout-per-shutdown-phase=" + PHASE.toSeconds() + "s",
                "--nabla.batching.queue-delay=" + QUEUE_DELAY_MS + "ms",
                "--nabla.batching.max-batch-size=64", "--nabla.jobs.step-delay=40ms")) {
            Http http = new Http(server.port());
            Http.Reply created = http.createModel("slow", SPEC, null);
            assertThat(created.status()).as(created.text()).isEqualTo(201);
            String body = request();
            Http.Reply warm = http.postJson("/v2/models/slow/infer", body);
            assertThat(warm.status()).as(warm.text()).isEqualTo(200);

            String dataset = JobFixtures.prepare(http, "mlp_sgd", "tuned");
            ObjectNode jobRequest = JobFixtures.request("mlp_sgd", "tuned", dataset);
            jobRequest.put("epochs", 60); // 6 steps an epoch at 40 ms each: still running when SIGTERM comes
            String job = JobFixtures.submit(http, jobRequest);
            JobFixtures.awaitStep(http, job, 3);

            Queue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
            Queue<Poll> polls = new ConcurrentLinkedQueue<>();
            AtomicInteger outstanding = new AtomicInteger();
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                threads.add(daemon(() -> client(server, body, outcomes, outstanding)));
            }
            threads.add(daemon(() -> poll(server, polls)));

            long steady = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while ((outcomes.size() < 2 * CLIENTS || outstanding.get() < CLIENTS) && System.nanoTime() < steady) {
                Thread.sleep(5);
            }
            long sigterm = System.nanoTime();
            server.sigterm();
            int code = server.awaitExit(DRAIN.plus(PHASE.multipliedBy(2)).plusSeconds(10));
            long exit = System.nanoTime();
            for (Thread t : threads) {
                t.join(Duration.ofSeconds(70).toMillis());
            }
            String log = server.log();
            String timeline = timeline(sigterm, exit, outcomes, polls);

            assertThat(code).as("exit code after SIGTERM\n" + log).isIn(0, 143);
            List<Outcome> inFlight = outcomes.stream().filter(o -> o.sent() < sigterm).toList();
            assertThat(inFlight.stream().filter(o -> o.done() > sigterm).count())
                    .as("requests still waiting when SIGTERM came").isPositive();
            assertThat(inFlight.stream().filter(o -> o.status() != 200).toList())
                    .as("requests sent before SIGTERM that did not get 200\n" + timeline + log).isEmpty();

            long firstDraining = polls.stream().filter(p -> p.at() > sigterm && p.status() == 503
                    && p.body().contains("draining")).mapToLong(Poll::at).min().orElse(Long.MAX_VALUE);
            assertThat(firstDraining).as("a 503 'draining' readiness answer before the exit\n" + timeline)
                    .isLessThan(exit);
            long firstRefused = outcomes.stream().filter(o -> o.status() != 200).mapToLong(Outcome::done).min()
                    .orElse(Long.MAX_VALUE);
            assertThat(firstDraining).as("readiness turned 503 before any request was refused\n" + timeline)
                    .isLessThan(firstRefused);
            List<Outcome> duringDrain = outcomes.stream()
                    .filter(o -> o.sent() > sigterm && o.sent() < firstDraining + DRAIN.toNanos() / 2).toList();
            assertThat(duringDrain).as("requests sent in the first half of the drain delay are all served\n" + timeline)
                    .isNotEmpty().allMatch(o -> o.status() == 200);

            Matcher stopped = Pattern.compile("job " + job + " stopped for shutdown at step (\\d+)").matcher(log);
            assertThat(stopped.find()).as("the running job checkpointed on SIGTERM\n" + log).isTrue();
            assertThat(dir.resolve("store/jobs/checkpoints/" + job + "/checkpoint.safetensors")).exists();
        }
        try (ServerProcess again = ServerProcess.start(dir.resolve("store"), dir.resolve("server2.log"))) {
            Http http = new Http(again.port());
            JsonNode done = JobFixtures.awaitFinal(http, job(again, http));
            assertThat(done.get("status").stringValue()).as(done.toString()).isEqualTo("SUCCEEDED");
            assertThat(done.get("losses").size()).isEqualTo(done.get("total_steps").intValue());
            assertThat(again.log()).as("resumed from the checkpoint, not from the start").containsPattern(
                    "job \\S+ resumes from its checkpoint at step [1-9]");
        }
    }

    /** The one job the restarted server knows. */
    private static String job(ServerProcess server, Http http) {
        JsonNode jobs = http.get("/v1/jobs").json();
        assertThat(jobs.size()).as(jobs.toString()).isEqualTo(1);
        return jobs.get(0).get("id").stringValue();
    }

    /** What happened after SIGTERM, in milliseconds from it, for assertion messages. */
    private static String timeline(long sigterm, long exit, Queue<Outcome> outcomes, Queue<Poll> polls) {
        StringBuilder b = new StringBuilder("after SIGTERM (ms): exit at " + (exit - sigterm) / 1_000_000 + "\n");
        outcomes.stream().filter(o -> o.done() > sigterm).limit(60).forEach(o -> b.append("  request sent ")
                .append((o.sent() - sigterm) / 1_000_000).append(" answered ").append((o.done() - sigterm) / 1_000_000)
                .append(": ").append(o.status()).append(' ').append(o.detail()).append('\n'));
        polls.stream().filter(p -> p.at() > sigterm).limit(20).forEach(p -> b.append("  ready ")
                .append((p.at() - sigterm) / 1_000_000).append(": ").append(p.status()).append(' ').append(p.body())
                .append('\n'));
        return b.toString();
    }

    private static String request() {
        StringBuilder data = new StringBuilder();
        for (int i = 0; i < 64; i++) {
            data.append(i == 0 ? "" : ", ").append(i / 64.0);
        }
        return "{\"inputs\": [{\"name\": \"input\", \"shape\": [1, 64], \"datatype\": \"FP32\", \"data\": [" + data
                + "]}]}";
    }

    /** Sends requests one after another until the server is gone. */
    private static void client(ServerProcess server, String body, Queue<Outcome> outcomes, AtomicInteger outstanding) {
        Http http = new Http(server.port());
        while (server.isAlive()) {
            long sent = System.nanoTime();
            outstanding.incrementAndGet();
            Outcome o;
            try {
                Http.Reply r = http.postJson("/v2/models/slow/infer", body);
                o = new Outcome(sent, System.nanoTime(), r.status(), r.status() == 200 ? "" : r.text());
            } catch (RuntimeException e) {
                o = new Outcome(sent, System.nanoTime(), -1, e.toString());
            }
            outstanding.decrementAndGet();
            outcomes.add(o);
            if (o.status() != 200) {
                pause(20);
            }
        }
    }

    private static void poll(ServerProcess server, Queue<Poll> polls) {
        Http http = new Http(server.port());
        while (server.isAlive()) {
            try {
                Http.Reply r = http.get("/v2/health/ready");
                polls.add(new Poll(System.nanoTime(), r.status(), r.text()));
            } catch (RuntimeException e) {
                polls.add(new Poll(System.nanoTime(), -1, e.toString()));
            }
            pause(25);
        }
    }

    private static Thread daemon(Runnable body) {
        Thread t = new Thread(body, "shutdown-it-client");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
