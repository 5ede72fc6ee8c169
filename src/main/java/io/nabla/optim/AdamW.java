package io.nabla.optim;

import io.nabla.tensor.Tensor;
import java.util.List;

/**
 * {@code torch.optim.AdamW} as in PyTorch 1.13: Adam with decoupled weight decay, {@code p *= 1 - lr * weight_decay}
 * before the Adam update, and a default weight decay of 0.01.
 */
public final class AdamW extends Adam {

    /** PyTorch's AdamW defaults: Adam's with weight_decay 0.01. */
    public static Options defaults() {
        return Options.defaults().withWeightDecay(1e-2);
    }

    public AdamW(List<Tensor> params, Options options) {
        super(params, options, true);
    }
}
