package io.nabla.backend.cpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.nabla.autograd.GradMode;
import io.nabla.autograd.ReduceOps;
import io.nabla.backend.Backends;
import io.nabla.tensor.Tensor;
import io.nabla.tensor.TensorScope;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * FP32 sums and means over rows of a page or more, which CpuReduceKernels.rowSums4 reads four rows of four distant
 * chunks at a time, and whole-tensor sums, which pieceSums reads in four pieces at a time: every row's (piece's)
 * result is NativeLoops.sum's, whatever the chunk the row falls in, including the last, partial groups.
 */
class RowSumStreamsTest {

    @ParameterizedTest
    @CsvSource({"1, 1024", "7, 1024", "64, 1024", "65, 1024", "300, 1500", "257, 2048", "5, 70000"})
    void everyRowIsSummedAsOneRunIs(int rows, int len) {
        assumeTrue(NativeLoops.available(), "the native loops are not built or this CPU lacks AVX2");
        Random rnd = new Random(rows * 31L + len);
        float[] v = new float[rows * len];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (rnd.nextGaussian() * Math.exp(rnd.nextGaussian() * 3));
        }
        try (TensorScope s = TensorScope.open(); GradMode.Region off = GradMode.disable();
             Backends.Scope b = Backends.use(Backends.cpu())) {
            Tensor x = Tensor.of(v, rows, len);
            float[] sums = ReduceOps.sum(x, new int[] {1}, false).toFloatArray();
            float[] means = ReduceOps.mean(x, new int[] {1}, false).toFloatArray();
            for (int r = 0; r < rows; r++) {
                long row = x.memory().address() + 4L * r * len;
                double expected = len >= CpuReduceKernels.SEG ? pieces(row, len) : NativeLoops.sum(row, len);
                assertThat(sums[r]).as("row %d of %d x %d", r, rows, len).isEqualTo((float) expected);
                assertThat(means[r]).as("mean of row %d", r).isEqualTo((float) (expected / len));
            }
            float total = ReduceOps.sum(x).toFloatArray()[0];
            assertThat(total).isEqualTo((float) pieces(x.memory().address(), (long) rows * len));
        }
    }

    /** The sum of n floats as pieceSums adds them: pieces of SEG floats, each NativeLoops.sum's, in order. */
    private static double pieces(long a, long n) {
        double total = 0;
        for (long from = 0; from < n; from += CpuReduceKernels.SEG) {
            total += NativeLoops.sum(a + 4 * from, Math.min(CpuReduceKernels.SEG, n - from));
        }
        return total;
    }
}
