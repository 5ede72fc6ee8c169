package io.nabla.autograd;

import io.nabla.golden.Golden;
import io.nabla.golden.Golden.Case;
import io.nabla.tensor.Tensor;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** The PyTorch fixtures of the elementwise, activation and broadcast families: every case, forward and gradients. */
class ElementwiseGoldenTest {

    private static final Map<String, Golden.Op> BINARY = Map.of(
            "add", Golden.one(c -> ElementwiseOps.add(c.in("a"), c.in("b"))),
            "sub", Golden.one(c -> ElementwiseOps.sub(c.in("a"), c.in("b"))),
            "mul", Golden.one(c -> ElementwiseOps.mul(c.in("a"), c.in("b"))),
            "div", Golden.one(c -> ElementwiseOps.div(c.in("a"), c.in("b"))),
            "pow", Golden.one(ElementwiseGoldenTest::pow),
            "maximum", Golden.one(c -> ElementwiseOps.maximum(c.in("a"), c.in("b"))),
            "minimum", Golden.one(c -> ElementwiseOps.minimum(c.in("a"), c.in("b"))),
            "where", Golden.one(c -> ElementwiseOps.where(c.in("condition"), c.in("a"), c.in("b"))));

    private static Tensor pow(Case c) {
        return c.hasInput("input") ? ElementwiseOps.pow(c.in("input"), c.d("exponent"))
                : ElementwiseOps.pow(c.in("a"), c.in("b"));
    }

    private static Tensor clamp(Case c) {
        return ElementwiseOps.clamp(c.in("input"), c.has("min") ? c.d("min") : null,
                c.has("max") ? c.d("max") : null);
    }

    @TestFactory
    Stream<DynamicTest> elementwise() {
        Map<String, Golden.Op> ops = new java.util.HashMap<>(BINARY);
        ops.put("neg", Golden.one(c -> ElementwiseOps.neg(c.in("input"))));
        ops.put("abs", Golden.one(c -> ElementwiseOps.abs(c.in("input"))));
        ops.put("exp", Golden.one(c -> ElementwiseOps.exp(c.in("input"))));
        ops.put("log", Golden.one(c -> ElementwiseOps.log(c.in("input"))));
        ops.put("sqrt", Golden.one(c -> ElementwiseOps.sqrt(c.in("input"))));
        ops.put("rsqrt", Golden.one(c -> ElementwiseOps.rsqrt(c.in("input"))));
        ops.put("sin", Golden.one(c -> ElementwiseOps.sin(c.in("input"))));
        ops.put("cos", Golden.one(c -> ElementwiseOps.cos(c.in("input"))));
        ops.put("reciprocal", Golden.one(c -> ElementwiseOps.reciprocal(c.in("input"))));
        ops.put("square", Golden.one(c -> ElementwiseOps.square(c.in("input"))));
        ops.put("clamp", Golden.one(ElementwiseGoldenTest::clamp));
        return Golden.tests("elementwise.json", ops);
    }

    @TestFactory
    Stream<DynamicTest> activation() {
        return Golden.tests("activation.json", Map.of(
                "tanh", Golden.one(c -> ActivationOps.tanh(c.in("input"))),
                "sigmoid", Golden.one(c -> ActivationOps.sigmoid(c.in("input"))),
                "relu", Golden.one(c -> ActivationOps.relu(c.in("input"))),
                "leaky_relu", Golden.one(c -> ActivationOps.leakyRelu(c.in("input"), c.d("negative_slope"))),
                "gelu", Golden.one(c -> ActivationOps.gelu(c.in("input"), c.s("approximate"))),
                "silu", Golden.one(c -> ActivationOps.silu(c.in("input"))),
                "softplus", Golden.one(c -> ActivationOps.softplus(c.in("input"), c.d("beta"), c.d("threshold"))),
                "elu", Golden.one(c -> ActivationOps.elu(c.in("input"), c.d("alpha")))));
    }

    @TestFactory
    Stream<DynamicTest> broadcast() {
        return Golden.tests("broadcast.json", BINARY);
    }
}
