package io.nabla.optim;

import io.nabla.autograd.ElementwiseOps;
import io.nabla.autograd.GradMode;
import io.nabla.autograd.ShapeOps;
import io.nabla.backend.DType;
import io.nabla.tensor.Tensor;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Dynamic loss scaling for mixed precision, PyTorch 1.13's {@code torch.cuda.amp.GradScaler} with its defaults
 * (initial scale 2^16, growth factor 2, backoff factor 0.5, growth interval 2000). One iteration is
 * {@code backward(scale(loss))}, optionally {@link #unscale} then gradient clipping, {@link #step}, {@link #update}:
 * gradients are divided by the scale in FP32 (the scale is an FP32 value, so with power-of-two factors this is
 * exact); a step whose gradients hold an infinity or NaN is skipped and the scale multiplied by the backoff factor;
 * after {@code growthInterval} steps in a row without one, the scale grows by the growth factor (unless that would
 * overflow FP32).
 *
 * <p>Not thread-safe: one training loop owns it.
 */
public final class GradScaler {

    /** PyTorch's defaults. */
    public static final double INIT_SCALE = 65536.0;
    public static final double GROWTH_FACTOR = 2.0;
    public static final double BACKOFF_FACTOR = 0.5;
    public static final int GROWTH_INTERVAL = 2000;

    private final double growthFactor;
    private final double backoffFactor;
    private final int growthInterval;
    private float scale;
    private int growthTracker;
    /** Per optimizer, this iteration: whether its gradients were unscaled and held a non-finite value. */
    private final Map<Optimizer, Boolean> foundInf = new IdentityHashMap<>();

    public GradScaler() {
        this(INIT_SCALE, GROWTH_FACTOR, BACKOFF_FACTOR, GROWTH_INTERVAL);
    }

    public GradScaler(double initScale, double growthFactor, double backoffFactor, int growthInterval) {
        if (!((float) initScale > 0) || Float.isInfinite((float) initScale)) {
            throw new IllegalArgumentException("init_scale: expected a positive finite float32, got " + initScale);
        }
        if (!(growthFactor > 1.0) || Double.isInfinite(growthFactor)) {
            throw new IllegalArgumentException("growth_factor: expected a finite number > 1.0, got " + growthFactor);
        }
        if (!(backoffFactor > 0 && backoffFactor < 1.0)) {
            throw new IllegalArgumentException("backoff_factor: expected a number in (0, 1), got " + backoffFactor);
        }
        if (growthInterval < 1) {
            throw new IllegalArgumentException("growth_interval: expected a positive integer, got " + growthInterval);
        }
        this.scale = (float) initScale;
        this.growthFactor = growthFactor;
        this.backoffFactor = backoffFactor;
        this.growthInterval = growthInterval;
    }

    /** The current scale. */
    public double scale() {
        return scale;
    }

    /** Steps in a row without an infinity since the scale last changed. */
    public int growthTracker() {
        return growthTracker;
    }

    /** {@code loss * scale}, in the graph (backward from it gives scaled gradients); loss must be floating. */
    public Tensor scale(Tensor loss) {
        if (!loss.dtype().isFloatingPoint()) {
            throw new IllegalArgumentException("GradScaler.scale: expected a floating loss, got " + loss);
        }
        // PyTorch multiplies by an FP32 tensor: an FP16/BF16 loss is promoted to FP32, FP64 stays FP64
        Tensor wide = loss.dtype() == DType.FP64 ? loss : ShapeOps.to(loss, DType.FP32);
        return ElementwiseOps.mul(wide, (double) scale);
    }

    /**
     * Divides the gradients of {@code optimizer}'s parameters by the scale, in place, once per iteration
     * ({@code unscale_}); returns whether any of them holds an infinity or NaN. A second call before {@link #update}
     * is an error, as in PyTorch.
     */
    public boolean unscale(Optimizer optimizer) {
        if (foundInf.containsKey(optimizer)) {
            throw new IllegalStateException("unscale() has already been called on this optimizer since the last "
                    + "update()");
        }
        double inv = (float) (1.0 / scale);
        boolean inf = false;
        try (GradMode.Region ignored = GradMode.disable()) {
            for (Tensor p : optimizer.params()) {
                Tensor g = p.grad();
                if (g == null) {
                    continue;
                }
                if (g.dtype() == DType.FP16) {
                    throw new IllegalArgumentException("Attempting to unscale FP16 gradients: keep the parameters "
                            + "in float32 and let autocast cast them");
                }
                // checked after unscaling: PyTorch checks before, which lets a step through when 1 / scale
                // overflows (a scale backed off below 2^-126) and turns finite gradients into inf or NaN
                g.backend().optimizer().scale(g.dtype(), g.memory(), g.layout(), inv);
                g.bumpVersion();
                double sum = g.backend().optimizer().sumAbsPow(g.dtype(), g.memory(), g.layout(), 1.0);
                if (!Double.isFinite(sum)) {
                    inf = true;
                }
            }
        }
        foundInf.put(optimizer, inf);
        return inf;
    }

    /**
     * Unscales the gradients if {@link #unscale} was not called this iteration, then takes {@code optimizer}'s step
     * unless they held an infinity or NaN. Returns whether the step was taken.
     */
    public boolean step(Optimizer optimizer) {
        Boolean inf = foundInf.get(optimizer);
        if (inf == null) {
            inf = unscale(optimizer);
        }
        if (inf) {
            return false;
        }
        optimizer.step();
        return true;
    }

    /**
     * Ends the iteration: halves (backs off) the scale when any optimizer's gradients held an infinity or NaN,
     * else counts a good step and grows the scale after {@code growthInterval} of them.
     */
    public void update() {
        if (foundInf.isEmpty()) {
            throw new IllegalStateException("No inf checks were recorded prior to update(): call step() or "
                    + "unscale() first");
        }
        boolean inf = foundInf.containsValue(Boolean.TRUE);
        foundInf.clear();
        if (inf) {
            scale = (float) (scale * backoffFactor);
            growthTracker = 0;
            return;
        }
        int successful = growthTracker + 1;
        if (successful == growthInterval) {
            float grown = (float) (scale * growthFactor);
            if (Float.isFinite(grown)) {
                scale = grown;
            }
            growthTracker = 0;
        } else {
            growthTracker = successful;
        }
    }

    /** The state to resume from: {@code scale} (FP32) and {@code growth_tracker} (INT64), as 0-dim tensors. */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put("scale", Tensor.scalar(scale, DType.FP32));
        out.put("growth_tracker", Tensor.scalar(growthTracker, DType.INT64));
        return out;
    }

    /** Restores a state written by {@link #stateDict()}; both keys are checked before anything changes. */
    public void loadStateDict(Map<String, Tensor> state) {
        List<String> errors = new ArrayList<>();
        Tensor s = state.get("scale");
        Tensor t = state.get("growth_tracker");
        double newScale = Double.NaN;
        long newTracker = -1;
        if (s == null || s.numel() != 1) {
            errors.add("scale: expected a one-element tensor, got " + s);
        } else {
            newScale = s.item();
            // 0 included: a run whose gradients kept overflowing backs its scale off to 0, as PyTorch's does, and
            // its checkpoint must still resume
            if (!((float) newScale >= 0) || Float.isInfinite((float) newScale)) {
                errors.add("scale: expected a non-negative finite float32, got " + newScale);
            }
        }
        if (t == null || t.numel() != 1) {
            errors.add("growth_tracker: expected a one-element tensor, got " + t);
        } else {
            newTracker = (long) t.item();
            if (newTracker < 0 || newTracker >= growthInterval) {
                errors.add("growth_tracker: expected an integer in [0, " + growthInterval + "), got " + newTracker);
            }
        }
        for (String k : state.keySet()) {
            if (!k.equals("scale") && !k.equals("growth_tracker")) {
                errors.add(k + ": unexpected key (expected scale and growth_tracker)");
            }
        }
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException("GradScaler state: " + String.join("; ", errors));
        }
        scale = (float) newScale;
        growthTracker = (int) newTracker;
        foundInf.clear();
    }
}
