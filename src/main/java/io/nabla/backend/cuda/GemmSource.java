package io.nabla.backend.cuda;

import io.nabla.backend.DType;
import io.nabla.backend.Layout;

/**
 * CUDA C of the matrix product cuBLAS cannot do: integer dtypes and floating views without a BLAS form. One thread
 * per element of C runs the reference's dot product in order: floating products summed in double, integer products
 * in 64 bits (wrapping, as Java's long arithmetic does), then {@code alpha * dot + beta * old} ({@code old} read
 * only when beta is not 0) stored once. A and B are passed as layouts over C's shape (see {@link #rowsOver} and
 * {@link #colsOver}) whose offset at an element of C is where its dot product starts.
 */
final class GemmSource {

    private GemmSource() {
    }

    /** A's batch strides and row stride over C's shape, stride 0 along C's columns: the start of row i of A. */
    static Layout rowsOver(Layout a, Layout c) {
        int r = c.rank();
        int[] strides = a.strides().clone();
        strides[r - 1] = 0;
        return new Layout(c.shape().clone(), strides, a.offset());
    }

    /** B's batch strides and column stride over C's shape, stride 0 along C's rows: the start of column j of B. */
    static Layout colsOver(Layout b, Layout c) {
        int r = c.rank();
        int[] strides = b.strides().clone();
        strides[r - 2] = 0;
        return new Layout(c.shape().clone(), strides, b.offset());
    }

    static Kernel gemm(DType t) {
        String name = "gemm_" + CudaC.tag(t);
        String T = CudaC.type(t);
        String a = "a[ab + p * as]";
        String b = "b[bb + p * bs]";
        String body = t.isFloatingPoint()
                ? "double acc = 0; for (i64 p = 0; p < k; p++) acc += " + CudaC.loadF(t, a) + " * "
                + CudaC.loadF(t, b) + ";\n"
                + "    double old = beta == 0 ? 0.0 : " + CudaC.loadF(t, "c[co]") + ";\n"
                + "    c[co] = " + CudaC.storeF(t, "alpha * acc + beta * old") + ";"
                : "unsigned long long acc = 0; for (i64 p = 0; p < k; p++) acc += (unsigned long long) "
                + CudaC.loadI(t, a) + " * (unsigned long long) " + CudaC.loadI(t, b) + ";\n"
                + "    unsigned long long old = beta == 0 ? 0ULL : (unsigned long long) " + CudaC.loadI(t, "c[co]")
                + ";\n"
                + "    i64 v = (i64) ((unsigned long long) d2l(alpha) * acc + (unsigned long long) d2l(beta) * old);\n"
                + "    c[co] = " + CudaC.storeI(t, "v") + ";";
        return new Kernel(name, "extern \"C\" __global__ void " + name + "(i64 n, i64 k, double alpha, double beta, "
                + "i64 as, L la, const " + T + "* a, i64 bs, L lb, const " + T + "* b, L lc, " + T + "* c) {\n"
                + "  GRID_LOOP(i, n) {\n    i64 ab = at(la, i); i64 bb = at(lb, i); i64 co = at(lc, i);\n    " + body
                + "\n  }\n}\n");
    }
}
