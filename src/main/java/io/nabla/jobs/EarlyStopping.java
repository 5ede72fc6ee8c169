package io.nabla.jobs;

import io.nabla.nn.JsonValues;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A job's {@code early_stopping} (an extension; it needs {@code validation}): training ends once the monitored
 * evaluation ({@code monitor}: the validation {@code loss}, or for the class losses its {@code accuracy}) has not
 * improved for {@code patience} evaluations in a row, an improvement being a loss below the best so far minus
 * {@code min_delta}, or an accuracy above the best so far plus {@code min_delta} (Keras' and Lightning's rule for a
 * quantity to minimise or to maximise; NaN is never one). With {@code restore_best_weights} the job publishes the state after its best epoch rather than its last one,
 * whether it stopped early or ran all its epochs.
 *
 * <p>The state after any evaluations follows from them alone ({@link #replay}), so a resumed job, and a reader of a
 * job, derive it from the stored evaluations; only the best weights themselves are checkpointed.
 *
 * @param patience evaluations without improvement after which training ends, at least 1
 * @param minDelta the least decrease that counts as an improvement, at least 0
 * @param restoreBestWeights whether the result is the state after the best epoch
 * @param monitor what is watched: {@code "loss"} (lower is better) or {@code "accuracy"} (higher is better)
 */
public record EarlyStopping(int patience, double minDelta, boolean restoreBestWeights, String monitor) {

    static final String FIELD = "early_stopping";
    private static final List<String> FIELDS = List.of("patience", "min_delta", "restore_best_weights", "monitor");

    /** {@code patience}, {@code min_delta} and {@code restore_best_weights}, watching the validation loss. */
    public EarlyStopping(int patience, double minDelta, boolean restoreBestWeights) {
        this(patience, minDelta, restoreBestWeights, "loss");
    }

    /**
     * Where a run stands after some evaluations: the best epoch (-1 before any), the monitored value there, the
     * step after it, the evaluations since, and whether patience ran out.
     */
    public record State(int bestEpoch, double best, int bestStep, int sinceBest, boolean stop) {
    }

    /** Before any evaluation. */
    State start() {
        return new State(-1, maximise() ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY, 0, 0, false);
    }

    private boolean maximise() {
        return monitor.equals("accuracy");
    }

    /** The state after {@code previous} and the evaluation {@code v}. */
    State observe(State previous, ValidationResult v) {
        double value = maximise() ? (v.accuracy() == null ? Double.NaN : v.accuracy()) : v.loss();
        boolean better = maximise() ? value > previous.best() + minDelta : value < previous.best() - minDelta;
        if (better) {
            return new State(v.epoch(), value, v.step(), 0, false);
        }
        int wait = previous.sinceBest() + 1;
        return new State(previous.bestEpoch(), previous.best(), previous.bestStep(), wait, wait >= patience);
    }

    /** The state after the evaluations {@code all}, in order. */
    public State replay(List<ValidationResult> all) {
        State s = start();
        for (ValidationResult v : all) {
            s = observe(s, v);
        }
        return s;
    }

    /**
     * Parses {@code early_stopping} (null when absent); {@code validation} says whether the job has a validation set,
     * {@code classes} whether its loss compares with class indices (so an accuracy can be watched).
     */
    static EarlyStopping parse(JsonNode v, boolean validation, boolean classes) {
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isObject()) {
            throw new IllegalArgumentException(FIELD + ": expected an object such as {\"patience\": 3}, got "
                    + JsonValues.brief(v));
        }
        for (String name : v.propertyNames()) {
            if (!FIELDS.contains(name)) {
                throw new IllegalArgumentException(FIELD + "." + JsonValues.brief(name) + ": unknown field; expected one of "
                        + FIELDS);
            }
        }
        if (!validation) {
            throw new IllegalArgumentException(FIELD + ": needs a validation dataset to watch; expected the field "
                    + "validation, got none");
        }
        int patience = 3;
        JsonNode p = v.get("patience");
        if (p != null && !p.isNull()) {
            if (!p.isIntegralNumber() || !p.canConvertToInt() || p.intValue() < 1) {
                throw new IllegalArgumentException(FIELD + ".patience: expected an integer >= 1, got " + JsonValues.brief(p));
            }
            patience = p.intValue();
        }
        double minDelta = 0;
        JsonNode d = v.get("min_delta");
        if (d != null && !d.isNull()) {
            if (!d.isNumber() || !(JsonValues.toDouble(d) >= 0) || Double.isInfinite(JsonValues.toDouble(d))) {
                throw new IllegalArgumentException(FIELD + ".min_delta: expected a finite number >= 0, got "
                        + JsonValues.brief(d));
            }
            minDelta = JsonValues.toDouble(d);
        }
        boolean restore = true;
        JsonNode r = v.get("restore_best_weights");
        if (r != null && !r.isNull()) {
            if (!r.isBoolean()) {
                throw new IllegalArgumentException(FIELD + ".restore_best_weights: expected true or false, got "
                        + JsonValues.brief(r));
            }
            restore = r.booleanValue();
        }
        String monitor = "loss";
        JsonNode m = v.get("monitor");
        if (m != null && !m.isNull()) {
            if (!m.isString() || !List.of("loss", "accuracy").contains(m.stringValue())) {
                throw new IllegalArgumentException(FIELD + ".monitor: expected \"loss\" or \"accuracy\", got "
                        + JsonValues.brief(m));
            }
            monitor = m.stringValue();
            if (monitor.equals("accuracy") && !classes) {
                throw new IllegalArgumentException(FIELD + ".monitor: \"accuracy\" needs a loss that compares with "
                        + "class indices (cross_entropy or nll); expected \"loss\"");
            }
        }
        return new EarlyStopping(patience, minDelta, restore, monitor);
    }

    /** Writes this as the request's {@code early_stopping} object, every field present. */
    void writeTo(ObjectNode request) {
        request.putObject(FIELD).put("patience", patience).put("min_delta", minDelta)
                .put("restore_best_weights", restoreBestWeights).put("monitor", monitor);
    }
}
