package io.nabla.autograd;

import static org.assertj.core.api.Assertions.assertThat;

import io.nabla.backend.DType;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Finite-difference checks of every differentiable index, order and join op, on contiguous and transposed inputs. */
class IndexOpsGradTest {

    private final Random rnd = new Random(7);
    private TensorScope scope;

    @BeforeEach
    void open() {
        scope = TensorScope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    private Tensor x(boolean transposed, int... shape) {
        return GradCheck.randn(rnd, transposed, shape);
    }

    /** Random indices in [0, bound) of the given shape, duplicates likely. */
    private Tensor index(int bound, int... shape) {
        long[] v = new long[(int) io.nabla.tensor.Shape.numel(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = rnd.nextInt(bound);
        }
        return Tensor.of(v, shape);
    }

    @Test
    void gather() {
        for (boolean tr : new boolean[] {false, true}) {
            Tensor idx1 = index(4, 3, 6);
            GradCheck.check("gather dim1 tr=" + tr, in -> IndexOps.gather(in[0], 1, idx1), x(tr, 3, 4));
            Tensor idx0 = index(3, 2, 4);
            GradCheck.check("gather dim0 tr=" + tr, in -> IndexOps.gather(in[0], 0, idx0), x(tr, 3, 4));
            Tensor idx3 = index(5, 2, 2, 3);
            GradCheck.check("gather dim-1 3d tr=" + tr, in -> IndexOps.gather(in[0], -1, idx3), x(tr, 2, 3, 5));
        }
    }

    @Test
    void scatterAdd() {
        for (boolean tr : new boolean[] {false, true}) {
            Tensor idx = index(5, 3, 4);
            GradCheck.check("scatter_add dim1 tr=" + tr, in -> IndexOps.scatterAdd(in[0], 1, idx, in[1]),
                    x(tr, 3, 5), x(tr, 3, 4));
            // an index smaller than src: the src elements it does not reach get a zero gradient
            Tensor small = index(3, 2, 2);
            GradCheck.check("scatter_add dim0 small index tr=" + tr,
                    in -> IndexOps.scatterAdd(in[0], 0, small, in[1]), x(tr, 3, 3), x(tr, 3, 4));
        }
    }

    @Test
    void indexSelectAndIndexAdd() {
        for (boolean tr : new boolean[] {false, true}) {
            Tensor idx = index(4, 6);
            GradCheck.check("index_select dim0 tr=" + tr, in -> IndexOps.indexSelect(in[0], 0, idx), x(tr, 4, 3));
            Tensor idx32 = Tensor.of(new int[] {2, 0, 2}, 3);
            GradCheck.check("index_select dim1 int32 tr=" + tr, in -> IndexOps.indexSelect(in[0], 1, idx32),
                    x(tr, 2, 3));
            Tensor idx2 = index(5, 4);
            GradCheck.check("index_add dim1 tr=" + tr, in -> IndexOps.indexAdd(in[0], 1, idx2, in[1]),
                    x(tr, 3, 5), x(tr, 3, 4));
        }
    }

    @Test
    void embedding() {
        Tensor ids = Tensor.of(new long[] {1, 4, 4, 0, 2, 1}, 2, 3);
        GradCheck.check("embedding", in -> IndexOps.embedding(ids, in[0]), x(false, 5, 3));
        GradCheck.check("embedding transposed weight", in -> IndexOps.embedding(ids, in[0]), x(true, 5, 3));
        // padding_idx 3 does not occur here, so the finite differences agree with the masked gradient
        GradCheck.check("embedding padding", in -> IndexOps.embedding(ids, in[0], 3), x(false, 5, 3));
    }

    @Test
    void embeddingPaddingRowGetsNoGradient() {
        Tensor w = Tensor.of(new double[] {1, 2, 3, 4, 5, 6, 7, 8}, DType.FP64, 4, 2).requiresGrad(true);
        Tensor ids = Tensor.of(new long[] {0, 2, 0, 3, 2, 2}, 6);
        Tensor out = IndexOps.embedding(ids, w, -2); // row 2
        assertThat(out.toDoubleArray()).containsExactly(1, 2, 5, 6, 1, 2, 7, 8, 5, 6, 5, 6);
        Autograd.backward(ReduceOps.sum(out));
        assertThat(w.grad().toDoubleArray()).containsExactly(2, 2, 0, 0, 0, 0, 1, 1);
    }

    @Test
    void maskedFill() {
        Tensor mask = Tensor.of(new boolean[] {true, false, false, true}, 1, 4);
        for (boolean tr : new boolean[] {false, true}) {
            GradCheck.check("masked_fill broadcast mask tr=" + tr, in -> IndexOps.maskedFill(in[0], mask, -2.5),
                    x(tr, 3, 4));
        }
        // a mask larger than the input broadcasts the output; the input's gradient sums back
        Tensor big = Tensor.of(new boolean[] {true, false, false, false, true, false}, 2, 3);
        GradCheck.check("masked_fill broadcast input", in -> IndexOps.maskedFill(in[0], big, 7), x(false, 1, 3));
    }

    @Test
    void cumsumAndFlip() {
        for (boolean tr : new boolean[] {false, true}) {
            GradCheck.check("cumsum dim0 tr=" + tr, in -> OrderOps.cumsum(in[0], 0), x(tr, 4, 3));
            GradCheck.check("cumsum dim-1 tr=" + tr, in -> OrderOps.cumsum(in[0], -1), x(tr, 2, 3, 4));
            GradCheck.check("flip dim1 tr=" + tr, in -> OrderOps.flip(in[0], 1), x(tr, 3, 4));
            GradCheck.check("flip dims 0,2 tr=" + tr, in -> OrderOps.flip(in[0], 0, -1), x(tr, 2, 3, 4));
        }
        GradCheck.check("cumsum 1-d", in -> OrderOps.cumsum(in[0], 0), x(false, 5));
    }

    @Test
    void catAndStack() {
        for (boolean tr : new boolean[] {false, true}) {
            GradCheck.check("cat dim0 tr=" + tr, in -> JoinOps.cat(List.of(in[0], in[1], in[2]), 0),
                    x(tr, 2, 3), x(tr, 1, 3), x(tr, 4, 3));
            GradCheck.check("cat dim1 tr=" + tr, in -> JoinOps.cat(List.of(in[0], in[1]), 1),
                    x(tr, 3, 2), x(tr, 3, 1));
            GradCheck.check("stack dim1 tr=" + tr, in -> JoinOps.stack(List.of(in[0], in[1]), 1),
                    x(tr, 2, 3), x(tr, 2, 3));
        }
        // only some inputs need a gradient
        Tensor fixed = Tensor.of(new double[] {1, 2, 3}, DType.FP64, 1, 3);
        GradCheck.check("cat with a constant", in -> JoinOps.cat(List.of(fixed, in[0]), 0), x(true, 3, 3));
    }

    @Test
    void splitAndChunkPieces() {
        for (boolean tr : new boolean[] {false, true}) {
            for (int k = 0; k < 3; k++) {
                int piece = k;
                GradCheck.check("split 2 piece " + k + " tr=" + tr,
                        in -> JoinOps.split(in[0], 2, 1).get(piece), x(tr, 3, 5));
                GradCheck.check("split [1,3,1] piece " + k + " tr=" + tr,
                        in -> JoinOps.split(in[0], new int[] {1, 3, 1}, -1).get(piece), x(tr, 2, 5));
                GradCheck.check("chunk 3 piece " + k + " tr=" + tr,
                        in -> JoinOps.chunk(in[0], 3, 0).get(piece), x(tr, 5, 2));
            }
        }
    }
}
