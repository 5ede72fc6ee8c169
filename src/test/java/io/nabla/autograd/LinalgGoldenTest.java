package io.nabla.autograd;

import io.nabla.golden.Golden;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Every case of the PyTorch fixture {@code matmul.json}: outputs and gradients. */
class LinalgGoldenTest {

    @TestFactory
    Stream<DynamicTest> matmulFixtures() {
        return Golden.tests("matmul.json", Map.of(
                "matmul", Golden.one(c -> LinalgOps.matmul(c.in("a"), c.in("b"))),
                "linear", Golden.one(c -> LinalgOps.linear(c.in("input"), c.in("weight"),
                        c.hasInput("bias") ? c.in("bias") : null))));
    }
}
