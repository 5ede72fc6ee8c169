package io.nabla.autograd;

import io.nabla.backend.BlasMatrix;
import io.nabla.backend.DType;
import io.nabla.backend.Layout;
import io.nabla.tensor.Shape;
import io.nabla.tensor.Tensor;
import java.util.Arrays;

/**
 * Batched matrix products on tensors without autograd, shared by {@link LinalgOps} and {@link ConvOps}: broadcasts
 * batch dimensions as stride-0 views, copies operands whose matrix part no BLAS can read, and folds a batch into
 * the rows of one large product when the right operand is shared by every batch entry.
 */
final class MatrixProducts {

    private MatrixProducts() {
    }

    /** {@code a (..., m, k) · b (..., k, n)} with batch dims broadcast; a new contiguous tensor (..., m, n). */
    static Tensor product(Tensor a, Tensor b) {
        int ra = a.dim();
        int rb = b.dim();
        int[] batch = Shape.broadcast(Arrays.copyOf(a.shape(), ra - 2), Arrays.copyOf(b.shape(), rb - 2));
        int[] outShape = Arrays.copyOf(batch, batch.length + 2);
        outShape[batch.length] = a.size(-2);
        outShape[batch.length + 1] = b.size(-1);
        Tensor out = Tensor.empty(a.dtype(), a.device(), outShape);
        productInto(a, b, 0, out);
        return out;
    }

    /** {@code out = a · b + beta * out}; {@code out} is contiguous with the broadcast batch shape. */
    static void productInto(Tensor a, Tensor b, double beta, Tensor out) {
        Tensor x = blasReady(a);
        Tensor y = blasReady(b);
        int[] batch = Arrays.copyOf(out.shape(), out.dim() - 2);
        Layout al = expandBatch(x.layout(), batch);
        Layout bl = expandBatch(y.layout(), batch);
        Layout cl = out.layout();
        Layout rowsA = sharedRight(bl) ? mergeRows(al) : null;
        Layout rowsC = rowsA != null ? mergeRows(cl) : null;
        if (rowsA != null && rowsC != null && batch.length > 0) {
            // one (batch*m, k) x (k, n) product instead of a batch of small ones
            al = rowsA;
            cl = rowsC;
            bl = new Layout(new int[] {bl.shape()[bl.rank() - 2], bl.shape()[bl.rank() - 1]},
                    new int[] {bl.strides()[bl.rank() - 2], bl.strides()[bl.rank() - 1]}, bl.offset());
        }
        out.backend().linalg().gemm(1, x.memory(), al, y.memory(), bl, beta, out.memory(), cl, out.dtype());
    }

    /** {@code t} itself when a BLAS can read its matrix part in place, else a contiguous copy. */
    static Tensor blasReady(Tensor t) {
        return BlasMatrix.of(t.layout()) != null ? t : t.dataCopy();
    }

    /** The layout of {@code l} with its batch dims broadcast to {@code batch} (stride 0 where repeated). */
    static Layout expandBatch(Layout l, int[] batch) {
        int r = batch.length + 2;
        int lead = r - l.rank();
        int[] shape = new int[r];
        int[] strides = new int[r];
        for (int d = 0; d < r; d++) {
            if (d >= batch.length) {
                shape[d] = l.shape()[d - lead];
                strides[d] = l.strides()[d - lead];
            } else {
                int own = d < lead ? 1 : l.shape()[d - lead];
                shape[d] = batch[d];
                strides[d] = own == batch[d] && d >= lead ? l.strides()[d - lead] : 0;
            }
        }
        return new Layout(shape, strides, l.offset());
    }

    /** True when every batch entry of {@code l} is the same matrix. */
    private static boolean sharedRight(Layout l) {
        for (int d = 0; d < l.rank() - 2; d++) {
            if (l.shape()[d] > 1 && l.strides()[d] != 0) {
                return false;
            }
        }
        return true;
    }

    /** The batch and row dims of {@code l} merged into one row dim, or null when they do not form one stride. */
    static Layout mergeRows(Layout l) {
        int r = l.rank();
        int[] shape = l.shape();
        int[] strides = l.strides();
        long rows = 1;
        long rowStride = -1;
        long expected = 0;
        for (int d = r - 2; d >= 0; d--) {
            if (shape[d] == 1) {
                continue;
            }
            if (rowStride < 0) {
                rowStride = strides[d];
            } else if (strides[d] != expected) {
                return null;
            }
            expected = (long) strides[d] * shape[d];
            rows *= shape[d];
        }
        if (rows > Integer.MAX_VALUE || rowStride > Integer.MAX_VALUE) {
            return null;
        }
        int stride = rowStride < 0 ? Math.max(1, shape[r - 1]) : (int) rowStride;
        Layout merged = new Layout(new int[] {(int) rows, shape[r - 1]}, new int[] {stride, strides[r - 1]},
                l.offset());
        BlasMatrix m = BlasMatrix.of(merged);
        return m != null && m.rowMajor() ? merged : null;
    }

    /** Fails unless {@code a} and {@code b} can be multiplied: same dtype (not bool) and device. */
    static void checkOperands(String op, Tensor a, Tensor b) {
        if (a == null || b == null) {
            throw new IllegalArgumentException(op + ": operands must not be null, got " + a + " and " + b);
        }
        if (a.dtype() != b.dtype()) {
            throw new IllegalArgumentException(op + ": expected both operands to have the same dtype, got "
                    + a.dtype().torchName() + " " + Shape.format(a.shape()) + " and " + b.dtype().torchName() + " "
                    + Shape.format(b.shape()));
        }
        if (a.dtype() == DType.BOOL) {
            throw new IllegalArgumentException(op + " is not defined for bool tensors");
        }
        if (!a.device().equals(b.device())) {
            throw new IllegalArgumentException(op + ": expected both operands on the same device, got "
                    + a.device() + " and " + b.device());
        }
    }
}
