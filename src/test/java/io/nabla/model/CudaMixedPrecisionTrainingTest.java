package io.nabla.model;

import io.nabla.backend.cuda.CudaTestBackend;
import io.nabla.backend.cuda.RequiresCuda;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The mixed-precision runs of {@link MixedPrecisionTrainingTest} with the model on cuda:0: cuBLAS computes the
 * FP16/BF16 products in FP32 (the CPU and the fixtures in double), so an element may round to the other neighbour
 * now and then; losses must agree to 1e-3 relative and the loss scale, hence every skipped step, exactly.
 * Skipped without a GPU.
 */
@RequiresCuda
public class CudaMixedPrecisionTrainingTest {

    @ParameterizedTest
    @ValueSource(strings = {"amp_bf16_mlp", "amp_fp16_norms", "amp_fp16_overflow"})
    void mixedPrecisionOnCudaReproducesPyTorchsAutocastRun(String name) {
        MixedPrecisionTrainingTest.reproduce(name, CudaTestBackend.device(), 1e-3);
    }
}
