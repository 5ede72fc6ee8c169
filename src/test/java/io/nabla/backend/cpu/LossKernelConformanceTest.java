package io.nabla.backend.cpu;

import static org.assertj.core.api.Assertions.fail;

import io.nabla.autograd.Autograd;
import io.nabla.autograd.LossOps;
import io.nabla.backend.Backends;
import io.nabla.backend.DType;
import io.nabla.tensor.Shape;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The CPU loss kernels against the reference backend: every loss, forward and gradients, over dtypes x layouts
 * (contiguous, transposed, channels-last, broadcast operands) x reductions, at sizes below and above the
 * parallel threshold. A failure names the op, the dtype and the layout.
 */
class LossKernelConformanceTest {

    private static final DType[] DTYPES = {DType.FP32, DType.FP64, DType.FP16, DType.BF16};
    private static final String[] REDUCTIONS = {"none", "mean", "sum"};

    /** How a float input is stored: a permutation of its dims (identity = contiguous). */
    enum Arrangement {
        CONTIGUOUS, TRANSPOSED, CHANNELS_LAST
    }

    private final Random rnd = new Random(11);

    @Test
    void regressionLosses() {
        for (DType dt : DTYPES) {
            for (Arrangement a : new Arrangement[] {Arrangement.CONTIGUOUS, Arrangement.TRANSPOSED}) {
                for (String red : REDUCTIONS) {
                    boolean big = large(dt, a) && !red.equals("sum");
                    int[][] shapes = big ? new int[][] {{5, 7}, {130, 260}} : new int[][] {{5, 7}};
                    for (int[] s : shapes) {
                        Input x = input(dt, a, 1, s);
                        Input t = input(dt, a, 1, s);
                        Input tb = input(dt, Arrangement.CONTIGUOUS, 1, s[1]);
                        String tag = red + " " + Shape.format(s) + " " + a;
                        compare("mse_loss " + tag, dt, in -> LossOps.mseLoss(in[0], in[1], red), x, t);
                        compare("mse_loss broadcast target " + tag, dt, in -> LossOps.mseLoss(in[0], in[1], red), x,
                                tb);
                        compare("l1_loss " + tag, dt, in -> LossOps.l1Loss(in[0], in[1], red), x, t);
                        compare("smooth_l1_loss " + tag, dt, in -> LossOps.smoothL1Loss(in[0], in[1], red, 0.5),
                                x, t);
                        Input lp = input(dt, a, 1, s);
                        Input p = input(dt, a, 2, s);
                        compare("kl_div " + tag, dt, in -> LossOps.klDiv(in[0], in[1], red, false), lp, p);
                        compare("kl_div log_target " + tag, dt, in -> LossOps.klDiv(in[0], in[1], red, true), lp, t);
                    }
                }
            }
        }
    }

    @Test
    void bceWithLogits() {
        for (DType dt : DTYPES) {
            for (Arrangement a : new Arrangement[] {Arrangement.CONTIGUOUS, Arrangement.TRANSPOSED}) {
                for (String red : REDUCTIONS) {
                    boolean big = large(dt, a) && !red.equals("sum");
                    int[][] shapes = big ? new int[][] {{6, 5}, {130, 260}} : new int[][] {{6, 5}};
                    for (int[] s : shapes) {
                        String tag = red + " " + Shape.format(s) + " " + a;
                        Input x = input(dt, a, 1, s);
                        Input t = input(dt, a, 3, s);
                        Tensor w = frozen(dt, 2, s[1]);
                        Tensor pw = frozen(dt, 2, s[1]);
                        Tensor rowW = frozen(dt, 2, s[0], 1);
                        compare("bce " + tag, dt,
                                in -> LossOps.binaryCrossEntropyWithLogits(in[0], in[1], null, null, red), x, t);
                        compare("bce weight pos_weight (C) " + tag, dt,
                                in -> LossOps.binaryCrossEntropyWithLogits(in[0], in[1], w, pw, red), x, t);
                        compare("bce weight (N, 1) " + tag, dt,
                                in -> LossOps.binaryCrossEntropyWithLogits(in[0], in[1], rowW, null, red), x, t);
                    }
                }
            }
        }
    }

    @Test
    void classIndexLosses() {
        for (DType dt : DTYPES) {
            for (String red : REDUCTIONS) {
                List<int[]> shapes = new ArrayList<>(List.of(new int[] {7, 5}, new int[] {2, 3, 4, 5},
                        new int[] {6}));
                if (dt == DType.FP32 || dt == DType.FP64) {
                    shapes.add(new int[] {4096, 10});
                    shapes.add(new int[] {64, 1000});
                    shapes.add(new int[] {4, 8, 40, 40});
                }
                for (int[] s : shapes) {
                    for (Arrangement a : arrangements(s)) {
                        if (Shape.numel(s) > 1000 && (!large(dt, a) || red.equals("sum"))) {
                            continue;
                        }
                        int classes = s.length == 1 ? s[0] : s[1];
                        Input x = input(dt, a, 1, s);
                        Tensor target = classTargets(s, classes, 2);
                        Tensor w = frozen(dt, 2, classes);
                        String tag = red + " " + Shape.format(s) + " " + a;
                        compare("cross_entropy " + tag, dt,
                                in -> LossOps.crossEntropy(in[0], target, null, 2, red, 0.0), x);
                        compare("cross_entropy weight label_smoothing " + tag, dt,
                                in -> LossOps.crossEntropy(in[0], target, w, 2, red, 0.15), x);
                        compare("nll_loss weight " + tag, dt, in -> LossOps.nllLoss(in[0], target, w, 2, red), x);
                        Input p = input(dt, a, 2, s);
                        compare("cross_entropy probabilities " + tag, dt,
                                in -> LossOps.crossEntropy(in[0], in[1], w, -100, red, 0.1), x, p);
                    }
                }
            }
        }
    }

    // ---- running and comparing ---------------------------------------------------------------------------------

    private void compare(String what, DType dt, Function<Tensor[], Tensor> op, Input... inputs) {
        long seed = rnd.nextLong();
        List<double[]> ref;
        try (var b = Backends.use(Backends.reference()); TensorScope s = TensorScope.open()) {
            ref = run(op, seed, inputs);
        }
        List<double[]> cpu;
        try (TensorScope s = TensorScope.open()) {
            cpu = run(op, seed, inputs);
        }
        // FP32: the fast column sums that reduce broadcast gradients add float partials (as PyTorch does), the
        // reference adds in double; with cancellation they differ by a few float ulps of the summands
        double tol = dt == DType.FP64 ? 1e-12 : dt == DType.FP32 ? 2e-5 : 1e-2;
        for (int k = 0; k < ref.size(); k++) {
            double[] e = ref.get(k);
            double[] g = cpu.get(k);
            String which = k == 0 ? "output" : "grad of input " + (k - 1);
            for (int i = 0; i < e.length; i++) {
                boolean bothNaN = Double.isNaN(e[i]) && Double.isNaN(g[i]);
                if (!bothNaN && !(Math.abs(e[i] - g[i]) <= tol * (1 + Math.abs(e[i])))) {
                    fail("%s, %s: %s[%d] cpu %.10g, reference %.10g", what, dt.torchName(), which, i, g[i], e[i]);
                }
            }
        }
    }

    /** Forward, then backward with a seeded upstream gradient: the output and each input's gradient. */
    private static List<double[]> run(Function<Tensor[], Tensor> op, long seed, Input... inputs) {
        Tensor[] in = new Tensor[inputs.length];
        for (int i = 0; i < in.length; i++) {
            in[i] = inputs[i].make();
        }
        Tensor out = op.apply(in);
        Random r = new Random(seed);
        double[] u = new double[(int) out.numel()];
        for (int i = 0; i < u.length; i++) {
            u[i] = r.nextGaussian();
        }
        Autograd.backward(out, Tensor.of(u, out.dtype(), out.shape()));
        List<double[]> res = new ArrayList<>();
        res.add(out.toDoubleArray());
        for (Tensor t : in) {
            res.add(t.grad().toDoubleArray());
        }
        return res;
    }

    // ---- inputs ------------------------------------------------------------------------------------------------

    /** Values of one float input and how it is stored; {@link #make} builds a fresh leaf that requires grad. */
    private record Input(double[] values, DType dtype, int[] shape, Arrangement arrangement) {
        Tensor make() {
            Tensor logical = Tensor.of(values, dtype, shape);
            int[] perm = permutation(shape.length, arrangement);
            int[] physical = new int[shape.length];
            for (int i = 0; i < perm.length; i++) {
                physical[i] = shape[perm[i]];
            }
            int[] physicalStrides = Shape.contiguousStrides(physical);
            int[] strides = new int[shape.length];
            for (int i = 0; i < perm.length; i++) {
                strides[perm[i]] = physicalStrides[i];
            }
            Tensor view = Tensor.empty(dtype, physical).asStrided(shape, strides, 0);
            view.copyFrom(logical);
            return view.requiresGrad(true);
        }
    }

    private static int[] permutation(int rank, Arrangement a) {
        int[] p = new int[rank];
        for (int i = 0; i < rank; i++) {
            p[i] = i;
        }
        if (a == Arrangement.TRANSPOSED && rank >= 2) {
            p[rank - 1] = rank - 2;
            p[rank - 2] = rank - 1;
        } else if (a == Arrangement.CHANNELS_LAST && rank >= 3) {
            // (N, C, d...) stored as (N, d..., C)
            for (int i = 1; i < rank - 1; i++) {
                p[i] = i + 1;
            }
            p[rank - 1] = 1;
        }
        return p;
    }

    /**
     * Sizes above the parallel threshold only where a fast path runs (FP32/FP64, dense; "sum" shares the "mean"
     * code): elsewhere both backends run the same reference loop, and the reference is slow.
     */
    private static boolean large(DType dt, Arrangement a) {
        return (dt == DType.FP32 || dt == DType.FP64) && a == Arrangement.CONTIGUOUS;
    }

    private static Arrangement[] arrangements(int[] shape) {
        if (shape.length == 1) {
            return new Arrangement[] {Arrangement.CONTIGUOUS};
        }
        if (shape.length == 2) {
            return new Arrangement[] {Arrangement.CONTIGUOUS, Arrangement.TRANSPOSED};
        }
        return new Arrangement[] {Arrangement.CONTIGUOUS, Arrangement.CHANNELS_LAST};
    }

    /** kind 1: normal values; 2: positive (0.1, 1.1); 3: in (0, 1). */
    private Input input(DType dt, Arrangement a, int kind, int... shape) {
        return new Input(values(kind, (int) Shape.numel(shape)), dt, shape, a);
    }

    private Tensor frozen(DType dt, int kind, int... shape) {
        return Tensor.of(values(kind, (int) Shape.numel(shape)), dt, shape);
    }

    private double[] values(int kind, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = kind == 1 ? 2 * rnd.nextGaussian() : kind == 2 ? 0.1 + rnd.nextDouble() : rnd.nextDouble();
        }
        return v;
    }

    /** Class indices for an input shape; about one in ten is {@code ignored}. */
    private Tensor classTargets(int[] inputShape, int classes, long ignored) {
        int[] rows = inputShape.length == 1 ? new int[0] : new int[inputShape.length - 1];
        if (inputShape.length > 1) {
            rows[0] = inputShape[0];
            System.arraycopy(inputShape, 2, rows, 1, inputShape.length - 2);
        }
        long[] t = new long[(int) Shape.numel(rows)];
        for (int i = 0; i < t.length; i++) {
            t[i] = rnd.nextInt(10) == 0 ? ignored : rnd.nextInt(classes);
        }
        return Tensor.of(t, rows);
    }
}
