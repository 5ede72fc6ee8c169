package io.nabla.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nabla.autograd.Autograd;
import io.nabla.autograd.ReduceOps;
import io.nabla.autograd.ShapeOps;
import io.nabla.backend.DType;
import io.nabla.backend.HostAllocator;
import io.nabla.backend.SettledAllocator;
import org.junit.jupiter.api.Test;

class TensorCoreTest {

    @Test
    void viewsShareMemoryAndWritesShowInTheBase() {
        try (TensorScope s = TensorScope.open()) {
            Tensor a = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
            Tensor t = ShapeOps.transpose(a, 0, 1);
            assertThat(t.shape()).containsExactly(3, 2);
            assertThat(t.isContiguous()).isFalse();
            assertThat(t.toFloatArray()).containsExactly(1, 4, 2, 5, 3, 6);
            t.setDouble(42, 2, 1);
            assertThat(a.getDouble(1, 2)).isEqualTo(42.0);
            Tensor sl = ShapeOps.slice(a, 1, 0, 3, 2);
            assertThat(sl.toFloatArray()).containsExactly(1, 3, 4, 42);
            assertThat(sl.storage()).isSameAs(a.storage());
        }
    }

    @Test
    void closedScopeHoldsNothing() {
        long before = SettledAllocator.allocatedBytes();
        long blocks = HostAllocator.instance().liveBlocks();
        Tensor kept;
        try (TensorScope outer = TensorScope.open()) {
            try (TensorScope inner = TensorScope.open()) {
                Tensor.zeros(DType.FP32, 1000);
                kept = inner.keep(Tensor.ones(DType.FP64, 10));
                assertThat(inner.size()).isEqualTo(1);
            }
            assertThat(outer.size()).isEqualTo(1);
            assertThat(kept.getDouble(3)).isEqualTo(1.0);
        }
        assertThat(HostAllocator.instance().allocatedBytes()).isEqualTo(before);
        assertThat(HostAllocator.instance().liveBlocks()).isEqualTo(blocks);
        assertThatThrownBy(() -> kept.getDouble(0)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("freed");
    }

    @Test
    void sumBackwardThroughAView() {
        try (TensorScope s = TensorScope.open()) {
            Tensor a = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3).requiresGrad(true);
            Tensor y = ReduceOps.sum(ShapeOps.transpose(a, 0, 1), new int[] {0}, false);
            assertThat(y.toFloatArray()).containsExactly(6, 15);
            Autograd.backward(y, Tensor.of(new float[] {1, 10}, 2));
            assertThat(a.grad().toFloatArray()).containsExactly(1, 1, 1, 10, 10, 10);
        }
    }
}
