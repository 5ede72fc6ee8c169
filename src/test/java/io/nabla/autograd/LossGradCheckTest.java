package io.nabla.autograd;

import static io.nabla.autograd.GradCheck.randn;

import io.nabla.backend.DType;
import io.nabla.tensor.Shape;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Finite differences in float64 for every loss and option, on contiguous inputs (the CPU fast paths) and on
 * transposed or permuted views (the strided reference loops), with broadcast targets where PyTorch allows them.
 */
class LossGradCheckTest {

    private static final String[] REDUCTIONS = {"none", "mean", "sum"};

    private final Random rnd = new Random(7);
    private TensorScope scope;

    @BeforeEach
    void open() {
        scope = TensorScope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    @Test
    void regressionLossesWithBothGradients() {
        for (boolean transposed : new boolean[] {false, true}) {
            for (String red : REDUCTIONS) {
                String tag = red + (transposed ? " transposed" : "");
                check("mse_loss " + tag, in -> LossOps.mseLoss(in[0], in[1], red),
                        randn(rnd, transposed, 3, 4), randn(rnd, transposed, 3, 4));
                check("l1_loss " + tag, in -> LossOps.l1Loss(in[0], in[1], red),
                        randn(rnd, transposed, 3, 4), randn(rnd, transposed, 3, 4));
                for (double beta : new double[] {0.0, 0.5, 2.0}) {
                    check("smooth_l1_loss beta " + beta + " " + tag,
                            in -> LossOps.smoothL1Loss(in[0], in[1], red, beta),
                            randn(rnd, transposed, 3, 4), randn(rnd, transposed, 3, 4));
                }
            }
        }
    }

    @Test
    void regressionLossesBroadcast() {
        for (String red : REDUCTIONS) {
            check("mse_loss (2, 3, 4) vs (4) " + red, in -> LossOps.mseLoss(in[0], in[1], red),
                    randn(rnd, true, 2, 3, 4), randn(rnd, false, 4));
            check("l1_loss (3, 1) vs (1, 4) " + red, in -> LossOps.l1Loss(in[0], in[1], red),
                    randn(rnd, false, 3, 1), randn(rnd, false, 1, 4));
            check("smooth_l1_loss () vs (2, 3) " + red, in -> LossOps.smoothL1Loss(in[0], in[1], red, 0.8),
                    randn(rnd, false), randn(rnd, true, 2, 3));
        }
    }

    @Test
    void bceWithLogits() {
        Tensor weight = positive(false, false, 4);
        Tensor posWeight = positive(false, false, 4);
        Tensor rowWeight = positive(false, false, 3, 1);
        for (boolean transposed : new boolean[] {false, true}) {
            for (String red : REDUCTIONS) {
                String tag = red + (transposed ? " transposed" : "");
                check("bce " + tag, in -> LossOps.binaryCrossEntropyWithLogits(in[0], in[1], null, null, red),
                        randn(rnd, transposed, 3, 4), probabilities(transposed, 3, 4));
                check("bce weight pos_weight " + tag,
                        in -> LossOps.binaryCrossEntropyWithLogits(in[0], in[1], weight, posWeight, red),
                        randn(rnd, transposed, 3, 4), probabilities(transposed, 3, 4));
                check("bce row weight " + tag,
                        in -> LossOps.binaryCrossEntropyWithLogits(in[0], in[1], rowWeight, null, red),
                        randn(rnd, transposed, 3, 4), probabilities(transposed, 3, 4));
            }
        }
    }

    @Test
    void klDiv() {
        for (boolean transposed : new boolean[] {false, true}) {
            for (String red : new String[] {"none", "mean", "sum", "batchmean"}) {
                String tag = red + (transposed ? " transposed" : "");
                check("kl_div " + tag, in -> LossOps.klDiv(in[0], in[1], red, false),
                        randn(rnd, transposed, 3, 4), positive(true, transposed, 3, 4));
                check("kl_div log_target " + tag, in -> LossOps.klDiv(in[0], in[1], red, true),
                        randn(rnd, transposed, 3, 4), randn(rnd, transposed, 3, 4));
            }
        }
        check("kl_div broadcast target", in -> LossOps.klDiv(in[0], in[1], "batchmean", false),
                randn(rnd, false, 2, 3), positive(true, false, 3));
    }

    @Test
    void crossEntropyClassIndices() {
        Tensor weight = positive(false, false, 5);
        for (boolean transposed : new boolean[] {false, true}) {
            for (String red : REDUCTIONS) {
                for (double eps : new double[] {0.0, 0.25}) {
                    for (Tensor w : new Tensor[] {null, weight}) {
                        String tag = red + " eps " + eps + (w == null ? "" : " weight")
                                + (transposed ? " transposed" : "");
                        Tensor target = Tensor.of(new long[] {0, 3, -100, 4, 1, 3}, 6);
                        check("cross_entropy (6, 5) " + tag,
                                in -> LossOps.crossEntropy(in[0], target, w, -100, red, eps),
                                randn(rnd, transposed, 6, 5));
                        Tensor ignore3 = Tensor.of(new long[] {0, 3, 2, 4, 3, 1}, 6);
                        check("cross_entropy ignore_index 3 " + tag,
                                in -> LossOps.crossEntropy(in[0], ignore3, w, 3, red, eps),
                                randn(rnd, transposed, 6, 5));
                    }
                }
            }
        }
    }

    @Test
    void crossEntropySpatialAndUnbatched() {
        Tensor weight = positive(false, false, 3);
        Tensor target = Tensor.of(new long[] {0, 2, 1, 2, 1, 0, 0, 1}, 2, 2, 2);
        for (String red : REDUCTIONS) {
            check("cross_entropy spatial contiguous " + red,
                    in -> LossOps.crossEntropy(in[0], target, weight, 1, red, 0.1), randn(rnd, false, 2, 3, 2, 2));
            check("cross_entropy spatial permuted " + red,
                    in -> LossOps.crossEntropy(in[0], target, null, -100, red, 0.3), channelsLast(2, 3, 2, 2));
            Tensor one = Tensor.of(new long[] {3}, new int[0]);
            check("cross_entropy unbatched " + red, in -> LossOps.crossEntropy(in[0], one, null, -100, red, 0.2),
                    randn(rnd, false, 5));
        }
    }

    @Test
    void crossEntropyProbabilities() {
        Tensor weight = positive(false, false, 4);
        for (boolean transposed : new boolean[] {false, true}) {
            for (String red : REDUCTIONS) {
                String tag = red + (transposed ? " transposed" : "");
                check("cross_entropy probabilities " + tag,
                        in -> LossOps.crossEntropy(in[0], in[1], null, -100, red, 0.0),
                        randn(rnd, transposed, 3, 4), probabilities(transposed, 3, 4));
                check("cross_entropy probabilities weight eps " + tag,
                        in -> LossOps.crossEntropy(in[0], in[1], weight, -100, red, 0.2),
                        randn(rnd, transposed, 3, 4), probabilities(transposed, 3, 4));
            }
        }
        check("cross_entropy probabilities spatial", in -> LossOps.crossEntropy(in[0], in[1], null, -100, "mean", 0),
                channelsLast(2, 3, 2, 2), probabilities(false, 2, 3, 2, 2));
        check("cross_entropy probabilities unbatched", in -> LossOps.crossEntropy(in[0], in[1], null, -100, "none",
                0.1), randn(rnd, false, 4), probabilities(false, 4));
    }

    @Test
    void nllLoss() {
        Tensor weight = positive(false, false, 4);
        Tensor target = Tensor.of(new long[] {1, 0, 3, 3, 2}, 5);
        Tensor spatialTarget = Tensor.of(new long[] {1, 0, 3, 2, 2, 1}, 2, 3);
        for (boolean transposed : new boolean[] {false, true}) {
            for (String red : REDUCTIONS) {
                String tag = red + (transposed ? " transposed" : "");
                check("nll_loss " + tag, in -> LossOps.nllLoss(in[0], target, weight, 3, red),
                        randn(rnd, transposed, 5, 4));
                check("nll_loss spatial " + tag, in -> LossOps.nllLoss(in[0], spatialTarget, null, -100, red),
                        randn(rnd, transposed, 2, 4, 3));
            }
        }
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    private static void check(String what, Function<Tensor[], Tensor> f, Tensor... inputs) {
        GradCheck.check(what, f, inputs);
    }

    /** Values in (0.1, 1.1), optionally requiring grad, optionally a transposed view. */
    private Tensor positive(boolean requiresGrad, boolean transposed, int... shape) {
        Tensor t = randn(rnd, transposed, shape);
        double[] v = t.toDoubleArray();
        for (int i = 0; i < v.length; i++) {
            v[i] = 0.1 + rnd.nextDouble();
        }
        copyInto(t, v);
        Tensor leaf = t.detach();
        leaf.requiresGrad(requiresGrad);
        return leaf;
    }

    /** Values in (0, 1) that require grad (BCE targets, class probabilities). */
    private Tensor probabilities(boolean transposed, int... shape) {
        Tensor t = randn(rnd, transposed, shape);
        double[] v = t.toDoubleArray();
        for (int i = 0; i < v.length; i++) {
            v[i] = 0.05 + 0.9 * rnd.nextDouble();
        }
        copyInto(t, v);
        return t;
    }

    /** A random (N, C, H, W) leaf stored channels-last, so the class dim has a non-unit stride. */
    private Tensor channelsLast(int n, int c, int h, int w) {
        Tensor base = randn(rnd, false, n, h, w, c);
        Tensor view = base.detach().asStrided(new int[] {n, c, h, w}, new int[] {h * w * c, 1, w * c, c}, 0);
        view.requiresGrad(true);
        return view;
    }

    private static void copyInto(Tensor t, double[] v) {
        try (GradMode.Region ignored = GradMode.disable()) {
            t.copyFrom(Tensor.of(v, DType.FP64, t.shape()));
        }
        if (t.numel() != v.length) {
            throw new IllegalStateException("shape " + Shape.format(t.shape()));
        }
    }
}
