package io.nabla.jobs;

import io.nabla.nn.JsonValues;
import io.nabla.optim.GradScaler;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A mixed-precision job's loss scaling: the arguments of PyTorch's {@code GradScaler(init_scale, growth_factor,
 * backoff_factor, growth_interval, enabled)}, with its defaults, read from the request's optional
 * {@code loss_scaler} object (an extension of API section 4). {@code enabled: false} trains under autocast without
 * scaling, PyTorch's usual recipe for bf16 (whose range is FP32's).
 *
 * @param enabled whether the loss is scaled at all
 * @param initScale the first scale, a positive finite float32
 * @param growthFactor what the scale is multiplied by after {@code growthInterval} steps without inf/NaN (> 1)
 * @param backoffFactor what it is multiplied by after a step with inf/NaN gradients (in (0, 1))
 * @param growthInterval good steps before the scale grows (>= 1)
 */
public record LossScaler(boolean enabled, double initScale, double growthFactor, double backoffFactor,
        int growthInterval) {

    /** PyTorch's defaults. */
    public static final LossScaler DEFAULT = new LossScaler(true, 65536.0, 2.0, 0.5, 2000);

    private static final Set<String> FIELDS = Set.of("enabled", "init_scale", "growth_factor", "backoff_factor",
            "growth_interval");
    private static final String FIELD = "loss_scaler";

    /** The scaler a run uses, or null when disabled. */
    public GradScaler create() {
        return enabled ? new GradScaler(initScale, growthFactor, backoffFactor, growthInterval) : null;
    }

    /** The {@code loss_scaler} object of a request (null or absent: the defaults), each field checked. */
    static LossScaler parse(JsonNode v) {
        if (v == null || v.isNull()) {
            return DEFAULT;
        }
        if (!v.isObject()) {
            throw new IllegalArgumentException(FIELD + ": expected an object with any of " + FIELDS.stream().sorted()
                    .toList() + ", got " + v);
        }
        for (String name : v.propertyNames()) {
            if (!FIELDS.contains(name)) {
                throw new IllegalArgumentException(FIELD + "." + name + ": unknown field; expected one of "
                        + FIELDS.stream().sorted().toList());
            }
        }
        boolean enabled = DEFAULT.enabled;
        JsonNode e = v.get("enabled");
        if (e != null && !e.isNull()) {
            if (!e.isBoolean()) {
                throw new IllegalArgumentException(FIELD + ".enabled: expected true or false, got " + e);
            }
            enabled = e.booleanValue();
        }
        double init = number(v, "init_scale", DEFAULT.initScale);
        if (!((float) init > 0) || Float.isInfinite((float) init) || Float.isInfinite(1f / (float) init)) {
            throw new IllegalArgumentException(FIELD + ".init_scale: expected a number above 2.938736e-39 and at "
                    + "most 3.4028235e38 (a float32 whose reciprocal is finite), got " + v.get("init_scale"));
        }
        double growth = number(v, "growth_factor", DEFAULT.growthFactor);
        if (!(growth > 1.0)) {
            throw new IllegalArgumentException(FIELD + ".growth_factor: expected a number > 1.0, got "
                    + v.get("growth_factor"));
        }
        double backoff = number(v, "backoff_factor", DEFAULT.backoffFactor);
        if (!(backoff > 0 && backoff < 1.0)) {
            throw new IllegalArgumentException(FIELD + ".backoff_factor: expected a number in (0, 1), got "
                    + v.get("backoff_factor"));
        }
        int interval = DEFAULT.growthInterval;
        JsonNode g = v.get("growth_interval");
        if (g != null && !g.isNull()) {
            if (!g.isIntegralNumber() || !g.canConvertToInt() || g.intValue() < 1) {
                throw new IllegalArgumentException(FIELD + ".growth_interval: expected an integer in [1, "
                        + Integer.MAX_VALUE + "], got " + g);
            }
            interval = g.intValue();
        }
        return new LossScaler(enabled, init, growth, backoff, interval);
    }

    private static double number(JsonNode v, String name, double defaultValue) {
        JsonNode n = v.get(name);
        if (n == null || n.isNull()) {
            return defaultValue;
        }
        if (!n.isNumber() || !Double.isFinite(JsonValues.toDouble(n))) {
            throw new IllegalArgumentException(FIELD + "." + name + ": expected a finite number, got " + n);
        }
        return JsonValues.toDouble(n);
    }

    /** The object as stored with the request, every field present. */
    void writeTo(ObjectNode n) {
        ObjectNode o = n.putObject(FIELD);
        o.put("enabled", enabled);
        o.put("init_scale", initScale);
        o.put("growth_factor", growthFactor);
        o.put("backoff_factor", backoffFactor);
        o.put("growth_interval", growthInterval);
    }
}
