package io.nabla.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.nabla.config.NablaProperties;
import io.nabla.inference.InferenceMetrics;
import io.nabla.inference.ModelRegistry;
import io.nabla.inference.ModelStore;
import io.nabla.inference.SequentialModelLoader;
import io.nabla.model.SafetensorsFile;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The job request's extensions {@code lr_scheduler}, {@code clip_grad_norm} and {@code freeze} reproduce PyTorch
 * 1.13 runs that use them ({@code training/job_extensions.json}, written by {@code gen_job_extensions.py}): every
 * loss, the final weights and running statistics, and frozen parameters unchanged to the bit; and a run stopped
 * after any step resumes to exactly the result of an unbroken one (the schedule's state follows from the steps).
 */
class JobExtensionsTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path root;

    private ModelRegistry registry;

    @AfterEach
    void close() {
        if (registry != null) {
            registry.close();
        }
    }

    private static byte[] resource(String name) {
        try (InputStream in = JobExtensionsTest.class.getResourceAsStream("/training/" + name)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static JsonNode fixture() {
        return JSON.readTree(new String(resource("job_extensions.json"), StandardCharsets.UTF_8));
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (JsonNode c : fixture().get("cases")) {
            out.add(Arguments.of(c.get("name").stringValue()));
        }
        return out.stream();
    }

    private static JsonNode caseNamed(String name) {
        for (JsonNode c : fixture().get("cases")) {
            if (c.get("name").stringValue().equals(name)) {
                return c;
            }
        }
        throw new IllegalArgumentException(name);
    }

    /** The request of case {@code c}: its fields as the fixture holds them, with the test's dataset. */
    private static String request(JsonNode c, String dataset, int checkpointEvery) {
        ObjectNode r = JSON.createObjectNode();
        r.put("model", "m");
        r.put("version", "1");
        r.put("dataset", dataset);
        r.put("loss", c.has("loss") ? c.get("loss").stringValue() : "cross_entropy");
        for (String f : List.of("optimizer", "lr_scheduler", "clip_grad_norm", "freeze", "epochs", "batch_size",
                "shuffle", "seed", "early_stopping", "accumulate_grad_batches", "loss_options", "target", "input")) {
            if (c.has(f)) {
                r.set(f, c.get(f));
            }
        }
        r.put("checkpoint_every_steps", checkpointEvery);
        if (c.has("validation")) {
            ObjectNode v = ((ObjectNode) c.get("validation")).deepCopy();
            if (!v.has("split")) {
                v.put("dataset", validationSet);
            }
            r.set("validation", v);
        }
        return JobRequest.parse(r.toString(), 64).toJson();
    }

    /** The id of the validation dataset (set by {@link #setUp}). */
    private static String validationSet;

    private String setUp() {
        return setUp(null);
    }

    /** Model "m" (the recurrent one for a case with {@code "spec": "rnn"}), the datasets; the training set's id. */
    private String setUp(JsonNode c) {
        boolean rnn = c != null && c.path("spec").asString("").equals("rnn");
        registry = new ModelRegistry(new ModelStore(root.resolve("store")), new SequentialModelLoader(),
                new NablaProperties.Batching(1, Duration.ZERO, 4), new InferenceMetrics(new SimpleMeterRegistry()));
        registry.create("m", fixture().get(rnn ? "rnn_spec" : "spec").toString().getBytes(StandardCharsets.UTF_8),
                new ByteArrayInputStream(resource(rnn ? "job_extensions_rnn_model.safetensors"
                        : "job_extensions_model.safetensors")));
        validationSet = datasets().create(new ByteArrayInputStream(resource("job_extensions_validation.safetensors")))
                .id();
        return datasets().create(new ByteArrayInputStream(resource("job_extensions_data.safetensors"))).id();
    }

    private DatasetStore datasets() {
        return new DatasetStore(root.resolve("store"));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void aJobWithTheExtensionsReproducesPyTorch(String name) throws IOException {
        JsonNode c = caseNamed(name);
        String dataset = setUp(c);
        JobStore store = new JobStore(JdbcClient.create(Databases.h2()));
        JobEvents events = new JobEvents();
        List<JobEvent> progress = new ArrayList<>(); // published on this thread: run() runs here
        events.subscribe("a", e -> {
            if (e.loss() != null) {
                progress.add(e);
            }
        });
        JobRun run = new JobRun(JobRunResumeTest.claimed(store, "a", request(c, dataset, 5), totalSteps(c)), registry,
                datasets(), new CheckpointFiles(root.resolve("checkpoints"), Duration.ZERO), store, events,
                Duration.ZERO);
        assertThat(run.run()).isEqualTo(JobRun.Outcome.SUCCEEDED);
        assertReproduces(c, run, registry, store);
        assertRates(c, progress);
    }

    /**
     * Each progress event's rate (and with {@code param_groups}, every group's) is the one PyTorch's optimizer had
     * for that step: the rate after the step before it ({@code lrs}, {@code group_lrs}).
     */
    private static void assertRates(JsonNode c, List<JobEvent> progress) {
        JsonNode lrs = c.get("lrs");
        assertThat(progress).hasSize(lrs.size());
        for (int i = 1; i < progress.size(); i++) {
            JobEvent e = progress.get(i);
            assertThat(e.lr()).as("the rate of step %d", i).isCloseTo(lrs.get(i - 1).doubleValue(),
                    org.assertj.core.data.Offset.offset(1e-15));
            if (!c.has("group_lrs")) {
                assertThat(e.lrs()).isNull();
                continue;
            }
            JsonNode expected = c.get("group_lrs").get(i - 1);
            assertThat(e.lrs()).as("the groups' rates of step %d", i).hasSize(expected.size());
            for (int g = 0; g < expected.size(); g++) {
                assertThat(e.lrs().get(g)).as("group %d's rate of step %d", g, i)
                        .isCloseTo(expected.get(g).doubleValue(), org.assertj.core.data.Offset.offset(1e-15));
            }
        }
    }

    /**
     * The run of case {@code c} (job "a" of {@code store}, model "m" of {@code registry}) took PyTorch's steps: every
     * loss, the final state, frozen parameters unchanged, its early stopping and evaluations.
     */
    private static void assertReproduces(JsonNode c, JobRun run, ModelRegistry registry, JobStore store) throws IOException {
        int steps = c.get("losses").size();
        List<Double> losses = run.losses();
        assertThat(losses).hasSize(steps);
        for (int i = 0; i < steps; i++) {
            double e = c.get("losses").get(i).doubleValue();
            assertThat(Math.abs(losses.get(i) - e)).as("loss %d: %s vs PyTorch %s", i, losses.get(i), e)
                    .isLessThanOrEqualTo(1e-6 + 1e-4 * Math.abs(e));
        }
        List<String> frozenNames = new ArrayList<>();
        try (TensorScope scope = TensorScope.open();
             SafetensorsFile result = SafetensorsFile.open(registry.store().version("m", run.resultVersion())
                     .weights());
             SafetensorsFile initial = SafetensorsFile.open(registry.store().version("m", 1).weights())) {
            Map<String, Tensor> got = result.tensors();
            for (Map.Entry<String, JsonNode> e : c.get("final").properties()) {
                double[] a = got.get(e.getKey()).toDoubleArray();
                JsonNode exp = e.getValue().get("data");
                assertThat(a).as(e.getKey()).hasSize(exp.size());
                for (int i = 0; i < a.length; i++) {
                    assertThat(Math.abs(a[i] - exp.get(i).doubleValue())).as("%s[%d]", e.getKey(), i)
                            .isLessThanOrEqualTo(1e-5 + 1e-4 * Math.abs(exp.get(i).doubleValue()));
                }
            }
            List<String> freeze = new ArrayList<>();
            if (c.has("freeze")) {
                c.get("freeze").forEach(f -> freeze.add(f.stringValue()));
            }
            frozenNames.addAll(freeze.isEmpty() ? List.of() : ParameterSelection.frozen(freeze,
                    ParameterSelection.parameterNames(initial.names())));
            for (String f : frozenNames) {
                assertThat(got.get(f).toFloatArray()).as("frozen %s", f)
                        .isEqualTo(initial.tensor(f).toFloatArray());
            }
            if (frozenNames.contains("1.weight")) {
                assertThat(got.get("1.running_mean").toFloatArray()).as("a frozen BatchNorm's statistics update")
                        .isNotEqualTo(initial.tensor("1.running_mean").toFloatArray());
            }
        }
        assertThat(frozenNames.isEmpty()).isEqualTo(!c.has("freeze"));
        assertThat(run.step()).as("steps taken").isEqualTo(steps);
        FineTuneJob record = store.find("a").orElseThrow();
        if (c.has("early_stopping")) {
            JsonNode e = c.get("early_stopping_result");
            EarlyStopping.State state = record.earlyStopping();
            assertThat(state.bestEpoch()).isEqualTo(e.get("best_epoch").intValue());
            assertThat(state.sinceBest()).isEqualTo(e.get("epochs_since_best").intValue());
            assertThat(state.stop()).isEqualTo(e.get("stopped_early").booleanValue());
            assertThat(steps).as("stopped before its last epoch").isLessThan(totalSteps(c));
        } else {
            assertThat(record.earlyStopping()).isNull();
        }
        List<ValidationResult> validation = record.validation();
        if (!c.has("validation")) {
            assertThat(validation).isEmpty();
            return;
        }
        JsonNode expected = c.get("validation_results");
        assertThat(validation).hasSize(expected.size());
        for (int i = 0; i < expected.size(); i++) {
            JsonNode e = expected.get(i);
            ValidationResult v = validation.get(i);
            assertThat(v.epoch()).isEqualTo(e.get("epoch").intValue());
            assertThat(v.step()).isEqualTo(e.get("step").intValue());
            assertThat(Math.abs(v.loss() - e.get("loss").doubleValue())).as("validation loss after epoch %d: %s vs "
                    + "PyTorch %s", i, v.loss(), e.get("loss")).isLessThanOrEqualTo(1e-6 + 1e-5 * v.loss());
            assertThat(v.accuracy()).as("accuracy after epoch %d", i).isEqualTo(e.get("accuracy").doubleValue());
        }
    }

    /** The steps of all the case's epochs (36 samples): more than it takes when it stops early. */
    private static int totalSteps(JsonNode c) {
        double split = c.path("validation").path("split").asDouble(0);
        int rows = split == 0 ? 36 : (int) Math.round(36 * (1 - split));
        int batches = (rows + c.get("batch_size").intValue() - 1) / c.get("batch_size").intValue();
        int k = c.path("accumulate_grad_batches").asInt(1);
        return c.get("epochs").intValue() * ((batches + k - 1) / k);
    }

    /**
     * Without {@code restore_best_weights} an early-stopped job publishes its last state (the one its final
     * checkpoint holds), not its best epoch's.
     */
    @Test
    void withoutRestoringTheBestWeightsTheLastStateIsPublished() throws IOException {
        JsonNode c = ((ObjectNode) caseNamed("sgd_early_stopping_restores_best")).deepCopy();
        ((ObjectNode) c.get("early_stopping")).put("restore_best_weights", false);
        String dataset = setUp();
        JobStore store = new JobStore(JdbcClient.create(Databases.h2()));
        CheckpointFiles checkpoints = new CheckpointFiles(root.resolve("checkpoints"), Duration.ZERO);
        JobRun run = new JobRun(JobRunResumeTest.claimed(store, "a", request(c, dataset, 100), totalSteps(c)),
                registry, datasets(), checkpoints, store, new JobEvents(), Duration.ZERO);
        assertThat(run.run()).isEqualTo(JobRun.Outcome.SUCCEEDED);
        assertThat(run.step()).isEqualTo(c.get("losses").size());
        try (TensorScope scope = TensorScope.open();
             SafetensorsFile result = SafetensorsFile.open(registry.store().version("m", run.resultVersion())
                     .weights())) {
            Checkpoint last = checkpoints.read("a").orElseThrow();
            assertThat(last.step()).isEqualTo(run.step());
            assertThat(last.best()).as("nothing kept").isEmpty();
            for (Map.Entry<String, Tensor> e : last.model().entrySet()) {
                assertThat(result.tensor(e.getKey()).toDoubleArray()).as(e.getKey())
                        .containsExactly(e.getValue().toDoubleArray());
            }
            double[] best = new double[c.get("final").get("4.weight").get("data").size()];
            for (int i = 0; i < best.length; i++) {
                best[i] = c.get("final").get("4.weight").get("data").get(i).doubleValue();
            }
            assertThat(result.tensor("4.weight").toDoubleArray()).as("not the best epoch's").isNotEqualTo(best);
        }
    }

    /** Cases whose schedule advances per epoch and per step, stopped after every step of the first 8. */
    static Stream<Arguments> stops() {
        return Stream.concat(Stream.of("sgd_steplr_epoch_clip_freeze_first",
                        "adamw_warmup_cosine_step_clip_inf_freeze_weight")
                .flatMap(n -> IntStream.of(1, 2, 3, 4, 5, 6).mapToObj(s -> Arguments.of(n, s))),
                // early stopping: before its best epoch, after it (best weights checkpointed), and at the stop itself
                Stream.concat(IntStream.of(12, 22, 27, 29).mapToObj(s -> Arguments.of("sgd_early_stopping_restores_best",
                        s)), Stream.concat(IntStream.of(1, 2, 3, 4).mapToObj(s -> Arguments.of(
                        "adamw_accumulate_4_step_schedule_clip", s)), Stream.concat(IntStream.of(7, 12, 16).mapToObj(s ->
                        Arguments.of("sgd_reduce_lr_on_plateau", s)), Stream.concat(IntStream.of(3, 6).mapToObj(s ->
                        Arguments.of("adamw_param_groups_cosine_eta_min_step_no_weight_decay", s)),
                        Stream.concat(IntStream.of(5, 11).mapToObj(s -> Arguments.of(
                        "sgd_param_groups_plateau_frozen_member", s)), Stream.of(Arguments.of(
                        "adamw_onecycle_step_max_lr_per_group", 4), Arguments.of("adamw_onecycle_step_max_lr_per_group",
                        9), Arguments.of("sgd_cyclic_triangular2_step", 7), Arguments.of(
                        "sgd_warm_restarts_epoch", 7), Arguments.of("rmsprop_centered_momentum_weight_decay", 6),
                        Arguments.of("adagrad_lr_decay_initial_accumulator", 8),
                        Arguments.of("rmsprop_onecycle_cycles_momentum", 5),
                        Arguments.of("lstm_adamw_dropout_clip_validation", 6))))))));
    }

    @ParameterizedTest
    @MethodSource("stops")
    void aRunStoppedAfterAnyStepResumesWithItsSchedule(String name, int stopAfter) throws IOException {
        JsonNode c = caseNamed(name);
        String dataset = setUp(c);
        JobStore store = new JobStore(JdbcClient.create(Databases.h2()));
        CheckpointFiles checkpoints = new CheckpointFiles(root.resolve("checkpoints"), Duration.ZERO);
        JobEvents events = new JobEvents();
        int steps = totalSteps(c);
        String request = request(c, dataset, 4);
        JobRun unbroken = new JobRun(JobRunResumeTest.claimed(store, "a", request, steps), registry, datasets(),
                checkpoints, store, events, Duration.ZERO);
        assertThat(unbroken.run()).isEqualTo(JobRun.Outcome.SUCCEEDED);

        JobRun first = new JobRun(JobRunResumeTest.claimed(store, "b", request, steps), registry, datasets(),
                checkpoints, store, events, Duration.ZERO);
        events.subscribe("b", e -> {
            if (e.step() == stopAfter) {
                first.stop();
            }
        });
        assertThat(first.run()).isEqualTo(JobRun.Outcome.STOPPED);
        JobRun resumed = new JobRun(store.find("b").orElseThrow(), registry, datasets(), checkpoints, store, events,
                Duration.ZERO);
        assertThat(resumed.run()).isEqualTo(JobRun.Outcome.SUCCEEDED);
        assertThat(resumed.losses()).containsExactlyElementsOf(unbroken.losses());
        assertThat(store.find("b").orElseThrow().validation()).as("evaluations after a stop at step %d", stopAfter)
                .isEqualTo(store.find("a").orElseThrow().validation());
        assertThat(Files.readAllBytes(registry.store().version("m", resumed.resultVersion()).weights()))
                .as("weights after a stop at step %d", stopAfter)
                .isEqualTo(Files.readAllBytes(registry.store().version("m", unbroken.resultVersion()).weights()));
    }

    /**
     * Admission tells parameters from buffers by the name in the weights file (it reads no tensor): every layer type
     * with state (the init fixtures) has exactly those buffers, so the rule holds for every model a job can train.
     */
    @ParameterizedTest
    @MethodSource("io.nabla.model.LayerForwardTest#fixtures")
    void admissionTellsParametersFromBuffersAsTheBuiltModelDoes(String name) {
        JsonNode root = JSON.readTree(new String(resource("../init/" + name + ".json"), StandardCharsets.UTF_8));
        try (TensorScope scope = TensorScope.open()) {
            io.nabla.nn.Sequential model = io.nabla.model.ModelBuilder.build(io.nabla.model.ModelSpec.parse(
                    root.get("spec")));
            assertThat(ParameterSelection.parameterNames(model.stateDict().keySet())).as(name)
                    .containsExactlyElementsOf(model.namedParameters().keySet());
        }
    }

    /** Admission checks the freeze list against the model's parameters (its buffers are not parameters). */
    @Test
    void admissionRefusesAFreezeEntryThatNamesNoParameter() {
        List<String> names = ParameterSelection.parameterNames(List.of("0.weight", "0.bias", "1.weight", "1.bias",
                "1.running_mean", "1.running_var", "1.num_batches_tracked", "4.weight", "4.bias"));
        assertThat(names).containsExactly("0.weight", "0.bias", "1.weight", "1.bias", "4.weight", "4.bias");
        assertThat(ParameterSelection.frozen(List.of("4", "0.bias"), names)).containsExactly("0.bias", "4.weight",
                "4.bias");
        assertThatThrownBy(() -> ParameterSelection.frozen(List.of("0", "1.running_mean"), names))
                .hasMessage("freeze[1]: expected the name of a parameter of the model, of a module holding some, or a "
                        + "pattern such as \"*.bias\" matching some; names are such as \"0\", \"0.weight\", \"0.bias\", "
                        + "\"1\", got \"1.running_mean\", which names none");
        assertThat(ParameterSelection.select("x", List.of("*.bias", "1.*"), names)).containsExactly("0.bias",
                "1.weight", "1.bias", "4.bias");
        assertThat(ParameterSelection.select("x", List.of("*eight"), names)).containsExactly("0.weight", "1.weight",
                "4.weight");
        assertThatThrownBy(() -> ParameterSelection.select("optimizer.no_weight_decay", List.of("*.gamma"), names))
                .hasMessageStartingWith("optimizer.no_weight_decay[0]: expected the name of a parameter");
        assertThatThrownBy(() -> ParameterSelection.frozen(List.of("0."), names))
                .hasMessageStartingWith("freeze[0]: expected the name of a parameter");
        assertThatThrownBy(() -> ParameterSelection.frozen(List.of("0", "1", "4"), names))
                .hasMessage("freeze: expected at least one parameter left to train, got all 6 frozen");
    }
}
