package io.nabla.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nabla.optim.Sgd;
import io.nabla.web.NoInternals;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A job body is strict JSON, refused in the API's words (what, where, expected) and never in Jackson's: no parser
 * feature to enable, no limit accessor, no node type name.
 */
class JobRequestTest {

    private static final String VALID = "{\"model\":\"m\",\"dataset\":\"d\",\"loss\":\"mse\",\"epochs\":1,"
            + "\"batch_size\":4,\"optimizer\":{\"type\":\"sgd\",\"lr\":0.1%s}%s}";

    private static String body(String optimizer, String top) {
        return String.format(VALID, optimizer, top);
    }

    private static Arguments a(String body, String... fragments) {
        return Arguments.of(body, (Object) fragments);
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
            a(body(",\"momentum\":NaN", ""), "the request body: malformed JSON at optimizer.momentum"
                    + " (line 1, column 116): NaN is not a JSON number (NaN and Infinity are not accepted)"),
            a(body(",\"momentum\":-Infinity", ""), "at optimizer.momentum",
                    "-Infinity is not a JSON number"),
            a(body(",\"momentum\":Infinity", ""), "Infinity is not a JSON number"),
            a(body(",\"betas\":[NaN,0.9]", ""), "at optimizer.betas[0]", "NaN is not a JSON number"),
            a(body("", ",\"lr\":+1").replace("\"lr\":0.1", "\"lr\":+1"), "at optimizer.lr",
                    "a JSON number may not start with '+'"),
            a(body("", ",\"seed\":1" + "1".repeat(2000)), "at seed (line 1, column",
                    "a number is longer than 1000 characters"),
            a(body("", ",\"" + "k".repeat(60_000) + "\":1"), "the request body: malformed JSON at line 1,",
                    "a field name is longer than 50000 characters"),
            a(body("", "") + body("", ""), "a second JSON value (an object) after the first one"),
            a(body("", "") + " 5", "a second JSON value (a number) after the first one"),
            a(body("", ",\"x\":1 /* c */"), "comments are not allowed in JSON"),
            a(body(",\"momentum\":0x10", ""), "unexpected character 'x'; expected ',' or '}'"),
            a("   ", "the request body: expected a JSON object, got an empty body"),
            a("", "the request body: expected a JSON object, got an empty body"),
            a("[1]", "the request body: expected a JSON object, got an array"),
            a("\"x\"", "the request body: expected a JSON object, got a string"));
    }

    @ParameterizedTest
    @MethodSource("malformed")
    void malformedBodiesAreRefusedInTheApisWords(String body, String... fragments) {
        assertThatThrownBy(() -> JobRequest.parse(body, 16)).isInstanceOf(IllegalArgumentException.class)
                .extracting(Throwable::getMessage).asString().contains(fragments)
                .satisfies(NoInternals::check);
    }

    @Test
    void nullForAnOptionalFieldMeansItsDefault() {
        JobRequest r = JobRequest.parse(body("", ",\"device\":null,\"seed\":null,\"shuffle\":null"), 16);
        assertThat(r.device()).isEqualTo("auto");
        assertThat(r.seed()).isZero();
        assertThat(r.shuffle()).isFalse();
    }

    @Test
    void nullForAnOptionalOptimizerFieldMeansItsDefault() {
        JobRequest r = JobRequest.parse(body(",\"momentum\":null,\"dampening\":null,\"weight_decay\":null,"
                + "\"nesterov\":null,\"maximize\":null", ""), 16);
        assertThat(r.optimizer().sgd()).isEqualTo(new Sgd.Options(0.1, 0, 0, 0, false, false));
        JobRequest adam = JobRequest.parse(body("", "").replace("\"sgd\"", "\"adam\"").replace("0.1}",
                "0.1,\"betas\":null,\"eps\":null,\"amsgrad\":null}"), 16);
        assertThat(adam.optimizer().adam().beta1()).isEqualTo(0.9);
        assertThat(adam.optimizer().adam().eps()).isEqualTo(1e-8);
        assertThat(adam.optimizer().adam().amsgrad()).isFalse();
    }

    @Test
    void anOmittedLearningRateIsPyTorchs() {
        for (String type : new String[] {"sgd", "adam", "adamw"}) {
            JobRequest r = JobRequest.parse(body("", "").replace("\"sgd\",\"lr\":0.1", "\"" + type + "\""), 16);
            assertThat(r.optimizer().lr()).as(type).isEqualTo(1e-3);
            assertThat(JobRequest.parse(r.toJson())).as(type).isEqualTo(r);
        }
    }

    @Test
    void theOptimizerTypeIsCheckedBeforeItsFields() {
        assertThatThrownBy(() -> JobRequest.parse(body("", "").replace("\"sgd\",\"lr\":0.1", "\"lbfgs\""), 16))
                .hasMessage("optimizer.type: expected one of [sgd, adam, adamw, rmsprop, adagrad], got \"lbfgs\"");
        assertThatThrownBy(() -> JobRequest.parse(body("", "").replace("\"sgd\",\"lr\":0.1", "\"sgd\",\"lr\":0"),
                16)).hasMessage("optimizer.lr: expected a positive finite number, got 0");
    }

    @Test
    void storedRequestsRoundTripThroughTheLenientReader() {
        JobRequest r = JobRequest.parse(body(",\"momentum\":0.9", ""), 16);
        assertThat(JobRequest.parse(r.toJson())).isEqualTo(r);
    }

    @Test
    void theExtensionsRoundTripAndDefaultToNone() {
        JobRequest plain = JobRequest.parse(body("", ""), 16);
        assertThat(plain.lrScheduler()).isNull();
        assertThat(plain.clipGradNorm()).isNull();
        assertThat(plain.freeze()).isEmpty();
        assertThat(plain.toJson()).doesNotContain("lr_scheduler", "clip_grad_norm", "freeze");
        JobRequest r = JobRequest.parse(body("", ",\"lr_scheduler\":{\"type\":\"SequentialLR\",\"interval\":\"step\","
                + "\"milestones\":[3],\"schedulers\":[{\"type\":\"LinearLR\",\"start_factor\":0.1,\"total_iters\":3},"
                + "{\"type\":\"CosineAnnealingLR\",\"T_max\":9}]},\"clip_grad_norm\":{\"max_norm\":1,"
                + "\"norm_type\":\"inf\"},\"freeze\":[\"0\",\"2.bias\"]"), 16);
        assertThat(r.lrScheduler().perStep()).isTrue();
        assertThat(r.lrScheduler().root().children()).hasSize(2);
        assertThat(r.clipGradNorm()).isEqualTo(new JobRequest.ClipGradNorm(1, Double.POSITIVE_INFINITY));
        assertThat(r.freeze()).containsExactly("0", "2.bias");
        assertThat(JobRequest.parse(r.toJson())).isEqualTo(r);
        JobRequest epoch = JobRequest.parse(body("", ",\"lr_scheduler\":{\"type\":\"StepLR\",\"step_size\":2},"
                + "\"clip_grad_norm\":{\"max_norm\":0.5}"), 16);
        assertThat(epoch.lrScheduler().perStep()).isFalse();
        assertThat(epoch.clipGradNorm()).isEqualTo(new JobRequest.ClipGradNorm(0.5, 2));
        assertThat(JobRequest.parse(epoch.toJson())).isEqualTo(epoch);
    }

    @Test
    void aValidationSetDefaultsToTheJobsTensorNamesAndBatchSize() {
        JobRequest r = JobRequest.parse(body("", ",\"input\":\"x\",\"validation\":{\"dataset\":\"v\"}"), 16);
        assertThat(r.validation()).isEqualTo(new JobRequest.Validation("v", "x", "target", 4));
        assertThat(JobRequest.parse(r.toJson())).isEqualTo(r);
        JobRequest own = JobRequest.parse(body("", ",\"validation\":{\"dataset\":\"v\",\"input\":\"a\","
                + "\"target\":\"b\",\"batch_size\":100}"), 16);
        assertThat(own.validation()).isEqualTo(new JobRequest.Validation("v", "a", "b", 100));
        assertThat(JobRequest.parse(body("", ""), 16).validation()).isNull();
        JobRequest split = JobRequest.parse(body("", ",\"validation\":{\"split\":0.25}"), 16);
        assertThat(split.validation()).isEqualTo(new JobRequest.Validation(null, "input", "target", 4, 0.25));
        assertThat(split.validation().trainingRows(36)).as("Keras' split_at = round(36 * 0.75)").isEqualTo(27);
        assertThat(JobRequest.parse(split.toJson())).isEqualTo(split);
        JobRequest random = JobRequest.parse(body("", ",\"validation\":{\"split\":0.25,\"split_seed\":-7}"), 16);
        assertThat(random.validation()).isEqualTo(new JobRequest.Validation(null, "input", "target", 4, 0.25, -7L));
        assertThat(JobRequest.parse(random.toJson())).isEqualTo(random);
        assertThatThrownBy(() -> JobRequest.parse(body("", ",\"validation\":{\"dataset\":\"v\",\"split_seed\":1}"),
                16)).hasMessage("validation.split_seed: only with split (it chooses the rows held out of the training "
                + "dataset)");
        assertThatThrownBy(() -> JobRequest.parse(body("", ",\"validation\":{\"split\":0.5,\"split_seed\":0.5}"),
                16)).hasMessage("validation.split_seed: expected a 64-bit integer, got 0.5");
        JobRequest stopping = JobRequest.parse(body("", ",\"validation\":{\"dataset\":\"v\"},\"early_stopping\":{}"),
                16);
        assertThat(stopping.earlyStopping()).isEqualTo(new EarlyStopping(3, 0, true));
        assertThat(JobRequest.parse(stopping.toJson())).isEqualTo(stopping);
        assertThat(JobRequest.parse(body("", ""), 16).earlyStopping()).isNull();
    }

    @Test
    void lossOptionsRoundTripAndDefaultToPyTorchs() {
        JobRequest plain = JobRequest.parse(body("", ""), 16);
        assertThat(plain.lossOptions()).isEqualTo(io.nabla.nn.LossOptions.defaults(io.nabla.nn.Loss.MSE));
        assertThat(plain.toJson()).doesNotContain("loss_options");
        JobRequest ce = JobRequest.parse(body("", ",\"loss_options\":{\"weight\":[1,2.5],\"ignore_index\":3,"
                + "\"label_smoothing\":0.2}").replace("\"mse\"", "\"cross_entropy\""), 16);
        assertThat(ce.lossOptions()).isEqualTo(new io.nabla.nn.LossOptions(io.nabla.nn.Loss.CROSS_ENTROPY,
                List.of(1.0, 2.5), 3, 0.2, 1.0, null));
        assertThat(JobRequest.parse(ce.toJson())).isEqualTo(ce);
        JobRequest bce = JobRequest.parse(body("", ",\"loss_options\":{\"pos_weight\":[2]}")
                .replace("\"mse\"", "\"bce_with_logits\""), 16);
        assertThat(JobRequest.parse(bce.toJson())).isEqualTo(bce);
        assertThat(ce.lossOptions().classWeightOf(new long[] {0, 1, 3, 1, 7})).as("ignored 3, unknown class 7")
                .isEqualTo(6.0);
    }

    @Test
    void accumulationGroupsBatchesIntoOptimizerSteps() {
        JobRequest plain = JobRequest.parse(body("", ""), 16);
        assertThat(plain.accumulateGradBatches()).isEqualTo(1);
        assertThat(plain.stepsPerEpoch(9)).isEqualTo(9);
        JobRequest four = JobRequest.parse(body("", ",\"accumulate_grad_batches\":4"), 16);
        assertThat(four.stepsPerEpoch(9)).as("4 + 4 + 1").isEqualTo(3);
        assertThat(four.stepsPerEpoch(8)).isEqualTo(2);
        assertThat(JobRequest.parse(four.toJson())).isEqualTo(four);
        assertThat(plain.toJson()).doesNotContain("accumulate_grad_batches");
    }

    static Stream<Arguments> badExtensions() {
        return Stream.of(
            a(body("", ",\"lr_scheduler\":\"cosine\""), "lr_scheduler: expected an object with a \"type\", got "
                    + "\"cosine\""),
            a(body("", ",\"lr_scheduler\":{\"type\":\"LambdaLR\"}"), "lr_scheduler.type: expected one of [StepLR, "
                    + "MultiStepLR, ExponentialLR, CosineAnnealingLR, LinearLR, ConstantLR, PolynomialLR, "
                    + "CosineAnnealingWarmRestarts, OneCycleLR, CyclicLR, SequentialLR, ChainedScheduler, "
                    + "ReduceLROnPlateau], got \"LambdaLR\""),
            a(body("", ",\"lr_scheduler\":{\"type\":\"OneCycleLR\"}"), "lr_scheduler.max_lr: required; expected a "
                    + "number, got nothing"),
            a(body("", ",\"lr_scheduler\":{\"type\":\"OneCycleLR\",\"max_lr\":[0.1,0.2]}"), "lr_scheduler.max_lr: "
                    + "expected one number, or one per parameter group (1), got 2"),
            a(body("", ",\"lr_scheduler\":{\"type\":\"OneCycleLR\",\"max_lr\":0.1,\"total_steps\":10,"
                    + "\"pct_start\":0.1}"), "lr_scheduler.pct_start: 0.1 of total_steps 10 makes phase 1 of 2 zero "
                    + "steps long"),
            a(body("", ",\"lr_scheduler\":{\"type\":\"OneCycleLR\",\"max_lr\":0.1,\"epochs\":3}"),
                    "lr_scheduler.steps_per_epoch: required"),
            a(body("", ",\"lr_scheduler\":{\"type\":\"SequentialLR\",\"milestones\":[2],\"schedulers\":["
                    + "{\"type\":\"StepLR\",\"step_size\":1},{\"type\":\"OneCycleLR\",\"max_lr\":0.1}]}"),
                    "lr_scheduler.schedulers[1].total_steps: required inside a SequentialLR or ChainedScheduler"),
            a(body("", ",\"lr_scheduler\":{\"type\":\"CyclicLR\",\"base_lr\":0.01,\"max_lr\":0.1,"
                    + "\"mode\":\"sine\"}"), "lr_scheduler.mode: expected one of [triangular, triangular2, exp_range], "
                    + "got \"sine\""),
            a(body("", ",\"lr_scheduler\":{\"type\":\"CyclicLR\",\"base_lr\":0.01,\"max_lr\":0.1}")
                    .replace("\"sgd\"", "\"adam\""), "lr_scheduler.cycle_momentum: the optimizer has no momentum"),
            a(body(",\"param_groups\":[{\"params\":[\"0\"]}]", ",\"lr_scheduler\":{\"type\":\"OneCycleLR\","
                    + "\"max_lr\":[0.1,0.2,0.3]}"), "lr_scheduler.max_lr: expected one number, or one per parameter "
                    + "group (2), got 3"),
            a(body("", ",\"lr_scheduler\":{\"type\":\"CosineAnnealingWarmRestarts\",\"T_0\":5,\"T_mult\":0}"),
                    "lr_scheduler.T_mult: expected an integer from 1 to 1024, got 0"),
            a(body("", ",\"lr_scheduler\":{\"type\":\"PolynomialLR\",\"power\":-1}"),
                    "lr_scheduler.power: expected a finite number >= 0, got -1"),
            a(body("", ",\"lr_scheduler\":{\"type\":\"ChainedScheduler\",\"schedulers\":[{\"type\":\"StepLR\","
                    + "\"step_size\":1},{\"type\":\"ChainedScheduler\"}]}"), "lr_scheduler.schedulers[1].type: "
                    + "expected one of"),
            a(body("", ",\"lr_scheduler\":{\"type\":\"ChainedScheduler\",\"schedulers\":[{\"type\":\"StepLR\","
                    + "\"step_size\":1,\"interval\":\"step\"}]}"), "lr_scheduler.schedulers[0].interval: unknown field "
                    + "of a StepLR inside a SequentialLR or ChainedScheduler"),
            a(body("", ",\"lr_scheduler\":{\"type\":\"StepLR\"}"), "lr_scheduler.step_size: required; expected an "
                    + "integer, got nothing"),
            a(body("", ",\"lr_scheduler\":{\"type\":\"StepLR\",\"step_size\":0}"), "lr_scheduler.step_size: "),
            a(body("", ",\"lr_scheduler\":{\"type\":\"StepLR\",\"step_size\":1.5}"), "lr_scheduler.step_size: "
                    + "expected a 32-bit integer, got 1.5"),
            a(body("", ",\"lr_scheduler\":{\"type\":\"StepLR\",\"step_size\":1,\"gamma\":\"x\"}"),
                    "lr_scheduler.gamma: expected a number, got \"x\""),
            a(body("", ",\"lr_scheduler\":{\"type\":\"ExponentialLR\",\"gamma\":0.9,\"last_epoch\":3}"),
                    "lr_scheduler.last_epoch: unknown field of a ExponentialLR; expected one of [gamma, interval, type]"),
            a(body("", ",\"lr_scheduler\":{\"type\":\"ExponentialLR\",\"gamma\":0.9,\"interval\":\"batch\"}"),
                    "lr_scheduler.interval: expected \"epoch\" or \"step\", got \"batch\""),
            a(body("", ",\"lr_scheduler\":{\"type\":\"MultiStepLR\",\"milestones\":[1,\"2\"]}"),
                    "lr_scheduler.milestones[1]: expected a 32-bit integer, got \"2\""),
            a(body("", ",\"lr_scheduler\":{\"type\":\"LinearLR\",\"start_factor\":0}"),
                    "lr_scheduler.start_factor: "),
            a(body("", ",\"lr_scheduler\":{\"type\":\"SequentialLR\",\"milestones\":[],\"schedulers\":[]}"),
                    "lr_scheduler.schedulers: expected a list of 1 to 1024 scheduler objects, got []"),
            a(body("", ",\"lr_scheduler\":{\"type\":\"SequentialLR\",\"milestones\":[],\"schedulers\":["
                    + "{\"type\":\"StepLR\",\"step_size\":1},{\"type\":\"ConstantLR\"}]}"),
                    "lr_scheduler.milestones: expected 1 milestones for 2 schedulers (one fewer), got 0"),
            a(body("", ",\"lr_scheduler\":{\"type\":\"SequentialLR\",\"milestones\":[2],\"schedulers\":["
                    + "{\"type\":\"StepLR\",\"step_size\":1},{\"type\":\"CosineAnnealingLR\",\"T_max\":-1}]}"),
                    "lr_scheduler.schedulers[1].T_max: "),
            a(body("", ",\"lr_scheduler\":{\"type\":\"SequentialLR\",\"milestones\":[2],\"schedulers\":["
                    + "{\"type\":\"StepLR\",\"step_size\":1,\"interval\":\"step\"},{\"type\":\"ConstantLR\"}]}"),
                    "lr_scheduler.schedulers[0].interval: unknown field of a StepLR inside a SequentialLR"),
            a(body("", ",\"lr_scheduler\":{\"type\":\"SequentialLR\",\"milestones\":[2],\"schedulers\":["
                    + "{\"type\":\"SequentialLR\"},{\"type\":\"ConstantLR\"}]}"),
                    "lr_scheduler.schedulers[0].type: expected one of [StepLR, MultiStepLR, ExponentialLR, "
                    + "CosineAnnealingLR, LinearLR, ConstantLR, PolynomialLR, CosineAnnealingWarmRestarts, OneCycleLR, "
                    + "CyclicLR] (a SequentialLR or ChainedScheduler holds no SequentialLR, ChainedScheduler or "
                    + "ReduceLROnPlateau), got \"SequentialLR\""),
            a(body("", ",\"clip_grad_norm\":1.0"), "clip_grad_norm: expected an object such as {\"max_norm\": 1.0}, "
                    + "got 1.0"),
            a(body("", ",\"clip_grad_norm\":{}"), "clip_grad_norm.max_norm: expected a positive finite number, "
                    + "got nothing"),
            a(body("", ",\"clip_grad_norm\":{\"max_norm\":0}"), "clip_grad_norm.max_norm: expected a positive "
                    + "finite number, got 0"),
            a(body("", ",\"clip_grad_norm\":{\"max_norm\":1,\"norm_type\":-1}"), "clip_grad_norm.norm_type: "
                    + "expected a non-negative number or \"inf\", got -1"),
            a(body("", ",\"clip_grad_norm\":{\"max_norm\":1,\"error_if_nonfinite\":true}"),
                    "clip_grad_norm.error_if_nonfinite: unknown field; expected one of [max_norm, norm_type]"),
            a(body("", ",\"freeze\":\"0\""), "freeze: expected a list of at most 1024 parameter or module names, "
                    + "got \"0\""),
            a(body("", ",\"freeze\":[\"0\",\"\"]"), "freeze[1]: expected the name of a parameter or module, such as "
                    + "\"0.weight\" or \"0\", got \"\""),
            a(body("", ",\"freeze\":[\"0\",\"0\"]"), "freeze[1]: \"0\" is listed twice"),
            a(body("", ",\"validation\":\"ds-1\""), "validation: expected an object such as {\"dataset\": "
                    + "\"<dataset id>\"}, got \"ds-1\""),
            a(body("", ",\"validation\":{}"), "validation: expected either dataset (a dataset of its own) or split "
                    + "(a fraction of the training dataset held out), got neither"),
            a(body("", ",\"validation\":{\"dataset\":\"d\",\"batch_size\":0}"), "validation.batch_size: expected "
                    + "an integer in [1, 2147483647], got 0"),
            a(body("", ",\"validation\":{\"dataset\":\"d\",\"every\":2}"), "validation.every: unknown field; "
                    + "expected one of [dataset, split, split_seed, input, target, batch_size]"),
            a(body("", ",\"validation\":{\"dataset\":\"d\",\"split\":0.1}"), "validation: expected either dataset "
                    + "(a dataset of its own) or split (a fraction of the training dataset held out), got both"),
            a(body("", ",\"validation\":{\"batch_size\":2}"), "validation: expected either dataset (a dataset of its "
                    + "own) or split (a fraction of the training dataset held out), got neither"),
            a(body("", ",\"validation\":{\"split\":1}"), "validation.split: expected a number between 0 and 1 "
                    + "(exclusive), got 1"),
            a(body("", ",\"validation\":{\"split\":0.2,\"input\":\"x\"}"), "validation.input: not with split, "
                    + "whose rows are the training dataset's (its input and target)"),
            a(body("", ",\"early_stopping\":{\"patience\":2}"), "early_stopping: needs a validation dataset to "
                    + "watch; expected the field validation, got none"),
            a(body("", ",\"validation\":{\"dataset\":\"d\"},\"early_stopping\":2"), "early_stopping: expected an "
                    + "object such as {\"patience\": 3}, got 2"),
            a(body("", ",\"validation\":{\"dataset\":\"d\"},\"early_stopping\":{\"patience\":0}"),
                    "early_stopping.patience: expected an integer >= 1, got 0"),
            a(body("", ",\"validation\":{\"dataset\":\"d\"},\"early_stopping\":{\"min_delta\":-0.1}"),
                    "early_stopping.min_delta: expected a finite number >= 0, got -0.1"),
            a(body("", ",\"validation\":{\"dataset\":\"d\"},\"early_stopping\":{\"restore_best_weights\":\"yes\"}"),
                    "early_stopping.restore_best_weights: expected true or false, got \"yes\""),
            a(body("", ",\"validation\":{\"dataset\":\"d\"},\"early_stopping\":{\"monitor\":\"val_acc\"}"),
                    "early_stopping.monitor: expected \"loss\" or \"accuracy\", got \"val_acc\""),
            a(body("", "").replace("\"lr\":0.1", "\"lr\":1" + "0".repeat(400)), "optimizer.lr: expected a non-negative "
                    + "number, got Infinity"),
            a(body("", ",\"clip_grad_norm\":{\"max_norm\":1" + "0".repeat(400) + "}"), "clip_grad_norm.max_norm: "
                    + "expected a positive finite number"),
            a(body("", ",\"validation\":{\"dataset\":\"d\"},\"early_stopping\":{\"monitor\":\"f1\"}"),
                    "early_stopping.monitor: expected \"loss\" or \"accuracy\", got \"f1\""),
            a(body("", ",\"validation\":{\"dataset\":\"d\"},\"early_stopping\":{\"monitor\":\"accuracy\"}"),
                    "early_stopping.monitor: \"accuracy\" needs a loss that compares with class indices (cross_entropy "
                    + "or nll); expected \"loss\""),
            a(body("", ",\"lr_scheduler\":{\"type\":\"ReduceLROnPlateau\"}"), "lr_scheduler: a ReduceLROnPlateau "
                    + "needs a validation dataset to watch; expected the field validation, got none"),
            a(body("", ",\"validation\":{\"dataset\":\"d\"},\"lr_scheduler\":{\"type\":\"ReduceLROnPlateau\","
                    + "\"monitor\":\"accuracy\"}"), "lr_scheduler.monitor: \"accuracy\" needs a loss that compares with "
                    + "class indices"),
            a(body("", ",\"validation\":{\"dataset\":\"d\"},\"lr_scheduler\":{\"type\":\"ReduceLROnPlateau\","
                    + "\"interval\":\"step\"}"), "lr_scheduler.interval: a ReduceLROnPlateau steps after each epoch's "
                    + "validation; expected \"epoch\", got \"step\""),
            a(body("", ",\"validation\":{\"dataset\":\"d\"},\"lr_scheduler\":{\"type\":\"ReduceLROnPlateau\","
                    + "\"factor\":1}"), "lr_scheduler.factor: expected a number in [0, 1), got 1.0"),
            a(body("", ",\"validation\":{\"dataset\":\"d\"},\"lr_scheduler\":{\"type\":\"ReduceLROnPlateau\","
                    + "\"mode\":\"lowest\"}"), "lr_scheduler.mode: expected \"min\" or \"max\", got \"lowest\""),
            a(body("", ",\"accumulate_grad_batches\":0"), "accumulate_grad_batches: expected an integer in [1, "
                    + "65536], got 0"),
            a(body("", ",\"accumulate_grad_batches\":2.5"), "accumulate_grad_batches: expected an integer in [1, "
                    + "65536], got 2.5"),
            a(body("", ",\"loss_options\":{\"beta\":2}"), "loss_options.beta: not an argument of loss mse; expected "
                    + "one of []"),
            a(body("", ",\"loss_options\":[1]").replace("\"mse\"", "\"cross_entropy\""), "loss_options: expected an "
                    + "object of the arguments of cross_entropy [weight, ignore_index, label_smoothing], got [1]"),
            a(body("", ",\"loss_options\":{\"label_smoothing\":1.5}").replace("\"mse\"", "\"cross_entropy\""),
                    "loss_options.label_smoothing: expected a number in [0, 1], got 1.5"),
            a(body("", ",\"loss_options\":{\"weight\":[1,-2]}").replace("\"mse\"", "\"nll\""),
                    "loss_options.weight[1]: expected a finite number >= 0, got -2"),
            a(body("", ",\"loss_options\":{\"weight\":[]}").replace("\"mse\"", "\"nll\""),
                    "loss_options.weight: expected a list of 1 to 1048576 numbers, one per class, got []"),
            a(body("", ",\"loss_options\":{\"ignore_index\":0.5}").replace("\"mse\"", "\"nll\""),
                    "loss_options.ignore_index: expected an integer, got 0.5"),
            a(body("", ",\"loss_options\":{\"beta\":-1}").replace("\"mse\"", "\"smooth_l1\""),
                    "loss_options.beta: expected a finite number >= 0, got -1"),
            a(body("", ",\"loss_options\":{\"label_smoothing\":0.1}").replace("\"mse\"", "\"nll\""),
                    "loss_options.label_smoothing: not an argument of loss nll; expected one of [weight, ignore_index]"));
    }

    @ParameterizedTest
    @MethodSource("badExtensions")
    void badExtensionsAreRefusedNamingTheField(String body, String... fragments) {
        assertThatThrownBy(() -> JobRequest.parse(body, 16)).isInstanceOf(IllegalArgumentException.class)
                .extracting(Throwable::getMessage).asString().contains(fragments)
                .satisfies(NoInternals::check);
    }
}
