package io.nabla.jobs;

import io.nabla.tensor.Tensor;
import java.util.List;
import java.util.Map;

/**
 * Everything a job needs to continue exactly where it was: after {@code step} optimizer steps, the model's state
 * dict, the optimizer's state dict, the loss scaler's state (mixed precision), the random generator's state at the start of the current epoch (to draw that
 * epoch's batch order again) and now (for what it draws next). The losses of those steps are in the job's record,
 * which is written before the checkpoint; checkpoints of earlier versions held them too.
 *
 * @param step optimizer steps done
 * @param losses the loss of each of those steps in a checkpoint of an earlier version; null in those written now
 * @param model the model's state dict
 * @param optimizer the optimizer's state dict
 * @param rngEpochStart the generator's state before the current epoch drew its permutation
 * @param rngNow the generator's state after the last step
 * @param scaler the loss scaler's state dict in mixed precision ({@code scale}, {@code growth_tracker}); empty in FP32
 * @param best the model's state dict after its best epoch so far, for a job that publishes it
 *     ({@code early_stopping.restore_best_weights}); empty otherwise and before the first evaluation
 */
record Checkpoint(int step, List<Double> losses, Map<String, Tensor> model, Map<String, Tensor> optimizer,
        long[] rngEpochStart, long[] rngNow, Map<String, Tensor> scaler, Map<String, Tensor> best) {

    Checkpoint {
        losses = losses == null ? null : List.copyOf(losses);
        scaler = Map.copyOf(scaler);
        best = Map.copyOf(best);
        if (losses != null && losses.size() != step) {
            throw new IllegalArgumentException("a checkpoint after " + step + " steps needs " + step + " losses, got "
                    + losses.size());
        }
    }
}
