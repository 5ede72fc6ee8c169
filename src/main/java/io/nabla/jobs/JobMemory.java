package io.nabla.jobs;

import io.nabla.model.ModelSpec;
import io.nabla.model.ParameterBudget;
import io.nabla.model.TensorSpec;

/**
 * The device memory a fine-tuning job is admitted with: an estimate, since the exact figure depends on the
 * activations each layer keeps. Parameters and buffers, their gradients and up to three optimizer slots per
 * parameter (SGD momentum; Adam's two moments and AMSGrad's maximum), plus a batch's input and output rows four
 * times over (the batch, activations and their gradients), all in 4-byte elements; in mixed precision one more
 * slot per parameter for its FP16/BF16 copy and that copy's gradient (activations are counted at 4 bytes still), and
 * one for the best epoch's state that {@code early_stopping.restore_best_weights} keeps. The job's arena is not capped by
 * it: admission keeps this much free for the job, the arena limit ({@code nabla.gpu.arena-limit}) caps it.
 */
final class JobMemory {

    private JobMemory() {
    }

    static long estimate(ModelSpec spec, JobRequest request) {
        long params = ParameterBudget.elements(spec);
        int slots = request.optimizer().type().equals("sgd") ? 1 : 3;
        if (request.lowPrecision() != null) {
            slots++; // each step's 2-byte copies of the weights and their 2-byte gradients
        }
        if (request.earlyStopping() != null && request.earlyStopping().restoreBestWeights()) {
            slots++; // the state after the best epoch
        }
        long rows = Math.max(1, row(spec.inputs().get(0)) + row(spec.outputs().get(0)));
        long elements = Math.addExact(Math.multiplyExact(params, 2L + slots),
                Math.multiplyExact(Math.multiplyExact(rows, request.batchSize()), 4L));
        return Math.multiplyExact(elements, 4L);
    }

    /** Elements of one sample (the shape without its first, batch dimension; -1 sizes count as 1). */
    private static long row(TensorSpec t) {
        long n = 1;
        int[] shape = t.shape();
        for (int d = 1; d < shape.length; d++) {
            n = Math.multiplyExact(n, Math.max(1, shape[d]));
        }
        return n;
    }
}
