package io.nabla.backend.cuda;

import io.nabla.model.LayerForwardTest;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The built-model fixtures of {@link LayerForwardTest} (PyTorch's training-mode forward, every parameter's gradient,
 * the running statistics and the evaluation-mode forward of models with every layer type and argument form) run with
 * the model and its input on cuda:0.
 */
@RequiresCuda
class CudaLayerForwardTest {

    @TestFactory
    Stream<DynamicTest> builtModelsMatchPyTorchOnCuda() {
        CudaTestBackend.get();
        return Arrays.stream(LayerForwardTest.FIXTURES).map(name -> DynamicTest.dynamicTest(name,
                () -> LayerForwardTest.check(name, CudaTestBackend.device())));
    }
}
