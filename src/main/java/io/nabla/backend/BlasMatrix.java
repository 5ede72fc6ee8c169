package io.nabla.backend;

/**
 * How a BLAS library sees the last two dimensions of a layout {@code (..., rows, cols)}: stored row-major
 * (element {@code (i, j)} at {@code i * ld + j}) or column-major ({@code i + j * ld}), with leading dimension
 * {@code ld}. A transposed view of a row-major matrix is column-major. Views that are neither (a stride-0 row, a
 * step-2 slice of columns) have no BLAS form and must be copied first.
 */
public record BlasMatrix(boolean rowMajor, int ld) {

    /** The BLAS form of the matrix dimensions of {@code layout}, or null when it has none. */
    public static BlasMatrix of(Layout layout) {
        int r = layout.rank();
        if (r < 2) {
            throw new IllegalArgumentException("a matrix layout needs rank >= 2, got shape "
                    + java.util.Arrays.toString(layout.shape()));
        }
        int rows = layout.shape()[r - 2];
        int cols = layout.shape()[r - 1];
        int rowStride = layout.strides()[r - 2];
        int colStride = layout.strides()[r - 1];
        if ((cols == 1 || colStride == 1) && (rows == 1 || rowStride >= Math.max(1, cols))) {
            return new BlasMatrix(true, rows == 1 ? Math.max(1, cols) : rowStride);
        }
        if ((rows == 1 || rowStride == 1) && (cols == 1 || colStride >= Math.max(1, rows))) {
            return new BlasMatrix(false, cols == 1 ? Math.max(1, rows) : colStride);
        }
        return null;
    }
}
