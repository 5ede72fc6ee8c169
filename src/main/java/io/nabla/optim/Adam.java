package io.nabla.optim;

import io.nabla.backend.DType;
import io.nabla.backend.OptimizerKernels;
import io.nabla.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code torch.optim.Adam} as in PyTorch 1.13 ({@code _single_tensor_adam}): per parameter a step count and the
 * moments {@code exp_avg}, {@code exp_avg_sq} (and {@code max_exp_avg_sq} with amsgrad); weight decay is added to
 * the gradient. {@link AdamW} decays the weights instead.
 */
public class Adam extends Optimizer {

    /** Adam's hyper-parameters; {@link #defaults()} gives PyTorch's (AdamW's weight decay default is 0.01). */
    public record Options(double lr, double beta1, double beta2, double eps, double weightDecay, boolean amsgrad,
                          boolean maximize) {

        public Options {
            check("lr", lr, false);
            check("eps", eps, false);
            check("weight_decay", weightDecay, false);
            check("betas[0]", beta1, true);
            check("betas[1]", beta2, true);
        }

        /** lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight_decay 0, amsgrad false. */
        public static Options defaults() {
            return new Options(1e-3, 0.9, 0.999, 1e-8, 0, false, false);
        }

        public Options withLr(double v) {
            return new Options(v, beta1, beta2, eps, weightDecay, amsgrad, maximize);
        }

        public Options withBetas(double b1, double b2) {
            return new Options(lr, b1, b2, eps, weightDecay, amsgrad, maximize);
        }

        public Options withEps(double v) {
            return new Options(lr, beta1, beta2, v, weightDecay, amsgrad, maximize);
        }

        public Options withWeightDecay(double v) {
            return new Options(lr, beta1, beta2, eps, v, amsgrad, maximize);
        }

        public Options withAmsgrad(boolean v) {
            return new Options(lr, beta1, beta2, eps, weightDecay, v, maximize);
        }

        public Options withMaximize(boolean v) {
            return new Options(lr, beta1, beta2, eps, weightDecay, amsgrad, v);
        }

        private static void check(String name, double v, boolean below1) {
            if (!(v >= 0) || Double.isInfinite(v) || (below1 && v >= 1)) {
                throw new IllegalArgumentException(name + ": expected a number in " + (below1 ? "[0, 1)" : "[0, inf)")
                        + ", got " + v);
            }
        }
    }

    private final Options options;
    private final boolean decoupled;
    private final double[] steps;
    private final Tensor[] expAvg;
    private final Tensor[] expAvgSq;
    private final Tensor[] maxExpAvgSq;

    public Adam(List<Tensor> params, Options options) {
        this(params, options, false);
    }

    Adam(List<Tensor> params, Options options, boolean decoupled) {
        super(params, options.lr());
        this.options = options;
        this.decoupled = decoupled;
        int n = params.size();
        this.steps = new double[n];
        this.expAvg = new Tensor[n];
        this.expAvgSq = new Tensor[n];
        this.maxExpAvgSq = new Tensor[n];
    }

    public Options options() {
        return options;
    }

    @Override
    protected double defaultMomentum() {
        return options.beta1();
    }

    @Override
    public boolean momentumIsBeta1() {
        return true;
    }

    /** The number of steps taken by parameter {@code index}. */
    public long steps(int index) {
        return (long) steps[index];
    }

    @Override
    protected void update(int i, Tensor p, Tensor g) {
        if (expAvg[i] == null) {
            expAvg[i] = stateLike(p);
            expAvgSq[i] = stateLike(p);
            if (options.amsgrad()) {
                maxExpAvgSq[i] = stateLike(p);
            }
        }
        // PyTorch keeps the step in a float32 tensor and reads it back as a Python float
        steps[i] = (float) (steps[i] + 1);
        double beta1 = momentumOf(i); // betas[0], which a OneCycleLR cycles
        double bias1 = 1 - Math.pow(beta1, steps[i]);
        double beta2 = beta2Of(i, options.beta2());
        double bias2 = 1 - Math.pow(beta2, steps[i]);
        var h = new OptimizerKernels.AdamStep(lrOf(i), beta1, beta2, epsOf(i, options.eps()),
                weightDecay(i, options.weightDecay()), decoupled, options.amsgrad(), options.maximize(), lrOf(i) / bias1,
                Math.sqrt(bias2));
        Tensor x = maxExpAvgSq[i];
        p.backend().optimizer().adam(h, p.dtype(), p.memory(), p.layout(), g.memory(), g.layout(),
                expAvg[i].memory(), expAvg[i].layout(), expAvgSq[i].memory(), expAvgSq[i].layout(),
                x == null ? null : x.memory(), x == null ? null : x.layout());
        expAvg[i].bumpVersion();
        expAvgSq[i].bumpVersion();
    }

    @Override
    protected Map<String, Tensor> paramState(int i) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        if (expAvg[i] != null) {
            out.put("step", Tensor.scalar(steps[i], DType.FP32));
            out.put("exp_avg", expAvg[i]);
            out.put("exp_avg_sq", expAvgSq[i]);
            if (maxExpAvgSq[i] != null) {
                out.put("max_exp_avg_sq", maxExpAvgSq[i]);
            }
        }
        return out;
    }

    @Override
    protected List<String> stateNames() {
        return List.of("step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq");
    }

    @Override
    protected void checkComplete(int i, Map<String, Tensor> state) {
        boolean any = !state.isEmpty();
        boolean needed = state.containsKey("step") && state.containsKey("exp_avg") && state.containsKey("exp_avg_sq")
                && (!options.amsgrad() || state.containsKey("max_exp_avg_sq"));
        if (any && !needed) {
            throw new IllegalArgumentException("cannot load the optimizer state: state." + i + " has "
                    + state.keySet() + ", expected step, exp_avg, exp_avg_sq"
                    + (options.amsgrad() ? " and max_exp_avg_sq (amsgrad)" : ""));
        }
    }

    @Override
    protected void loadParamState(int i, Map<String, Tensor> state) {
        Tensor p = params().get(i);
        if (state.isEmpty()) {
            steps[i] = 0;
            expAvg[i] = expAvgSq[i] = maxExpAvgSq[i] = null;
            return;
        }
        steps[i] = state.get("step").item();
        expAvg[i] = copyLike(p, state.get("exp_avg"));
        expAvgSq[i] = copyLike(p, state.get("exp_avg_sq"));
        maxExpAvgSq[i] = options.amsgrad() ? copyLike(p, state.get("max_exp_avg_sq")) : null;
    }
}
