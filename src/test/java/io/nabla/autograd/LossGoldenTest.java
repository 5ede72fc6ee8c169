package io.nabla.autograd;

import io.nabla.golden.Golden;
import io.nabla.golden.Golden.Case;
import io.nabla.tensor.Tensor;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every case of {@code golden/ops/loss.json} and of {@code loss_extra.json} (option combinations, probability
 * targets and target gradients, written by {@code src/test/python/gen_loss_extra.py}): forward and gradients
 * against PyTorch 1.13.
 */
class LossGoldenTest {

    @TestFactory
    Stream<DynamicTest> loss() {
        return Golden.tests("loss.json", OPS);
    }

    @TestFactory
    Stream<DynamicTest> lossExtra() {
        return Golden.tests("loss_extra.json", OPS);
    }

    private static final Map<String, Golden.Op> OPS = Map.of(
                "mse_loss", Golden.one(c -> LossOps.mseLoss(c.in("input"), c.in("target"), reduction(c))),
                "l1_loss", Golden.one(c -> LossOps.l1Loss(c.in("input"), c.in("target"), reduction(c))),
                "smooth_l1_loss", Golden.one(c -> LossOps.smoothL1Loss(c.in("input"), c.in("target"), reduction(c),
                        c.has("beta") ? c.d("beta") : 1.0)),
                "cross_entropy", Golden.one(c -> LossOps.crossEntropy(c.in("input"), c.in("target"), optional(c,
                        "weight"), ignoreIndex(c), reduction(c), c.has("label_smoothing") ? c.d("label_smoothing")
                        : 0.0)),
                "nll_loss", Golden.one(c -> LossOps.nllLoss(c.in("input"), c.in("target"), optional(c, "weight"),
                        ignoreIndex(c), reduction(c))),
                "binary_cross_entropy_with_logits", Golden.one(c -> LossOps.binaryCrossEntropyWithLogits(
                        c.in("input"), c.in("target"), optional(c, "weight"), optional(c, "pos_weight"),
                        reduction(c))),
                "kl_div", Golden.one(c -> LossOps.klDiv(c.in("input"), c.in("target"), reduction(c),
                        c.has("log_target") && c.b("log_target"))));

    private static String reduction(Case c) {
        return c.has("reduction") ? c.s("reduction") : "mean";
    }

    private static long ignoreIndex(Case c) {
        return c.has("ignore_index") ? c.i("ignore_index") : LossOps.DEFAULT_IGNORE_INDEX;
    }

    private static Tensor optional(Case c, String name) {
        return c.hasInput(name) ? c.in(name) : null;
    }
}
