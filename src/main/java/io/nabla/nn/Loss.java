package io.nabla.nn;

import io.nabla.autograd.LossOps;
import io.nabla.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * The training losses a fine-tuning job may name (API section 4), each PyTorch's functional loss with its default
 * arguments and mean reduction: {@code cross_entropy} and {@code nll} (int64 class targets), {@code mse},
 * {@code l1}, {@code smooth_l1} (beta 1), {@code bce_with_logits}.
 */
public enum Loss implements Criterion {
    CROSS_ENTROPY("cross_entropy"),
    MSE("mse"),
    L1("l1"),
    SMOOTH_L1("smooth_l1"),
    BCE_WITH_LOGITS("bce_with_logits"),
    NLL("nll");

    private final String apiName;

    Loss(String apiName) {
        this.apiName = apiName;
    }

    /** The name used in job requests, e.g. {@code cross_entropy}. */
    public String apiName() {
        return apiName;
    }

    /** The loss named {@code name} in a job request. */
    public static Loss parse(String name) {
        List<String> names = new ArrayList<>();
        for (Loss l : values()) {
            if (l.apiName.equals(name)) {
                return l;
            }
            names.add(l.apiName);
        }
        throw new IllegalArgumentException("loss: expected one of " + names + ", got \"" + name + "\"");
    }

    /** The mean loss of {@code input} against {@code target} (a 0-dim tensor, differentiable in input). */
    @Override
    public Tensor apply(Tensor input, Tensor target) {
        return switch (this) {
            case CROSS_ENTROPY -> LossOps.crossEntropy(input, target);
            case MSE -> LossOps.mseLoss(input, target);
            case L1 -> LossOps.l1Loss(input, target);
            case SMOOTH_L1 -> LossOps.smoothL1Loss(input, target);
            case BCE_WITH_LOGITS -> LossOps.binaryCrossEntropyWithLogits(input, target);
            case NLL -> LossOps.nllLoss(input, target);
        };
    }
}
