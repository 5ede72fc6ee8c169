package io.nabla.model;

import io.nabla.backend.cuda.CudaTestBackend;
import io.nabla.backend.cuda.RequiresCuda;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every golden training run of golden/models again with the model on cuda:0 ({@link ModelBuilder} builds it on the
 * host and moves it, batches go to the device step by step, the optimizer keeps its state there): the same losses,
 * final weights and logits within the same tolerances as {@link TrainingGoldenTest}. Skipped without a GPU.
 */
@RequiresCuda
public class CudaTrainingGoldenTest {

    @ParameterizedTest
    @ValueSource(strings = {"mlp_sgd", "mlp_adamw"})
    void trainingOnCudaReproducesPyTorchStepForStep(String run) {
        TrainingGoldenTest.reproduce(run, CudaTestBackend.device());
    }
}
