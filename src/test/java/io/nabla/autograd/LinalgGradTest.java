package io.nabla.autograd;

import static io.nabla.autograd.GradCheck.randn;

import io.nabla.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Finite-difference checks (float64) of matmul, mm, bmm and linear over vector, batched and strided operands. */
class LinalgGradTest {

    private final Random rnd = new Random(7);

    private void matmul(String what, Tensor a, Tensor b) {
        GradCheck.check("matmul " + what, x -> LinalgOps.matmul(x[0], x[1]), a, b);
    }

    @Test
    void matricesContiguousAndTransposed() {
        matmul("(3, 4)(4, 5)", randn(rnd, false, 3, 4), randn(rnd, false, 4, 5));
        matmul("(3, 4)ᵀ(4, 5)", randn(rnd, true, 3, 4), randn(rnd, false, 4, 5));
        matmul("(3, 4)(4, 5)ᵀ", randn(rnd, false, 3, 4), randn(rnd, true, 4, 5));
        matmul("(3, 4)ᵀ(4, 5)ᵀ", randn(rnd, true, 3, 4), randn(rnd, true, 4, 5));
    }

    @Test
    void vectors() {
        matmul("dot", randn(rnd, false, 5), randn(rnd, false, 5));
        matmul("vec·mat", randn(rnd, false, 4), randn(rnd, true, 4, 3));
        matmul("mat·vec", randn(rnd, true, 3, 4), randn(rnd, false, 4));
        matmul("vec·batch", randn(rnd, false, 4), randn(rnd, false, 2, 4, 3));
        matmul("batch·vec", randn(rnd, false, 2, 3, 4), randn(rnd, false, 4));
    }

    @Test
    void stridedVectorsAndColumnSlices() {
        Tensor base = randn(rnd, false, 3, 8).detach();
        Tensor everyOther = ShapeOps.slice(base, 1, 0, 8, 2).detach().requiresGrad(true); // (3, 4), col stride 2
        matmul("column-step-2 · mat", everyOther, randn(rnd, false, 4, 2));
        Tensor v = ShapeOps.slice(randn(rnd, false, 10).detach(), 0, 1, 10, 2).detach().requiresGrad(true);
        matmul("strided vec · mat", v, randn(rnd, false, 5, 3));
        matmul("mat · strided vec", randn(rnd, false, 2, 5), v);
    }

    @Test
    void batchedWithBroadcast() {
        matmul("(2, 1, 3, 4)(5, 4, 2)", randn(rnd, false, 2, 1, 3, 4), randn(rnd, false, 5, 4, 2));
        matmul("(2, 3, 4)(4, 5)", randn(rnd, false, 2, 3, 4), randn(rnd, false, 4, 5));
        matmul("(2, 3, 4)ᵀ(4, 5)ᵀ", randn(rnd, true, 2, 3, 4), randn(rnd, true, 4, 5));
        matmul("(3, 4)(2, 4, 5)", randn(rnd, false, 3, 4), randn(rnd, false, 2, 4, 5));
        matmul("(2, 1, 3, 4)ᵀ(1, 3, 4, 2)ᵀ", randn(rnd, true, 2, 1, 3, 4), randn(rnd, true, 1, 3, 4, 2));
        Tensor permuted = ShapeOps.permute(randn(rnd, false, 3, 2, 4).detach(), 1, 0, 2).detach().requiresGrad(true);
        matmul("permuted (2, 3, 4)(4, 2)", permuted, randn(rnd, false, 4, 2));
    }

    @Test
    void mmAndBmm() {
        GradCheck.check("mm", x -> LinalgOps.mm(x[0], x[1]), randn(rnd, true, 3, 4), randn(rnd, false, 4, 2));
        GradCheck.check("bmm", x -> LinalgOps.bmm(x[0], x[1]), randn(rnd, false, 2, 3, 4), randn(rnd, true, 2, 4, 2));
    }

    @Test
    void linear() {
        GradCheck.check("linear 2d", x -> LinalgOps.linear(x[0], x[1], x[2]), randn(rnd, false, 4, 5),
                randn(rnd, false, 3, 5), randn(rnd, false, 3));
        GradCheck.check("linear 3d transposed weight", x -> LinalgOps.linear(x[0], x[1], x[2]),
                randn(rnd, false, 2, 4, 5), randn(rnd, true, 3, 5), randn(rnd, false, 3));
        GradCheck.check("linear 3d non-contiguous input", x -> LinalgOps.linear(x[0], x[1], x[2]),
                randn(rnd, true, 2, 5, 4), randn(rnd, false, 3, 4), randn(rnd, false, 3));
        GradCheck.check("linear 1d", x -> LinalgOps.linear(x[0], x[1], x[2]), randn(rnd, false, 5),
                randn(rnd, false, 3, 5), randn(rnd, false, 3));
        GradCheck.check("linear no bias", x -> LinalgOps.linear(x[0], x[1], null), randn(rnd, false, 2, 3, 5),
                randn(rnd, false, 4, 5));
    }
}
