package io.nabla.autograd;

import io.nabla.golden.Golden;
import io.nabla.golden.Golden.Case;
import io.nabla.tensor.Tensor;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every case of the PyTorch fixture {@code norm.json}. Training-mode batch_norm also returns the running statistics
 * it updated in place, compared with the fixture's {@code output1}/{@code output2}.
 */
class NormGoldenTest {

    @TestFactory
    Stream<DynamicTest> norm() {
        return Golden.tests("norm.json", Map.of(
                "softmax", Golden.one(c -> NormOps.softmax(c.in("input"), c.i("dim"))),
                "log_softmax", Golden.one(c -> NormOps.logSoftmax(c.in("input"), c.i("dim"))),
                "layer_norm", Golden.one(c -> NormOps.layerNorm(c.in("input"), c.ints("normalized_shape"),
                        optional(c, "weight"), optional(c, "bias"), c.d("eps"))),
                "batch_norm", NormGoldenTest::batchNorm));
    }

    private static Tensor[] batchNorm(Case c) {
        Tensor rm = c.in("running_mean");
        Tensor rv = c.in("running_var");
        boolean training = c.b("training");
        Tensor out = NormOps.batchNorm(c.in("input"), rm, rv, optional(c, "weight"), optional(c, "bias"), training,
                c.d("momentum"), c.d("eps"));
        return training ? new Tensor[] {out, rm, rv} : new Tensor[] {out};
    }

    private static Tensor optional(Case c, String name) {
        return c.hasInput(name) ? c.in(name) : null;
    }
}
