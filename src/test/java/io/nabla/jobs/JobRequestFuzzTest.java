package io.nabla.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.nabla.web.NoInternals;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Random values in the job request's extension fields (and in the fields of their objects) are accepted or refused
 * with an {@link IllegalArgumentException} that names the field it is about, never another exception (a 500): 20,000
 * requests from a fixed seed, each built from a valid one with one field's value replaced.
 */
class JobRequestFuzzTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private static final String VALID = """
            {"model": "m", "dataset": "d", "loss": "cross_entropy", "epochs": 2, "batch_size": 4,
             "optimizer": {"type": "adamw", "lr": 0.01, "no_weight_decay": ["*.bias"],
                           "param_groups": [{"params": ["2"], "lr": 0.1, "weight_decay": 0}]},
             "lr_scheduler": {"type": "SequentialLR", "interval": "step", "milestones": [3],
                              "schedulers": [{"type": "LinearLR", "start_factor": 0.1, "total_iters": 3},
                                             {"type": "CosineAnnealingLR", "T_max": 9, "eta_min": 0.001}]},
             "clip_grad_norm": {"max_norm": 1.0, "norm_type": 2},
             "freeze": ["0"], "validation": {"dataset": "v", "batch_size": 8},
             "early_stopping": {"patience": 2, "min_delta": 0.001}, "accumulate_grad_batches": 2,
             "loss_options": {"weight": [1, 2, 3], "label_smoothing": 0.1, "ignore_index": -1}}""";

    /** Paths of the values replaced: a top-level field, or a field of one of the extension objects. */
    private static final List<String[]> PATHS = List.of(
            new String[] {"lr_scheduler"}, new String[] {"lr_scheduler", "type"},
            new String[] {"lr_scheduler", "interval"}, new String[] {"lr_scheduler", "milestones"},
            new String[] {"lr_scheduler", "schedulers"}, new String[] {"clip_grad_norm"},
            new String[] {"clip_grad_norm", "max_norm"}, new String[] {"clip_grad_norm", "norm_type"},
            new String[] {"freeze"}, new String[] {"validation"}, new String[] {"validation", "batch_size"},
            new String[] {"validation", "dataset"}, new String[] {"early_stopping"},
            new String[] {"early_stopping", "patience"}, new String[] {"early_stopping", "min_delta"},
            new String[] {"early_stopping", "restore_best_weights"}, new String[] {"accumulate_grad_batches"},
            new String[] {"loss_options"}, new String[] {"loss_options", "weight"},
            new String[] {"loss_options", "label_smoothing"}, new String[] {"loss_options", "ignore_index"},
            new String[] {"optimizer", "no_weight_decay"}, new String[] {"optimizer", "param_groups"},
            new String[] {"loss"});

    private static JsonNode value(Random r, int depth) {
        switch (r.nextInt(depth > 2 ? 8 : 10)) {
            case 0: return F.nullNode();
            case 1: return F.booleanNode(r.nextBoolean());
            case 2: return F.numberNode(r.nextInt(7) - 3);
            case 3: return F.numberNode(new double[] {0, -0.0, 1e-300, 1e300, 0.5, -2.5, Double.MAX_VALUE}[r.nextInt(7)]);
            case 4: return F.numberNode(new long[] {Long.MAX_VALUE, Long.MIN_VALUE, Integer.MAX_VALUE + 1L,
                Integer.MIN_VALUE}[r.nextInt(4)]);
            case 5: return r.nextBoolean() ? F.numberNode(new java.math.BigInteger("123456789012345678901234567890"))
                    : F.numberNode(java.math.BigInteger.TEN.pow(400));
            case 6: return F.stringNode(new String[] {"", "inf", "step", "epoch", "StepLR", "SequentialLR", "*", "0",
                "ExponentialLR", "x".repeat(2000), "OneCycleLR", "CyclicLR", "adagrad", "sgd"}[r.nextInt(14)]);
            case 7: return F.stringNode("*.bias");
            case 8: {
                ArrayNode a = F.arrayNode();
                for (int i = r.nextInt(4); i > 0; i--) {
                    a.add(value(r, depth + 1));
                }
                return a;
            }
            default: {
                ObjectNode o = F.objectNode();
                String[] keys = {"type", "gamma", "step_size", "T_max", "milestones", "schedulers", "max_norm",
                    "patience", "dataset", "factor", "total_iters", "interval", "weight", "params", "lr", "betas",
                    "momentum", "eps", "max_lr"};
                for (int i = r.nextInt(4); i > 0; i--) {
                    o.set(keys[r.nextInt(keys.length)], value(r, depth + 1));
                }
                return o;
            }
        }
    }

    @Test
    void randomValuesAreAcceptedOrRefusedNamingTheirField() {
        fuzz(VALID, PATHS, 20261207, 20_000);
    }

    /**
     * The second base: RMSprop with a parameter group, a OneCycleLR, a random split (scalar rates: a list of one per
     * group would tie the schedule's errors to the optimizer's field).
     */
    private static final String VALID_2 = """
            {"model": "m", "dataset": "d", "loss": "cross_entropy", "epochs": 2, "batch_size": 4,
             "optimizer": {"type": "rmsprop", "lr": 0.01, "momentum": 0.001,
                           "param_groups": [{"params": ["2"], "lr": 0.1, "momentum": 0.5, "eps": 0.001}]},
             "lr_scheduler": {"type": "OneCycleLR", "interval": "step", "max_lr": 0.1, "pct_start": 0.25,
                              "base_momentum": 0.001, "max_momentum": 0.9},
             "validation": {"split": 0.25, "split_seed": 3}}""";

    private static final List<String[]> PATHS_2 = List.of(
            new String[] {"optimizer", "param_groups"}, new String[] {"optimizer", "momentum"},
            new String[] {"optimizer", "type"}, new String[] {"lr_scheduler", "max_lr"},
            new String[] {"lr_scheduler", "pct_start"}, new String[] {"lr_scheduler", "type"},
            new String[] {"lr_scheduler", "base_momentum"}, new String[] {"lr_scheduler", "max_momentum"},
            new String[] {"lr_scheduler", "total_steps"}, new String[] {"validation", "split_seed"},
            new String[] {"validation", "split"});

    @Test
    void randomValuesInTheGroupAndScheduleOptionsAreAcceptedOrRefusedNamingTheirField() {
        fuzz(VALID_2, PATHS_2, 20261208, 5_000);
    }

    /** {@code iterations} bodies, each {@code valid} with one value of {@code paths} replaced by a random one. */
    private static void fuzz(String validText, List<String[]> paths, long seed, int iterations) {
        ObjectNode valid = (ObjectNode) JSON.readTree(validText);
        JobRequest.parse(valid.toString(), 64); // the base itself is valid
        Random r = new Random(seed);
        int refused = 0;
        for (int i = 0; i < iterations; i++) {
            ObjectNode body = valid.deepCopy();
            String[] path = paths.get(r.nextInt(paths.size()));
            ObjectNode parent = body;
            for (int k = 0; k < path.length - 1; k++) {
                parent = (ObjectNode) parent.get(path[k]);
            }
            parent.set(path[path.length - 1], value(r, 0));
            String text = body.toString();
            boolean extreme = r.nextInt(10) == 0;
            if (extreme) { // numbers past double's range, as JSON text: the fields they land in are refused
                text = text.replace("0.001", r.nextBoolean() ? "1e400" : "-1e-400");
            }
            try {
                JobRequest parsed = JobRequest.parse(text, 64);
                assertThat(JobRequest.parse(parsed.toJson())).as("stored form of %s", text).isEqualTo(parsed);
            } catch (IllegalArgumentException e) {
                refused++;
                assertThat(e.getMessage()).as("for %s", text).satisfies(NoInternals::check);
                if (!extreme) {
                    assertThat(e.getMessage()).as("for %s", text).contains(path[0]);
                }
            }
        }
        assertThat(refused).as("most random values are refused").isGreaterThan(iterations / 2);
    }
}
