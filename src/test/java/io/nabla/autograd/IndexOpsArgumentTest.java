package io.nabla.autograd;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nabla.backend.DType;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Bad arguments give an IllegalArgumentException that names the offending values, never an AIOOBE or NPE. */
class IndexOpsArgumentTest {

    private TensorScope scope;

    @BeforeEach
    void open() {
        scope = TensorScope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    private static Tensor f32(int... shape) {
        return Tensor.zeros(DType.FP32, shape);
    }

    private static Tensor longs(long... v) {
        return Tensor.of(v, v.length);
    }

    @Test
    void outOfRangeIndicesNameTheValueTheDimAndItsSize() {
        Tensor x = f32(3, 4);
        assertThatThrownBy(() -> IndexOps.gather(x, 1, Tensor.of(new long[] {0, 4, 1}, 3, 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("index 4").hasMessageContaining("dimension 1").hasMessageContaining("size 4");
        assertThatThrownBy(() -> IndexOps.gather(x, 0, Tensor.of(new long[] {-1}, 1, 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("index -1").hasMessageContaining("dimension 0").hasMessageContaining("size 3");
        assertThatThrownBy(() -> IndexOps.indexSelect(x, 0, longs(2, 3)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("index 3").hasMessageContaining("dimension 0").hasMessageContaining("size 3");
        assertThatThrownBy(() -> IndexOps.scatterAdd(x, 1, Tensor.of(new long[] {9}, 1, 1), f32(1, 1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("index 9").hasMessageContaining("dimension 1").hasMessageContaining("size 4");
        assertThatThrownBy(() -> IndexOps.indexAdd(x, 1, longs(7), f32(3, 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("index 7");
        assertThatThrownBy(() -> IndexOps.embedding(Tensor.of(new long[] {1, 6}, 2), f32(6, 3)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("index 6").hasMessageContaining("dimension 0").hasMessageContaining("size 6");
    }

    @Test
    void outOfRangeIndexOnTheFastPathsToo() {
        // large contiguous FP32 operands take the CPU fast paths; the check comes first there as well
        Tensor big = f32(300, 200);
        long[] v = new long[300 * 200];
        v[v.length - 1] = 200;
        Tensor idx = Tensor.of(v, 300, 200);
        assertThatThrownBy(() -> IndexOps.gather(big, 1, idx))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("index 200");
        assertThatThrownBy(() -> IndexOps.scatterAdd(big, 1, idx, big))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("index 200");
        long[] rows = new long[1000];
        rows[999] = 300;
        assertThatThrownBy(() -> IndexOps.embedding(Tensor.of(rows, 1000), big))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("index 300")
                .hasMessageContaining("size 300");
    }

    @Test
    void wrongIndexDtypes() {
        Tensor x = f32(3, 4);
        assertThatThrownBy(() -> IndexOps.gather(x, 1, Tensor.of(new int[] {0}, 1, 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("int64").hasMessageContaining("int32");
        assertThatThrownBy(() -> IndexOps.indexSelect(x, 0, Tensor.of(new float[] {0}, 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("float32");
        assertThatThrownBy(() -> IndexOps.embedding(Tensor.of(new double[] {1}, 1), f32(4, 2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("float64");
        assertThatThrownBy(() -> IndexOps.maskedFill(x, Tensor.of(new int[] {1, 0, 1, 0}, 4), 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bool")
                .hasMessageContaining("int32");
        assertThatThrownBy(() -> IndexOps.scatterAdd(x, 0, Tensor.of(new long[] {0}, 1, 1), Tensor.zeros(DType.FP64,
                1, 1))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("float64");
    }

    @Test
    void indexShapesAndRanks() {
        Tensor x = f32(3, 4);
        assertThatThrownBy(() -> IndexOps.gather(x, 1, longs(0, 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(2)").hasMessageContaining("(3, 4)");
        assertThatThrownBy(() -> IndexOps.gather(x, 1, Tensor.of(new long[8], 4, 2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(4, 2)")
                .hasMessageContaining("(3, 4)");
        assertThatThrownBy(() -> IndexOps.indexSelect(x, 0, Tensor.of(new long[4], 2, 2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("vector");
        assertThatThrownBy(() -> IndexOps.indexSelect(x, 2, longs(0)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 2");
        assertThatThrownBy(() -> IndexOps.indexAdd(x, 0, longs(0, 1), f32(3, 4)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(2, 4)")
                .hasMessageContaining("(3, 4)");
        assertThatThrownBy(() -> IndexOps.embedding(longs(0), f32(6)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2-D").hasMessageContaining("(6)");
        assertThatThrownBy(() -> IndexOps.embedding(longs(0), f32(6, 2), 6))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("padding_idx 6");
        assertThatThrownBy(() -> IndexOps.maskedFill(x, Tensor.of(new boolean[2], 2), 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(3, 4)")
                .hasMessageContaining("(2)");
        assertThatThrownBy(() -> IndexOps.gather(x, 0, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("null");
    }

    @Test
    void catMismatchesNameBothShapesAndTheDim() {
        assertThatThrownBy(() -> JoinOps.cat(List.of(f32(2, 3), f32(2, 3, 1)), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(2, 3)")
                .hasMessageContaining("(2, 3, 1)").hasMessageContaining("number of dimensions");
        assertThatThrownBy(() -> JoinOps.cat(List.of(f32(2, 3), f32(2, 4)), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(2, 3)")
                .hasMessageContaining("(2, 4)").hasMessageContaining("dimension 0")
                .hasMessageContaining("at dimension 1");
        assertThatThrownBy(() -> JoinOps.cat(List.of(), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("non-empty");
        assertThatThrownBy(() -> JoinOps.cat(List.of(Tensor.scalar(1, DType.FP32)), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("zero-dimensional");
        assertThatThrownBy(() -> JoinOps.cat(List.of(f32(2, 3)), 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 2");
        assertThatThrownBy(() -> JoinOps.cat(Arrays.asList(f32(2), null), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("null");
        assertThatThrownBy(() -> JoinOps.stack(List.of(f32(2, 3), f32(3, 2)), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(2, 3) at entry 0")
                .hasMessageContaining("(3, 2) at entry 1");
    }

    @Test
    void splitAndChunkArguments() {
        Tensor x = f32(3, 5);
        assertThatThrownBy(() -> JoinOps.chunk(x, 0, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("greater than 0, got 0");
        assertThatThrownBy(() -> JoinOps.split(x, new int[] {1, 3}, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[1, 3]")
                .hasMessageContaining("exactly to 5").hasMessageContaining("sum to 4");
        assertThatThrownBy(() -> JoinOps.split(x, new int[] {6, -1}, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("non-negative");
        assertThatThrownBy(() -> JoinOps.split(x, -2, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got -2");
        assertThatThrownBy(() -> JoinOps.split(x, 0, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dimension size of 5");
        assertThatThrownBy(() -> JoinOps.chunk(Tensor.scalar(1, DType.FP32), 2, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1-dimensional");
    }

    @Test
    void cumsumAndFlipArguments() {
        Tensor x = f32(3, 4);
        assertThatThrownBy(() -> OrderOps.cumsum(x, 2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 2");
        assertThatThrownBy(() -> OrderOps.flip(x, 1, -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dim 1 appears multiple times");
        assertThatThrownBy(() -> OrderOps.flip(x, 3))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 3");
    }
}
