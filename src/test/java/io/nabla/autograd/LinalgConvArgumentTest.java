package io.nabla.autograd;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nabla.backend.Backends;
import io.nabla.backend.DType;
import io.nabla.backend.Layout;
import io.nabla.backend.Window2d;
import io.nabla.tensor.Tensor;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/** Bad shapes, dims, dtypes and sizes give IllegalArgumentExceptions naming the values, never AIOOBE or NPE. */
class LinalgConvArgumentTest {

    private static Tensor f32(int... shape) {
        return Tensor.zeros(DType.FP32, shape);
    }

    private static void rejects(ThrowingCallable call, String... fragments) {
        var a = assertThatThrownBy(call).isExactlyInstanceOf(IllegalArgumentException.class);
        for (String f : fragments) {
            a.hasMessageContaining(f);
        }
    }

    @Test
    void matmulArguments() {
        rejects(() -> LinalgOps.matmul(f32(2, 3), f32(4, 5)), "cannot matmul (2, 3) by (4, 5): inner dims 3 != 4");
        rejects(() -> LinalgOps.matmul(f32(3), f32(4)), "(3)", "(4)", "3 != 4");
        rejects(() -> LinalgOps.matmul(f32(), f32(2, 2)), "at least 1D", "0D and 2D");
        rejects(() -> LinalgOps.matmul(f32(2, 3), Tensor.zeros(DType.FP64, 3, 2)), "float32", "float64");
        rejects(() -> LinalgOps.matmul(Tensor.zeros(DType.BOOL, 2, 2), Tensor.zeros(DType.BOOL, 2, 2)), "bool");
        rejects(() -> LinalgOps.matmul(f32(2, 3, 4), f32(5, 4, 2)), "(2, 3, 4)", "(5, 4, 2)", "batch dims (2) and (5)");
        rejects(() -> LinalgOps.mm(f32(2, 3, 4), f32(4, 5)), "mm", "2-D", "(2, 3, 4)");
        rejects(() -> LinalgOps.matmul(null, f32(2, 2)), "null");
        rejects(() -> LinalgOps.bmm(f32(2, 3, 4), f32(3, 4, 5)), "bmm", "batch sizes differ", "(2, 3, 4)",
                "(3, 4, 5)");
        rejects(() -> LinalgOps.bmm(f32(3, 4), f32(4, 5)), "bmm", "3-D");
    }

    @Test
    void linearArguments() {
        rejects(() -> LinalgOps.linear(f32(4, 5), f32(3, 5, 1), null), "weight", "(3, 5, 1)");
        rejects(() -> LinalgOps.linear(f32(4, 6), f32(3, 5), null), "(4, 6)", "(3, 5)", "(..., 5)");
        rejects(() -> LinalgOps.linear(f32(4, 5), f32(3, 5), f32(4)), "bias", "(3)", "(4)");
        rejects(() -> LinalgOps.linear(f32(), f32(3, 5), null), "()");
    }

    @Test
    void gemmKernelArguments() {
        Tensor t = f32(64);
        var k = Backends.cpu().linalg();
        rejects(() -> k.gemm(1, t.memory(), Layout.contiguous(2, 3), t.memory(), Layout.contiguous(4, 5), 0,
                t.memory(), Layout.contiguous(2, 5), DType.FP32), "(2, 3)", "(4, 5)", "do not chain");
        rejects(() -> k.gemm(1, t.memory(), Layout.contiguous(2, 2, 3), t.memory(), Layout.contiguous(3, 5), 0,
                t.memory(), Layout.contiguous(2, 2, 5), DType.FP32), "equal rank");
        rejects(() -> k.gemm(1, t.memory(), Layout.contiguous(2, 2, 3), t.memory(), Layout.contiguous(2, 3, 5), 0,
                t.memory(), new Layout(new int[] {2, 2, 5}, new int[] {0, 5, 1}, 0), DType.FP32), "stride 0");
        Tensor i = Tensor.zeros(DType.INT64, 16);
        rejects(() -> k.gemm(0.5, i.memory(), Layout.contiguous(2, 2), i.memory(), Layout.contiguous(2, 2), 0,
                i.memory(), Layout.contiguous(2, 2), DType.INT64), "whole", "0.5");
    }

    @Test
    void conv2dArguments() {
        int[] one = {1};
        int[] zero = {0};
        rejects(() -> ConvOps.conv2d(f32(3, 5), f32(2, 3, 1, 1), null, one, zero, one, 1),
                "expected input with 4 dims (N, C, H, W)", "got (3, 5)");
        rejects(() -> ConvOps.conv2d(f32(2, 5, 5, 5), f32(4, 3, 3, 3), null, one, zero, one, 1),
                "groups=1", "(4, 3, 3, 3)", "3 channels", "(2, 5, 5, 5)", "has 5 channels");
        rejects(() -> ConvOps.conv2d(f32(1, 4, 5, 5), f32(3, 2, 3, 3), null, one, zero, one, 2),
                "groups=2", "divisible by 2");
        rejects(() -> ConvOps.conv2d(f32(1, 4, 5, 5), f32(4, 4, 3, 3), null, one, zero, one, 0), "groups", "0");
        rejects(() -> ConvOps.conv2d(f32(1, 3, 2, 2), f32(4, 3, 3, 3), null, one, zero, one, 1),
                "(1, 3, 2, 2)", "output size (0, 0)", "must be > 0");
        rejects(() -> ConvOps.conv2d(f32(1, 3, 5, 5), f32(4, 3, 3), null, one, zero, one, 1), "weight", "(4, 3, 3)");
        rejects(() -> ConvOps.conv2d(f32(1, 3, 5, 5), f32(4, 3, 3, 3), f32(3), one, zero, one, 1), "bias", "(4)",
                "(3)");
        rejects(() -> ConvOps.conv2d(f32(1, 3, 5, 5), f32(4, 3, 3, 3), null, zero, zero, one, 1), "stride", ">= 1");
        rejects(() -> ConvOps.conv2d(f32(1, 3, 5, 5), f32(4, 3, 3, 3), null, one, new int[] {-1}, one, 1),
                "padding", ">= 0");
        rejects(() -> ConvOps.conv2d(f32(1, 3, 5, 5), f32(4, 3, 3, 3), null, new int[] {1, 1, 1}, zero, one, 1),
                "stride", "1 or 2 values", "(1, 1, 1)");
        rejects(() -> ConvOps.conv2d(f32(1, 3, 5, 5), f32(4, 3, 3, 3), null, null, zero, one, 1), "stride", "null");
        rejects(() -> ConvOps.conv2d(Tensor.zeros(DType.INT64, 1, 3, 5, 5), Tensor.zeros(DType.INT64, 4, 3, 3, 3),
                null, one, zero, one, 1), "floating", "int64");
        rejects(() -> ConvOps.conv2d(f32(1, 3, 5, 5), Tensor.zeros(DType.FP64, 4, 3, 3, 3), null, one, zero, one,
                1), "float32", "float64");
    }

    @Test
    void poolArguments() {
        rejects(() -> ConvOps.maxPool2d(f32(3, 5), new int[] {2}, null, new int[] {0}), "got (3, 5)");
        rejects(() -> ConvOps.maxPool2d(f32(1, 1, 5, 5), new int[] {3}, null, new int[] {2}), "half",
                "(2, 2)", "(3, 3)");
        rejects(() -> ConvOps.maxPool2d(f32(1, 1, 2, 2), new int[] {3}, null, new int[] {0}), "(1, 1, 2, 2)",
                "must be > 0");
        rejects(() -> ConvOps.maxPool2d(f32(1, 1, 4, 4), new int[] {0}, null, new int[] {0}), "kernel_size");
        rejects(() -> ConvOps.avgPool2d(f32(1, 1, 4, 4), new int[] {2}, new int[] {0}, new int[] {0}, true),
                "stride", ">= 1");
        rejects(() -> ConvOps.avgPool2d(Tensor.zeros(DType.INT32, 1, 1, 4, 4), new int[] {2}, null, new int[] {0},
                true), "floating", "int32");
        rejects(() -> ConvOps.adaptiveAvgPool2d(f32(1, 1, 4, 4), new int[] {0}), "output_size", ">= 1");
        rejects(() -> ConvOps.adaptiveAvgPool2d(f32(1, 1, 0, 4), new int[] {2}), "(1, 1, 0, 4)");
        rejects(() -> ConvOps.maxPool2d(null, new int[] {2}, null, new int[] {0}), "null");
        // a window 4 * 2^30 + 1 rows tall: its output size is about -2^32, which must stay negative, not wrap
        rejects(() -> ConvOps.maxPool2d(f32(1, 1, 4, 4), new int[] {5}, null, new int[] {0},
                new int[] {1 << 30, 1}, false), "(1, 1, 4, 4)", "must be > 0");
        rejects(() -> ConvOps.maxPool2d(f32(1, 1, 4, 4), new int[] {2}, null, new int[] {0}, new int[] {0}, true),
                "dilation", ">= 1");
        rejects(() -> ConvOps.avgPool2d(f32(1, 1, 1, 1), new int[] {2}, new int[] {1}, new int[] {0}, true, true),
                "(1, 1, 1, 1)", "must be > 0");
        rejects(() -> ConvOps.conv2d(f32(1, 1, 4, 4), f32(1, 1, 5, 1), null, new int[] {1}, new int[] {0},
                new int[] {1 << 30, 1}, 1), "(1, 1, 4, 4)", "must be > 0");
        rejects(() -> ConvOps.conv2d(null, f32(1, 1, 1, 1), null, new int[] {1}, new int[] {0}, new int[] {1}, 1),
                "null");
    }

    @Test
    void convKernelArguments() {
        Tensor x = f32(1, 2, 5, 5);
        Tensor cols = f32(1, 18, 10);
        Window2d w = new Window2d(3, 3, 1, 1, 0, 0, 1, 1);
        rejects(() -> Backends.cpu().conv().im2col(x.memory(), x.layout(), DType.FP32, w, cols.memory(),
                cols.layout()), "im2col", "(1, 18, 9)", "(1, 18, 10)");
        rejects(() -> new Window2d(0, 3, 1, 1, 0, 0, 1, 1), "kernel (0, 3)");
        Tensor g = f32(1, 1, 2, 2);
        Tensor bad = Tensor.full(99, DType.INT64, 1, 1, 2, 2);
        Tensor gi = f32(1, 1, 4, 4);
        rejects(() -> Backends.cpu().conv().maxPool2dBackward(g.memory(), g.layout(), bad.memory(), bad.layout(),
                DType.FP32, gi.memory(), gi.layout()), "index 99", "4x4");
    }
}
