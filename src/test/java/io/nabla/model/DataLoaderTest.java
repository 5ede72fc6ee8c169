package io.nabla.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nabla.backend.DType;
import io.nabla.nn.Generator;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Batching as PyTorch's DataLoader over a TensorDataset. */
class DataLoaderTest {

    private static Map<String, Tensor> data(int n) {
        long[] idx = new long[n];
        float[] x = new float[n * 2];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
            x[2 * i] = i;
            x[2 * i + 1] = -i;
        }
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("x", Tensor.of(x, n, 2));
        m.put("y", Tensor.of(idx, n));
        return m;
    }

    private static List<List<Long>> targets(DataLoader l) {
        List<List<Long>> out = new ArrayList<>();
        l.epoch().forEachRemaining(b -> {
            List<Long> ys = new ArrayList<>();
            for (long v : b.get("y").toLongArray()) {
                ys.add(v);
            }
            out.add(ys);
        });
        return out;
    }

    @Test
    void inOrderBatchesAreViewsAndKeepTheLastSmallBatch() {
        try (TensorScope s = TensorScope.open()) {
            Map<String, Tensor> d = data(10);
            DataLoader l = new DataLoader(d, 4);
            assertThat(l.batchesPerEpoch()).isEqualTo(3);
            List<DataLoader.Batch> batches = l.epochList();
            assertThat(batches).extracting(DataLoader.Batch::size).containsExactly(4, 4, 2);
            assertThat(batches.get(2).get("y").toLongArray()).containsExactly(8, 9);
            assertThat(batches.get(1).get("x").storage()).isSameAs(d.get("x").storage());
            assertThat(batches.get(1).get("x").toFloatArray()).containsExactly(4, -4, 5, -5, 6, -6, 7, -7);
            assertThat(new DataLoader(d, 4, false, true, null).epochList()).hasSize(2);
        }
    }

    @Test
    void shuffledBatchesMatchPyTorch() {
        // torch.manual_seed(5); DataLoader(TensorDataset(torch.arange(10)), batch_size=3, shuffle=True), two epochs
        try (TensorScope s = TensorScope.open()) {
            DataLoader l = new DataLoader(data(10), 3, true, false, new Generator(5));
            assertThat(targets(l)).containsExactly(List.of(8L, 3L, 0L), List.of(5L, 9L, 1L), List.of(6L, 2L, 4L),
                    List.of(7L));
            assertThat(targets(l)).containsExactly(List.of(5L, 8L, 9L), List.of(7L, 2L, 0L), List.of(4L, 1L, 3L),
                    List.of(6L));
            DataLoader.Batch b = new DataLoader(data(10), 3, true, false, new Generator(5)).epoch().next();
            assertThat(b.get("x").toFloatArray()).containsExactly(8, -8, 3, -3, 0, 0);
        }
    }

    @Test
    void anInOrderLoaderGivenAGeneratorDrawsPyTorchsBaseSeedEachEpoch() {
        // torch.manual_seed(5); two epochs of DataLoader(TensorDataset(torch.arange(10)), batch_size=3);
        // torch.randperm(6) -> [2, 1, 0, 5, 4, 3]: what dropout draws next depends on the iterator's draw
        try (TensorScope s = TensorScope.open()) {
            Generator g = new Generator(5);
            DataLoader l = new DataLoader(data(10), 3, false, false, g);
            assertThat(targets(l)).containsExactly(List.of(0L, 1L, 2L), List.of(3L, 4L, 5L), List.of(6L, 7L, 8L),
                    List.of(9L));
            targets(l);
            assertThat(g.randperm(6)).containsExactly(2, 1, 0, 5, 4, 3);
        }
    }

    @Test
    void rejectsBadArguments() {
        try (TensorScope s = TensorScope.open()) {
            Map<String, Tensor> d = data(4);
            d.put("z", Tensor.zeros(DType.FP32, 5));
            assertThatThrownBy(() -> new DataLoader(d, 2)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("tensors must share their first dimension: \"z\" has shape (5), expected 4 rows");
            assertThatThrownBy(() -> new DataLoader(data(4), 0))
                    .hasMessage("batch_size: expected a positive integer, got 0");
            assertThatThrownBy(() -> new DataLoader(data(4), 2).epoch().next().get("w"))
                    .hasMessage("no tensor named \"w\" in the batch; it has [x, y]");
            assertThatThrownBy(() -> new DataLoader(Map.of("s", Tensor.scalar(1, DType.FP32)), 2))
                    .hasMessageContaining("0-dim");
        }
    }
}
