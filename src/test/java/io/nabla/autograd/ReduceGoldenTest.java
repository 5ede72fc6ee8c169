package io.nabla.autograd;

import io.nabla.golden.Golden;
import io.nabla.golden.Golden.Case;
import io.nabla.tensor.Tensor;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Every case of the PyTorch fixture {@code reduce.json}: forward values and input gradients. */
class ReduceGoldenTest {

    @TestFactory
    Stream<DynamicTest> reduce() {
        return Golden.tests("reduce.json", Map.of(
                "sum", Golden.one(c -> c.has("dim") ? ReduceOps.sum(x(c), c.ints("dim"), keepdim(c))
                        : ReduceOps.sum(x(c))),
                "mean", Golden.one(c -> c.has("dim") ? ReduceOps.mean(x(c), c.ints("dim"), keepdim(c))
                        : ReduceOps.mean(x(c))),
                "amax", Golden.one(c -> ReduceOps.amax(x(c), c.ints("dim"), keepdim(c))),
                "amin", Golden.one(c -> ReduceOps.amin(x(c), c.ints("dim"), keepdim(c))),
                "var", Golden.one(c -> ReduceOps.var(x(c), dims(c), unbiased(c), keepdim(c))),
                "std", Golden.one(c -> ReduceOps.std(x(c), dims(c), unbiased(c), keepdim(c))),
                "logsumexp", Golden.one(c -> ReduceOps.logsumexp(x(c), c.ints("dim"), keepdim(c))),
                "argmax", Golden.one(c -> c.has("dim") ? ReduceOps.argmax(x(c), c.i("dim"), keepdim(c))
                        : ReduceOps.argmax(x(c))),
                "prod", Golden.one(c -> c.has("dim") ? ReduceOps.prod(x(c), c.i("dim"), keepdim(c))
                        : ReduceOps.prod(x(c)))));
    }

    private static Tensor x(Case c) {
        return c.in("input");
    }

    private static boolean keepdim(Case c) {
        return c.has("keepdim") && c.b("keepdim");
    }

    private static int[] dims(Case c) {
        return c.has("dim") ? c.ints("dim") : new int[0];
    }

    private static boolean unbiased(Case c) {
        return !c.has("unbiased") || c.b("unbiased");
    }
}
