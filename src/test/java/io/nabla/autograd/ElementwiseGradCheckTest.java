package io.nabla.autograd;

import static io.nabla.autograd.ElementwiseOps.where;

import io.nabla.backend.DType;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Finite-difference checks (float64) of every differentiable elementwise and activation op, on contiguous,
 * transposed (non-contiguous) and broadcast inputs.
 */
class ElementwiseGradCheckTest {

    /** How the random inputs of an op are drawn. */
    enum Domain { ANY, POSITIVE }

    private record Unary(String name, Domain domain, Function<Tensor, Tensor> f) {
    }

    private record Binary(String name, Domain domainA, Function<Tensor[], Tensor> f) {
    }

    private static final List<Unary> UNARY = List.of(
            new Unary("neg", Domain.ANY, ElementwiseOps::neg),
            new Unary("abs", Domain.ANY, ElementwiseOps::abs),
            new Unary("exp", Domain.ANY, ElementwiseOps::exp),
            new Unary("log", Domain.POSITIVE, ElementwiseOps::log),
            new Unary("sqrt", Domain.POSITIVE, ElementwiseOps::sqrt),
            new Unary("rsqrt", Domain.POSITIVE, ElementwiseOps::rsqrt),
            new Unary("sin", Domain.ANY, ElementwiseOps::sin),
            new Unary("cos", Domain.ANY, ElementwiseOps::cos),
            new Unary("reciprocal", Domain.POSITIVE, ElementwiseOps::reciprocal),
            new Unary("square", Domain.ANY, ElementwiseOps::square),
            new Unary("pow_2", Domain.ANY, x -> ElementwiseOps.pow(x, 2.0)),
            new Unary("pow_3", Domain.ANY, x -> ElementwiseOps.pow(x, 3L)),
            new Unary("pow_0.5", Domain.POSITIVE, x -> ElementwiseOps.pow(x, 0.5)),
            new Unary("pow_2.5", Domain.POSITIVE, x -> ElementwiseOps.pow(x, 2.5)),
            new Unary("pow_-1.5", Domain.POSITIVE, x -> ElementwiseOps.pow(x, -1.5)),
            new Unary("pow_0", Domain.ANY, x -> ElementwiseOps.pow(x, 0.0)),
            new Unary("clamp", Domain.ANY, x -> ElementwiseOps.clamp(x, -0.5, 0.5)),
            new Unary("clamp_min", Domain.ANY, x -> ElementwiseOps.clampMin(x, -0.2)),
            new Unary("clamp_max", Domain.ANY, x -> ElementwiseOps.clampMax(x, 0.3)),
            new Unary("add_scalar", Domain.ANY, x -> ElementwiseOps.add(x, 2.5)),
            new Unary("sub_scalar", Domain.ANY, x -> ElementwiseOps.sub(x, 2L)),
            new Unary("rsub_scalar", Domain.ANY, x -> ElementwiseOps.sub(3.0, x)),
            new Unary("mul_scalar", Domain.ANY, x -> ElementwiseOps.mul(x, -1.5)),
            new Unary("div_scalar", Domain.ANY, x -> ElementwiseOps.div(x, 4.0)),
            new Unary("rdiv_scalar", Domain.POSITIVE, x -> ElementwiseOps.div(2.0, x)),
            new Unary("tanh", Domain.ANY, ActivationOps::tanh),
            new Unary("sigmoid", Domain.ANY, ActivationOps::sigmoid),
            new Unary("relu", Domain.ANY, ActivationOps::relu),
            new Unary("leaky_relu", Domain.ANY, x -> ActivationOps.leakyRelu(x, 0.2)),
            new Unary("gelu", Domain.ANY, ActivationOps::gelu),
            new Unary("gelu_tanh", Domain.ANY, x -> ActivationOps.gelu(x, "tanh")),
            new Unary("silu", Domain.ANY, ActivationOps::silu),
            new Unary("softplus", Domain.ANY, ActivationOps::softplus),
            new Unary("softplus_beta2_threshold1", Domain.ANY, x -> ActivationOps.softplus(x, 2.0, 1.0)),
            new Unary("elu", Domain.ANY, x -> ActivationOps.elu(x, 0.7)),
            new Unary("mish", Domain.ANY, ActivationOps::mish),
            new Unary("chain", Domain.ANY, x -> ElementwiseOps.mul(ActivationOps.tanh(x), ElementwiseOps.exp(x))));

    private static final List<Binary> BINARY = List.of(
            new Binary("add", Domain.ANY, t -> ElementwiseOps.add(t[0], t[1])),
            new Binary("sub", Domain.ANY, t -> ElementwiseOps.sub(t[0], t[1])),
            new Binary("mul", Domain.ANY, t -> ElementwiseOps.mul(t[0], t[1])),
            new Binary("div", Domain.ANY, t -> ElementwiseOps.div(t[0], ElementwiseOps.add(ElementwiseOps.abs(t[1]),
                    0.5))),
            new Binary("pow", Domain.POSITIVE, t -> ElementwiseOps.pow(t[0], t[1])),
            new Binary("maximum", Domain.ANY, t -> ElementwiseOps.maximum(t[0], t[1])),
            new Binary("minimum", Domain.ANY, t -> ElementwiseOps.minimum(t[0], t[1])),
            new Binary("where", Domain.ANY, t -> where(ElementwiseOps.gt(t[0], 0.0), t[0], t[1])),
            new Binary("same_input_twice", Domain.ANY, t -> ElementwiseOps.mul(t[0], ElementwiseOps.add(t[0], t[1]))));

    /** Shape pairs: same shape, broadcast both ways, a 0-dim operand; transposed marks non-contiguous inputs. */
    private static final int[][][] PAIRS = {
        {{3, 4}, {3, 4}}, {{3, 1}, {1, 4}}, {{2, 3, 4}, {4}}, {{}, {2, 3}}, {{2, 3}, {}}, {{4}, {2, 3, 4}},
    };

    @TestFactory
    Stream<DynamicTest> unaryOps() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Unary u : UNARY) {
            for (boolean transposed : new boolean[] {false, true}) {
                String name = u.name() + (transposed ? " on a transposed (4, 3)" : " on (3, 4)");
                tests.add(DynamicTest.dynamicTest(name, () -> {
                    try (TensorScope s = TensorScope.open()) {
                        Random rnd = new Random(name.hashCode());
                        Tensor x = input(rnd, u.domain(), transposed, 3, 4);
                        GradCheck.check(name, in -> u.f().apply(in[0]), x);
                    }
                }));
            }
        }
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> binaryOps() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Binary b : BINARY) {
            for (int[][] pair : PAIRS) {
                for (boolean transposed : new boolean[] {false, true}) {
                    if (transposed && pair[0].length < 2 && pair[1].length < 2) {
                        continue;
                    }
                    String name = b.name() + " " + io.nabla.tensor.Shape.format(pair[0]) + " x "
                            + io.nabla.tensor.Shape.format(pair[1]) + (transposed ? " transposed" : "");
                    tests.add(DynamicTest.dynamicTest(name, () -> {
                        try (TensorScope s = TensorScope.open()) {
                            Random rnd = new Random(name.hashCode());
                            Tensor a = input(rnd, b.domainA(), transposed, pair[0]);
                            Tensor c = input(rnd, Domain.ANY, transposed, pair[1]);
                            GradCheck.check(name, b.f(), a, c);
                        }
                    }));
                }
            }
        }
        return tests.stream();
    }

    /** A float64 leaf that requires grad; POSITIVE draws from [0.5, 2.5). */
    static Tensor input(Random rnd, Domain domain, boolean transposed, int... shape) {
        Tensor x = GradCheck.randn(rnd, transposed, shape);
        if (domain == Domain.ANY) {
            return x;
        }
        try (GradMode.Region ng = GradMode.disable()) {
            Tensor base = x.detach();
            double[] v = base.toDoubleArray();
            for (int i = 0; i < v.length; i++) {
                v[i] = 0.5 + 2 * rnd.nextDouble();
            }
            base.copyFrom(Tensor.of(v, DType.FP64, base.shape()));
        }
        return x;
    }
}
