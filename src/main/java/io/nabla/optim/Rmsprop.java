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
 * {@code torch.optim.RMSprop(lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
 * maximize=False)} as in PyTorch 1.13 ({@code _single_tensor_rmsprop}): per parameter a step count and
 * {@code square_avg} (the running mean of the squared gradient), with {@code momentum} a {@code momentum_buffer},
 * {@code centered} a {@code grad_avg}:
 *
 * <pre>
 * g = grad (+ weight_decay * param);  square_avg = alpha * square_avg + (1 - alpha) * g * g
 * avg = sqrt(square_avg (- grad_avg^2 when centered, grad_avg = alpha * grad_avg + (1 - alpha) * g)) + eps
 * momentum > 0:  buf = momentum * buf + g / avg;  param -= lr * buf
 * else:          param -= lr * g / avg
 * </pre>
 *
 * The update is PyTorch's sequence of in-place and elementwise ops on the engine's ops (so every backend runs it, each
 * op in the parameter's dtype as PyTorch's are); its temporaries live in a scope of their own. PyTorch's CPU kernel
 * fuses {@code add(other, alpha=...)} into one multiply-add, which the engine rounds twice: results agree with
 * PyTorch's float32 ones to a few float32 ulps with weight decay or momentum, and to the bit without.
 */
public final class Rmsprop extends Optimizer {

    /** RMSprop's hyper-parameters ({@link #defaults()}: PyTorch's). */
    public record Options(double lr, double alpha, double eps, double weightDecay, double momentum, boolean centered,
                          boolean maximize) {

        public Options {
            check("lr", lr);
            check("alpha", alpha);
            check("eps", eps);
            check("weight_decay", weightDecay);
            check("momentum", momentum);
        }

        /** lr 0.01, alpha 0.99, eps 1e-8, weight_decay 0, momentum 0, not centered. */
        public static Options defaults() {
            return new Options(1e-2, 0.99, 1e-8, 0, 0, false, false);
        }

        private static void check(String name, double v) {
            if (!(v >= 0) || Double.isInfinite(v)) {
                throw new IllegalArgumentException(name + ": expected a non-negative number, got " + v);
            }
        }
    }

    private final Options options;
    private final double[] steps;
    private final Tensor[] squareAvg;
    private final Tensor[] gradAvg;
    private final Tensor[] momentumBuffer;

    public Rmsprop(List<Tensor> params, Options options) {
        super(params, options.lr());
        this.options = options;
        int n = params.size();
        this.steps = new double[n];
        this.squareAvg = new Tensor[n];
        this.gradAvg = new Tensor[n];
        this.momentumBuffer = new Tensor[n];
    }

    public Options options() {
        return options;
    }

    @Override
    protected double defaultMomentum() {
        return options.momentum();
    }

    @Override
    protected void update(int i, Tensor p, Tensor grad) {
        if (squareAvg[i] == null) {
            squareAvg[i] = stateLike(p);
            if (options.centered()) {
                gradAvg[i] = stateLike(p);
            }
        }
        double momentum = momentumOf(i); // a OneCycleLR or CyclicLR cycles it
        if (momentum > 0 && momentumBuffer[i] == null) {
            momentumBuffer[i] = stateLike(p);
        }
        steps[i] = (float) (steps[i] + 1); // a float32 tensor in PyTorch
        double alpha = options.alpha();
        try (TensorScope s = TensorScope.open()) { // the temporaries of this update
            Tensor g = options.maximize() ? ElementwiseOps.neg(grad) : grad;
            double wd = weightDecay(i, options.weightDecay());
            if (wd != 0) {
                g = ElementwiseOps.add(g, ElementwiseOps.mul(p, wd));
            }
            Tensor sq = squareAvg[i];
            InPlaceOps.addcmul_(InPlaceOps.mul_(sq, alpha), g, g, 1 - alpha);
            Tensor avg;
            if (options.centered()) {
                Tensor ga = InPlaceOps.add_(InPlaceOps.mul_(gradAvg[i], alpha), g, 1 - alpha);
                avg = ElementwiseOps.sqrt(ElementwiseOps.sub(sq, ElementwiseOps.mul(ga, ga)));
            } else {
                avg = ElementwiseOps.sqrt(sq);
            }
            InPlaceOps.add_(avg, epsOf(i, options.eps()));
            if (momentum > 0) {
                Tensor buf = InPlaceOps.addcdiv_(InPlaceOps.mul_(momentumBuffer[i], momentum), g, avg, 1);
                InPlaceOps.add_(p, buf, -lrOf(i));
            } else {
                InPlaceOps.addcdiv_(p, g, avg, -lrOf(i));
            }
        }
    }

    @Override
    protected Map<String, Tensor> paramState(int i) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        if (squareAvg[i] != null) {
            out.put("step", Tensor.scalar(steps[i], DType.FP32));
            out.put("square_avg", squareAvg[i]);
            if (momentumBuffer[i] != null) {
                out.put("momentum_buffer", momentumBuffer[i]);
            }
            if (gradAvg[i] != null) {
                out.put("grad_avg", gradAvg[i]);
            }
        }
        return out;
    }

    @Override
    protected List<String> stateNames() {
        return List.of("step", "square_avg", "momentum_buffer", "grad_avg");
    }

    @Override
    protected void checkComplete(int i, Map<String, Tensor> state) {
        boolean needed = state.containsKey("step") && state.containsKey("square_avg")
                && (!options.centered() || state.containsKey("grad_avg"));
        if (!state.isEmpty() && !needed) {
            throw new IllegalArgumentException("cannot load the optimizer state: state." + i + " has "
                    + state.keySet() + ", expected step, square_avg" + (options.centered() ? " and grad_avg (centered)"
                    : ""));
        }
    }

    @Override
    protected void loadParamState(int i, Map<String, Tensor> state) {
        Tensor p = params().get(i);
        steps[i] = state.isEmpty() ? 0 : state.get("step").item();
        squareAvg[i] = state.isEmpty() ? null : copyLike(p, state.get("square_avg"));
        gradAvg[i] = state.containsKey("grad_avg") && options.centered() ? copyLike(p, state.get("grad_avg")) : null;
        momentumBuffer[i] = state.containsKey("momentum_buffer") ? copyLike(p, state.get("momentum_buffer")) : null;
    }
}
