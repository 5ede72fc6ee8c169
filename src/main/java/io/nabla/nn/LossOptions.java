package io.nabla.nn;

import io.nabla.autograd.LossOps;
import io.nabla.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A job's loss with the arguments of PyTorch's functional form beyond the defaults ({@code loss_options}, an
 * extension): {@code cross_entropy(weight, ignore_index, label_smoothing)}, {@code nll(weight, ignore_index)},
 * {@code smooth_l1(beta)} and {@code bce_with_logits(pos_weight)}; {@code mse} and {@code l1} take none. Every loss
 * keeps PyTorch's mean reduction ({@code weight}: {@code sum(w[y] l) / sum(w[y])} over the targets that are not
 * {@code ignore_index}).
 *
 * @param kind the loss
 * @param weight the weight of each class (cross_entropy, nll), or null for none
 * @param ignoreIndex the target value that counts for nothing (cross_entropy, nll; PyTorch's default -100)
 * @param labelSmoothing the amount of smoothing, in [0, 1] (cross_entropy)
 * @param beta the switch from quadratic to linear (smooth_l1; PyTorch's default 1)
 * @param posWeight the weight of the positive examples of each class along the last dimension (bce_with_logits),
 *     or null for none
 */
public record LossOptions(Loss kind, List<Double> weight, long ignoreIndex, double labelSmoothing, double beta,
        List<Double> posWeight) implements Criterion {

    /** The most classes a weight list may have. */
    public static final int MAX_CLASSES = 1 << 20;

    private static final Map<Loss, List<String>> FIELDS = Map.of(
            Loss.CROSS_ENTROPY, List.of("weight", "ignore_index", "label_smoothing"),
            Loss.NLL, List.of("weight", "ignore_index"),
            Loss.SMOOTH_L1, List.of("beta"),
            Loss.BCE_WITH_LOGITS, List.of("pos_weight"),
            Loss.MSE, List.of(),
            Loss.L1, List.of());

    public LossOptions {
        Objects.requireNonNull(kind, "kind");
        weight = weight == null ? null : List.copyOf(weight);
        labelSmoothing += 0.0; // -0.0 is 0.0: the same loss, and the same stored request
        beta += 0.0;
        posWeight = posWeight == null ? null : List.copyOf(posWeight);
    }

    /** {@code kind} with PyTorch's defaults. */
    public static LossOptions defaults(Loss kind) {
        return new LossOptions(kind, null, LossOps.DEFAULT_IGNORE_INDEX, 0.0, 1.0, null);
    }

    /** True when every argument is PyTorch's default. */
    public boolean isDefault() {
        return equals(defaults(kind));
    }

    /** Parses {@code loss_options} for {@code kind} (null or absent: the defaults). */
    public static LossOptions parse(Loss kind, JsonNode node) {
        LossOptions d = defaults(kind);
        if (node == null || node.isNull()) {
            return d;
        }
        String path = "loss_options";
        if (!node.isObject()) {
            throw new IllegalArgumentException(path + ": expected an object of the arguments of " + kind.apiName()
                    + " " + FIELDS.get(kind) + ", got " + JsonValues.brief(node));
        }
        for (String name : node.propertyNames()) {
            if (!FIELDS.get(kind).contains(name)) {
                throw new IllegalArgumentException(path + "." + JsonValues.brief(name) + ": not an argument of loss "
                        + kind.apiName() + "; expected one of " + FIELDS.get(kind));
            }
        }
        List<Double> weight = list(node, "weight", path);
        long ignore = d.ignoreIndex();
        JsonNode i = node.get("ignore_index");
        if (i != null && !i.isNull()) {
            if (!i.isIntegralNumber() || !i.canConvertToLong()) {
                throw new IllegalArgumentException(path + ".ignore_index: expected an integer, got " + JsonValues.brief(i));
            }
            ignore = i.longValue();
        }
        double smoothing = number(node, "label_smoothing", d.labelSmoothing(), path);
        if (!(smoothing >= 0 && smoothing <= 1)) {
            throw new IllegalArgumentException(path + ".label_smoothing: expected a number in [0, 1], got "
                    + node.get("label_smoothing"));
        }
        double beta = number(node, "beta", d.beta(), path);
        if (!(beta >= 0) || Double.isInfinite(beta)) {
            throw new IllegalArgumentException(path + ".beta: expected a finite number >= 0, got " + node.get("beta"));
        }
        List<Double> posWeight = list(node, "pos_weight", path);
        return new LossOptions(kind, weight, ignore, smoothing, beta, posWeight);
    }

    /** Writes the arguments that are not the defaults into {@code request} as {@code loss_options}. */
    public void writeTo(ObjectNode request) {
        if (isDefault()) {
            return;
        }
        ObjectNode o = request.putObject("loss_options");
        LossOptions d = defaults(kind);
        if (weight != null) {
            weight.forEach(o.putArray("weight")::add);
        }
        if (ignoreIndex != d.ignoreIndex()) {
            o.put("ignore_index", ignoreIndex);
        }
        if (labelSmoothing != d.labelSmoothing()) {
            o.put("label_smoothing", labelSmoothing);
        }
        if (beta != d.beta()) {
            o.put("beta", beta);
        }
        if (posWeight != null) {
            posWeight.forEach(o.putArray("pos_weight")::add);
        }
    }

    /** Whether the targets are class indices (cross_entropy, nll). */
    public boolean classes() {
        return kind == Loss.CROSS_ENTROPY || kind == Loss.NLL;
    }

    @Override
    public Tensor apply(Tensor input, Tensor target) {
        return switch (kind) {
            case CROSS_ENTROPY -> LossOps.crossEntropy(input, target, onDevice(weight, input), ignoreIndex, "mean",
                    labelSmoothing);
            case NLL -> LossOps.nllLoss(input, target, onDevice(weight, input), ignoreIndex, "mean");
            case SMOOTH_L1 -> LossOps.smoothL1Loss(input, target, "mean", beta);
            case BCE_WITH_LOGITS -> LossOps.binaryCrossEntropyWithLogits(input, target, null,
                    onDevice(posWeight, input), "mean");
            case MSE, L1 -> kind.apply(input, target);
        };
    }

    /**
     * What the mean of a batch of class targets divides by: the summed weight of its targets that are not
     * {@code ignore_index} (their count without a weight), so that batch means times it add up to the loss of one
     * batch holding them all.
     */
    public double classWeightOf(long[] targets) {
        double w = 0;
        for (long t : targets) {
            if (t != ignoreIndex) {
                w += weight == null ? 1 : t >= 0 && t < weight.size() ? weight.get((int) t) : 0;
            }
        }
        return w;
    }

    private static Tensor onDevice(List<Double> values, Tensor like) {
        if (values == null) {
            return null;
        }
        float[] v = new float[values.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = values.get(i).floatValue();
        }
        return Tensor.of(v, v.length).toDevice(like.device());
    }

    private static List<Double> list(JsonNode node, String name, String path) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isArray() || v.isEmpty() || v.size() > MAX_CLASSES) {
            throw new IllegalArgumentException(path + "." + name + ": expected a list of 1 to " + MAX_CLASSES
                    + " numbers, one per class, got " + JsonValues.brief(v));
        }
        List<Double> out = new ArrayList<>(v.size());
        for (int i = 0; i < v.size(); i++) {
            JsonNode e = v.get(i);
            if (!e.isNumber() || !(JsonValues.toDouble(e) >= 0) || Float.isInfinite((float) JsonValues.toDouble(e))) {
                throw new IllegalArgumentException(path + "." + name + "[" + i + "]: expected a finite number >= 0, got "
                        + JsonValues.brief(e));
            }
            out.add(JsonValues.toDouble(e));
        }
        return out;
    }

    private static double number(JsonNode node, String name, double defaultValue, String path) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            return defaultValue;
        }
        if (!v.isNumber()) {
            throw new IllegalArgumentException(path + "." + name + ": expected a number, got " + JsonValues.brief(v));
        }
        return JsonValues.toDouble(v);
    }
}
