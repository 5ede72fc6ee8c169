package io.nabla.optim;

import io.nabla.backend.OptimizerKernels;
import io.nabla.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code torch.optim.SGD} as in PyTorch 1.13: {@code d = grad + weight_decay * p}; with momentum
 * {@code buf = momentum * buf + (1 - dampening) * d} (the first step sets {@code buf = d}) and
 * {@code d = nesterov ? d + momentum * buf : buf}; then {@code p -= lr * d}.
 */
public final class Sgd extends Optimizer {

    /** SGD's hyper-parameters with PyTorch's defaults (lr has none: it must be given). */
    public record Options(double lr, double momentum, double dampening, double weightDecay, boolean nesterov,
                          boolean maximize) {

        public Options {
            check("lr", lr);
            check("momentum", momentum);
            check("dampening", dampening);
            check("weight_decay", weightDecay);
            if (nesterov && (momentum <= 0 || dampening != 0)) {
                throw new IllegalArgumentException("nesterov: Nesterov momentum requires a momentum and zero "
                        + "dampening, got momentum " + momentum + " and dampening " + dampening);
            }
        }

        /** Plain SGD with learning rate {@code lr}. */
        public static Options lr(double lr) {
            return new Options(lr, 0, 0, 0, false, false);
        }

        public Options withMomentum(double m) {
            return new Options(lr, m, dampening, weightDecay, nesterov, maximize);
        }

        public Options withDampening(double d) {
            return new Options(lr, momentum, d, weightDecay, nesterov, maximize);
        }

        public Options withWeightDecay(double wd) {
            return new Options(lr, momentum, dampening, wd, nesterov, maximize);
        }

        public Options withNesterov(boolean n) {
            return new Options(lr, momentum, dampening, weightDecay, n, maximize);
        }

        public Options withMaximize(boolean m) {
            return new Options(lr, momentum, dampening, weightDecay, nesterov, m);
        }

        private static void check(String name, double v) {
            if (!(v >= 0) || Double.isInfinite(v)) {
                throw new IllegalArgumentException(name + ": expected a non-negative number, got " + v);
            }
        }
    }

    private final Options options;
    private final Tensor[] momentumBuffers;

    public Sgd(List<Tensor> params, Options options) {
        super(params, options.lr());
        this.options = options;
        this.momentumBuffers = new Tensor[params.size()];
    }

    public Options options() {
        return options;
    }

    @Override
    protected double defaultMomentum() {
        return options.momentum();
    }

    @Override
    protected void update(int index, Tensor p, Tensor g) {
        boolean init = false;
        Tensor buf = null;
        double momentum = momentumOf(index);
        if (momentum != 0) {
            buf = momentumBuffers[index];
            if (buf == null) {
                buf = stateLike(p);
                momentumBuffers[index] = buf;
                init = true;
            }
        }
        var h = new OptimizerKernels.SgdStep(lrOf(index), momentum, options.dampening(),
                weightDecay(index, options.weightDecay()), options.nesterov(), options.maximize(), init);
        p.backend().optimizer().sgd(h, p.dtype(), p.memory(), p.layout(), g.memory(), g.layout(),
                buf == null ? null : buf.memory(), buf == null ? null : buf.layout());
        if (buf != null) {
            buf.bumpVersion();
        }
    }

    @Override
    protected Map<String, Tensor> paramState(int index) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        if (momentumBuffers[index] != null) {
            out.put("momentum_buffer", momentumBuffers[index]);
        }
        return out;
    }

    @Override
    protected List<String> stateNames() {
        return List.of("momentum_buffer");
    }

    @Override
    protected void loadParamState(int index, Map<String, Tensor> state) {
        Tensor b = state.get("momentum_buffer");
        momentumBuffers[index] = b == null ? null : copyLike(params().get(index), b);
    }
}
