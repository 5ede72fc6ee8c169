package io.nabla.autograd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nabla.backend.DType;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** PyTorch's semantics beyond the fixtures: views, piece counts, dtypes, 0-dim inputs and saved-index checks. */
class IndexOpsBehaviourTest {

    private TensorScope scope;

    @BeforeEach
    void open() {
        scope = TensorScope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    private static Tensor range(DType t, int... shape) {
        double[] v = new double[(int) io.nabla.tensor.Shape.numel(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = i;
        }
        return Tensor.of(v, t, shape);
    }

    private static int[] sizes(List<Tensor> parts, int dim) {
        return parts.stream().mapToInt(p -> p.size(dim)).toArray();
    }

    @Test
    void splitAndChunkReturnViewsWithPyTorchsPieceCounts() {
        Tensor x = range(DType.FP32, 5, 2);
        List<Tensor> parts = JoinOps.chunk(x, 3, 0);
        assertThat(sizes(parts, 0)).containsExactly(2, 2, 1);
        assertThat(parts).allSatisfy(p -> assertThat(p.storage()).isSameAs(x.storage()));
        assertThat(parts.get(2).toFloatArray()).containsExactly(8, 9);
        assertThat(sizes(JoinOps.chunk(range(DType.FP32, 6), 4, 0), 0)).containsExactly(2, 2, 2);
        assertThat(sizes(JoinOps.chunk(range(DType.FP32, 0), 3, 0), 0)).containsExactly(0, 0, 0);
        assertThat(sizes(JoinOps.split(range(DType.FP32, 7), 3, 0), 0)).containsExactly(3, 3, 1);
        assertThat(sizes(JoinOps.split(range(DType.FP32, 0), 0, 0), 0)).containsExactly(0);
        assertThat(sizes(JoinOps.split(range(DType.FP32, 2, 5), new int[] {0, 5, 0}, -1), 1)).containsExactly(0, 5, 0);
    }

    @Test
    void eachSplitPieceSendsItsGradientToItsSlice() {
        Tensor x = range(DType.FP64, 2, 5).requiresGrad(true);
        List<Tensor> parts = JoinOps.split(x, new int[] {2, 3}, 1);
        Autograd.backward(ReduceOps.sum(parts.get(1)));
        assertThat(x.grad().toDoubleArray()).containsExactly(0, 0, 1, 1, 1, 0, 0, 1, 1, 1);
    }

    @Test
    void catPromotesDtypesAndSkipsLegacyEmptyTensors() {
        Tensor a = Tensor.of(new int[] {1, 2}, 1, 2);
        Tensor b = Tensor.of(new float[] {0.5f, 1.5f}, 1, 2).requiresGrad(true);
        Tensor out = JoinOps.cat(List.of(a, b), 0);
        assertThat(out.dtype()).isEqualTo(DType.FP32);
        assertThat(out.toFloatArray()).containsExactly(1, 2, 0.5f, 1.5f);
        Autograd.backward(ReduceOps.sum(out));
        assertThat(b.grad().toFloatArray()).containsExactly(1, 1);
        Tensor skipped = JoinOps.cat(List.of(Tensor.zeros(DType.FP32, 0), range(DType.FP32, 2, 3)), 1);
        assertThat(skipped.shape()).containsExactly(2, 3);
        assertThat(JoinOps.stack(List.of(range(DType.INT64, 2), range(DType.INT64, 2)), -1).toLongArray())
                .containsExactly(0, 0, 1, 1);
    }

    @Test
    void cumsumOfIntegersIsInt64AndFlipKeepsTheDtype() {
        Tensor i8 = Tensor.of(new double[] {100, 100, -50, 7}, DType.INT8, 4);
        Tensor c = OrderOps.cumsum(i8, 0);
        assertThat(c.dtype()).isEqualTo(DType.INT64);
        assertThat(c.toLongArray()).containsExactly(100, 200, 150, 157);
        Tensor bools = Tensor.of(new boolean[] {true, false, true}, 3);
        assertThat(OrderOps.cumsum(bools, 0).toLongArray()).containsExactly(1, 1, 2);
        Tensor h = Tensor.of(new double[] {0.1, 0.2, 0.3}, DType.FP16, 3);
        assertThat(OrderOps.cumsum(h, 0).dtype()).isEqualTo(DType.FP16);
        Tensor f = OrderOps.flip(Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, DType.INT16, 2, 3), 0, 1);
        assertThat(f.dtype()).isEqualTo(DType.INT16);
        assertThat(f.toLongArray()).containsExactly(6, 5, 4, 3, 2, 1);
        assertThat(OrderOps.flip(Tensor.scalar(3, DType.FP32), 0).item()).isEqualTo(3.0);
        assertThat(OrderOps.cumsum(Tensor.scalar(3, DType.FP32), 0).item()).isEqualTo(3.0);
    }

    @Test
    void maskedFillConvertsTheValueToTheDtype() {
        Tensor ints = Tensor.of(new long[] {1, 2, 3}, 3);
        Tensor mask = Tensor.of(new boolean[] {false, true, false}, 3);
        assertThat(IndexOps.maskedFill(ints, mask, -1.7).toLongArray()).containsExactly(1, -1, 3);
        Tensor bf = Tensor.of(new double[] {1, 2, 3}, DType.BF16, 3);
        assertThat(IndexOps.maskedFill(bf, mask, 1.0 / 3).toDoubleArray()).containsExactly(1, 0.333984375, 3);
    }

    @Test
    void zeroDimAndInt32Indices() {
        Tensor s = Tensor.scalar(5, DType.FP32);
        assertThat(IndexOps.gather(s, 0, Tensor.of(new long[] {0})).item()).isEqualTo(5.0);
        assertThat(IndexOps.indexSelect(s, 0, Tensor.of(new long[] {0}, 1)).dim()).isEqualTo(0);
        Tensor w = range(DType.FP32, 4, 2);
        Tensor e = IndexOps.embedding(Tensor.of(new int[] {3, 0, 3, 1}, 2, 2), w);
        assertThat(e.shape()).containsExactly(2, 2, 2);
        assertThat(e.toFloatArray()).containsExactly(6, 7, 0, 1, 6, 7, 2, 3);
    }

    @Test
    void modifyingASavedIndexBeforeBackwardIsRefused() {
        Tensor x = range(DType.FP32, 2, 3).requiresGrad(true);
        Tensor idx = Tensor.of(new long[] {2, 0}, 2, 1);
        Tensor y = IndexOps.gather(x, 1, idx);
        idx.setDouble(1, 0, 0);
        assertThatThrownBy(() -> Autograd.backward(ReduceOps.sum(y)))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("inplace");
    }
}
