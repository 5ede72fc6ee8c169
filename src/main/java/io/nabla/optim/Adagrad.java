package io.nabla.optim;

import io.nabla.autograd.ElementwiseOps;
import io.nabla.autograd.InPlaceOps;
import io.nabla.backend.DType;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code torch.optim.Adagrad(lr=0.01, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10,
 * maximize=False)} as in PyTorch 1.13 ({@code _single_tensor_adagrad}, dense gradients): per parameter a step count
 * and {@code sum}, the running sum of squared gradients, which starts at {@code initial_accumulator_value}:
 *
 * <pre>
 * g = grad (+ weight_decay * param);  clr = lr / (1 + (step - 1) * lr_decay)
 * sum += g * g;  param -= clr * g / (sqrt(sum) + eps)
 * </pre>
 *
 * The update is PyTorch's sequence of in-place and elementwise ops on the engine's ops (so every backend runs it); its
 * temporaries live in a scope of their own. With weight decay PyTorch's CPU kernel fuses {@code grad.add(param,
 * alpha=weight_decay)} into one multiply-add, which the engine rounds twice (a few float32 ulps; to the bit without
 * weight decay). Adagrad has no momentum: a schedule that cycles it refuses Adagrad, as PyTorch's does.
 */
public final class Adagrad extends Optimizer {

    /** Adagrad's hyper-parameters ({@link #defaults()}: PyTorch's). */
    public record Options(double lr, double lrDecay, double weightDecay, double initialAccumulatorValue, double eps,
                          boolean maximize) {

        public Options {
            check("lr", lr);
            check("lr_decay", lrDecay);
            check("weight_decay", weightDecay);
            check("initial_accumulator_value", initialAccumulatorValue);
            check("eps", eps);
        }

        /** lr 0.01, lr_decay 0, weight_decay 0, initial_accumulator_value 0, eps 1e-10. */
        public static Options defaults() {
            return new Options(1e-2, 0, 0, 0, 1e-10, false);
        }

        private static void check(String name, double v) {
            if (!(v >= 0) || Double.isInfinite(v)) {
                throw new IllegalArgumentException(name + ": expected a non-negative number, got " + v);
            }
        }
    }

    private final Options options;
    private final double[] steps;
    private final Tensor[] sums;

    public Adagrad(List<Tensor> params, Options options) {
        super(params, options.lr());
        this.options = options;
        this.steps = new double[params.size()];
        this.sums = new Tensor[params.size()];
    }

    public Options options() {
        return options;
    }

    @Override
    protected double defaultMomentum() {
        return 0;
    }

    @Override
    public boolean hasMomentum() {
        return false;
    }

    @Override
    protected void update(int i, Tensor p, Tensor grad) {
        if (sums[i] == null) {
            sums[i] = stateLike(p);
            sums[i].fill(options.initialAccumulatorValue());
        }
        steps[i] = (float) (steps[i] + 1); // a float32 tensor in PyTorch, read back with item()
        double clr = lrOf(i) / (1 + (steps[i] - 1) * options.lrDecay());
        try (TensorScope s = TensorScope.open()) { // the temporaries of this update
            Tensor g = options.maximize() ? ElementwiseOps.neg(grad) : grad;
            double wd = weightDecay(i, options.weightDecay());
            if (wd != 0) {
                g = ElementwiseOps.add(g, ElementwiseOps.mul(p, wd));
            }
            InPlaceOps.addcmul_(sums[i], g, g, 1);
            Tensor std = InPlaceOps.add_(ElementwiseOps.sqrt(sums[i]), epsOf(i, options.eps()));
            InPlaceOps.addcdiv_(p, g, std, -clr);
        }
    }

    @Override
    protected Map<String, Tensor> paramState(int i) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        if (sums[i] != null) {
            out.put("step", Tensor.scalar(steps[i], DType.FP32));
            out.put("sum", sums[i]);
        }
        return out;
    }

    @Override
    protected List<String> stateNames() {
        return List.of("step", "sum");
    }

    @Override
    protected void checkComplete(int i, Map<String, Tensor> state) {
        if (!state.isEmpty() && !(state.containsKey("step") && state.containsKey("sum"))) {
            throw new IllegalArgumentException("cannot load the optimizer state: state." + i + " has "
                    + state.keySet() + ", expected step and sum");
        }
    }

    @Override
    protected void loadParamState(int i, Map<String, Tensor> state) {
        steps[i] = state.isEmpty() ? 0 : state.get("step").item();
        sums[i] = state.isEmpty() ? null : copyLike(params().get(i), state.get("sum"));
    }
}
