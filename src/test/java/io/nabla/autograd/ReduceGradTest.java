package io.nabla.autograd;

import io.nabla.tensor.Tensor;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Finite-difference checks (float64) of every differentiable reduction, on contiguous, transposed (non-contiguous)
 * and broadcast (expanded) inputs, over all dims, one dim, several dims and negative dims, with and without keepdim.
 */
class ReduceGradTest {

    private final Random rnd = new Random(7);

    /** Runs {@code f} on a contiguous, a transposed and an expanded input of shape (3, 4, 5). */
    private void checkLayouts(String name, Function<Tensor, Tensor> f) {
        GradCheck.check(name + " contiguous", in -> f.apply(in[0]), GradCheck.randn(rnd, false, 3, 4, 5));
        GradCheck.check(name + " transposed", in -> f.apply(in[0]), GradCheck.randn(rnd, true, 3, 4, 5));
        GradCheck.check(name + " broadcast", in -> f.apply(ShapeOps.expand(in[0], 3, 4, 5)),
                GradCheck.randn(rnd, false, 1, 4, 5));
    }

    @Test
    void sum() {
        checkLayouts("sum all", ReduceOps::sum);
        checkLayouts("sum dims 0,2", x -> ReduceOps.sum(x, new int[] {0, 2}, false));
    }

    @Test
    void mean() {
        checkLayouts("mean all", ReduceOps::mean);
        checkLayouts("mean dim -1 keepdim", x -> ReduceOps.mean(x, new int[] {-1}, true));
        checkLayouts("mean dims 0,1", x -> ReduceOps.mean(x, new int[] {0, 1}, false));
    }

    @Test
    void prod() {
        checkLayouts("prod all", ReduceOps::prod);
        checkLayouts("prod dim 1", x -> ReduceOps.prod(x, 1, false));
        checkLayouts("prod dim -1 keepdim", x -> ReduceOps.prod(x, -1, true));
    }

    @Test
    void prodWithZeros() {
        Tensor one = GradCheck.randn(rnd, false, 3, 4);
        one.setDouble(0.0, 1, 2);
        GradCheck.check("prod one zero", in -> ReduceOps.prod(in[0], 1, false), one);
        Tensor two = GradCheck.randn(rnd, false, 3, 4);
        two.setDouble(0.0, 0, 1);
        two.setDouble(0.0, 0, 3);
        two.setDouble(0.0, 2, 0);
        GradCheck.check("prod two zeros", in -> ReduceOps.prod(in[0], 1, false), two);
        Tensor all = GradCheck.randn(rnd, true, 3, 4);
        all.setDouble(0.0, 1, 1);
        GradCheck.check("prod all with zero", in -> ReduceOps.prod(in[0]), all);
    }

    @Test
    void amaxAmin() {
        GradCheck.check("amax dims 0,2", in -> ReduceOps.amax(in[0], new int[] {0, 2}, false),
                GradCheck.randn(rnd, true, 3, 4, 5));
        GradCheck.check("amax all", in -> ReduceOps.amax(in[0], new int[0], false),
                GradCheck.randn(rnd, false, 3, 4, 5));
        GradCheck.check("amin dim -1 keepdim", in -> ReduceOps.amin(in[0], new int[] {-1}, true),
                GradCheck.randn(rnd, true, 3, 4, 5));
        GradCheck.check("max all", in -> ReduceOps.max(in[0]), GradCheck.randn(rnd, true, 3, 4));
        GradCheck.check("min all", in -> ReduceOps.min(in[0]), GradCheck.randn(rnd, false, 3, 4));
    }

    @Test
    void maxMinAlongDim() {
        GradCheck.check("max dim 1 values", in -> ReduceOps.max(in[0], 1, false).values(),
                GradCheck.randn(rnd, true, 3, 4, 5));
        GradCheck.check("min dim -1 keepdim values", in -> ReduceOps.min(in[0], -1, true).values(),
                GradCheck.randn(rnd, true, 3, 4, 5));
    }

    @Test
    void varStd() {
        checkLayouts("var all", ReduceOps::var);
        checkLayouts("var dims 0,2 biased", x -> ReduceOps.var(x, new int[] {0, 2}, false, false));
        checkLayouts("var dim 1 correction 2 keepdim", x -> ReduceOps.var(x, new int[] {1}, 2.0, true));
        checkLayouts("std all", ReduceOps::std);
        checkLayouts("std dim -1 biased", x -> ReduceOps.std(x, new int[] {-1}, false, false));
        checkLayouts("std dims -1,-3 keepdim", x -> ReduceOps.std(x, new int[] {-1, -3}, true, true));
    }

    @Test
    void logsumexp() {
        checkLayouts("logsumexp dim 1", x -> ReduceOps.logsumexp(x, new int[] {1}, false));
        checkLayouts("logsumexp all", x -> ReduceOps.logsumexp(x, new int[0], false));
        checkLayouts("logsumexp dims -1,0 keepdim", x -> ReduceOps.logsumexp(x, new int[] {-1, 0}, true));
    }
}
