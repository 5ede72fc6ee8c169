package io.nabla.autograd;

import io.nabla.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Finite-difference checks (float64) of softmax, log_softmax, layer_norm and batch_norm (training and evaluation),
 * with respect to every differentiable input, on contiguous, transposed and broadcast inputs.
 */
class NormGradTest {

    private final Random rnd = new Random(11);

    @Test
    void softmax() {
        for (int dim : new int[] {0, 1, -1}) {
            GradCheck.check("softmax dim " + dim, in -> NormOps.softmax(in[0], dim),
                    GradCheck.randn(rnd, false, 3, 4, 5));
            GradCheck.check("softmax transposed dim " + dim, in -> NormOps.softmax(in[0], dim),
                    GradCheck.randn(rnd, true, 3, 4, 5));
        }
        GradCheck.check("softmax broadcast", in -> NormOps.softmax(ShapeOps.expand(in[0], 3, 4), 1),
                GradCheck.randn(rnd, false, 1, 4));
    }

    @Test
    void logSoftmax() {
        for (int dim : new int[] {0, 1, -1}) {
            GradCheck.check("log_softmax dim " + dim, in -> NormOps.logSoftmax(in[0], dim),
                    GradCheck.randn(rnd, false, 3, 4, 5));
            GradCheck.check("log_softmax transposed dim " + dim, in -> NormOps.logSoftmax(in[0], dim),
                    GradCheck.randn(rnd, true, 3, 4, 5));
        }
        GradCheck.check("log_softmax broadcast", in -> NormOps.logSoftmax(ShapeOps.expand(in[0], 3, 4), 0),
                GradCheck.randn(rnd, false, 3, 1));
    }

    @Test
    void groupNorm() {
        GradCheck.check("group_norm (N, C, H, W) affine", in -> NormOps.groupNorm(in[0], 3, in[1], in[2], 1e-5),
                GradCheck.randn(rnd, false, 2, 6, 3, 2), GradCheck.randn(rnd, false, 6),
                GradCheck.randn(rnd, false, 6));
        GradCheck.check("group_norm non-contiguous (N, C, L), weight only", in -> NormOps.groupNorm(in[0], 2, in[1],
                null, 1e-5), GradCheck.randn(rnd, true, 2, 4, 5), GradCheck.randn(rnd, false, 4));
        GradCheck.check("group_norm a group per channel, no affine", in -> NormOps.groupNorm(in[0], 4, null, null,
                1e-3), GradCheck.randn(rnd, false, 3, 4, 2));
        GradCheck.check("group_norm (N, C), bias only", in -> NormOps.groupNorm(in[0], 2, null, in[1], 1e-5),
                GradCheck.randn(rnd, false, 4, 6), GradCheck.randn(rnd, false, 6));
    }

    @Test
    void layerNorm() {
        GradCheck.check("layer_norm last dim affine", in -> NormOps.layerNorm(in[0], new int[] {5}, in[1], in[2],
                1e-5), GradCheck.randn(rnd, false, 3, 4, 5), GradCheck.randn(rnd, false, 5),
                GradCheck.randn(rnd, false, 5));
        GradCheck.check("layer_norm last two dims transposed", in -> NormOps.layerNorm(in[0], new int[] {4, 5},
                in[1], in[2], 1e-5), GradCheck.randn(rnd, true, 3, 4, 5), GradCheck.randn(rnd, true, 4, 5),
                GradCheck.randn(rnd, false, 4, 5));
        GradCheck.check("layer_norm no affine", in -> NormOps.layerNorm(in[0], new int[] {6}, null, null, 1e-5),
                GradCheck.randn(rnd, true, 6, 6));
        GradCheck.check("layer_norm weight only, broadcast input", in -> NormOps.layerNorm(
                ShapeOps.expand(in[0], 3, 5), new int[] {5}, in[1], null, 1e-5),
                GradCheck.randn(rnd, false, 1, 5), GradCheck.randn(rnd, false, 5));
    }

    @Test
    void batchNormTraining() {
        GradCheck.check("batch_norm train 2d", in -> NormOps.batchNorm(in[0], null, null, in[1], in[2], true, 0.1,
                1e-5), GradCheck.randn(rnd, false, 6, 3), GradCheck.randn(rnd, false, 3),
                GradCheck.randn(rnd, false, 3));
        Tensor rm = Tensor.zeros(io.nabla.backend.DType.FP64, 3);
        Tensor rv = Tensor.ones(io.nabla.backend.DType.FP64, 3);
        GradCheck.check("batch_norm train 4d transposed with running stats", in -> NormOps.batchNorm(in[0], rm, rv,
                in[1], in[2], true, 0.1, 1e-5), GradCheck.randn(rnd, true, 2, 3, 4, 5),
                GradCheck.randn(rnd, false, 3), GradCheck.randn(rnd, false, 3));
        GradCheck.check("batch_norm train no affine", in -> NormOps.batchNorm(in[0], null, null, null, null, true,
                0.1, 1e-5), GradCheck.randn(rnd, false, 4, 2, 3));
    }

    @Test
    void batchNormEval() {
        Tensor rm = Tensor.of(new double[] {0.1, -0.2, 0.3}, 3);
        Tensor rv = Tensor.of(new double[] {0.5, 1.5, 2.0}, 3);
        GradCheck.check("batch_norm eval 4d", in -> NormOps.batchNorm(in[0], rm, rv, in[1], in[2], false, 0.1,
                1e-5), GradCheck.randn(rnd, true, 2, 3, 2, 2), GradCheck.randn(rnd, false, 3),
                GradCheck.randn(rnd, false, 3));
        GradCheck.check("batch_norm eval 2d no affine", in -> NormOps.batchNorm(in[0], rm, rv, null, null, false,
                0.1, 1e-5), GradCheck.randn(rnd, false, 5, 3));
    }
}
