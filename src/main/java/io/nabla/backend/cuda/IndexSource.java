package io.nabla.backend.cuda;

import io.nabla.backend.DType;

/**
 * CUDA C of the index kernels: the index check, masked_fill, gather, index_select, cumsum (one thread per line,
 * summing in the reference's order and precision), and index_add / scatter_add (one thread per column, adding in
 * the reference's order, no atomics). Data are copied
 * bit for bit; index values are read as 64-bit integers.
 */
final class IndexSource {

    private IndexSource() {
    }

    /** bad[0] = 1 and bad[1] = the value when an index is outside [0, size). */
    static Kernel check(DType indexType) {
        String name = "index_check_" + CudaC.tag(indexType);
        return new Kernel(name, "extern \"C\" __global__ void " + name + "(i64 n, i64 size, L li, "
                + CudaC.type(indexType) + "* idx, i64* bad) {\n  GRID_LOOP(i, n) { i64 v = (i64) idx[at(li, i)];"
                + " if (v < 0 || v >= size) { bad[0] = 1; bad[1] = v; } }\n}\n");
    }

    static Kernel maskedFill(DType t) {
        String v = t.isFloatingPoint() || t == DType.BOOL ? CudaC.storeF(t, "p0") : CudaC.storeI(t, "d2l(p0)");
        return ElementwiseSource.map("masked_fill_" + CudaC.tag(t), new String[] {CudaC.type(t), "unsigned char",
            CudaC.type(t)}, new boolean[] {false, false, false}, "a2[o2] = a1[o1] != 0 ? " + v + " : a0[o0];");
    }

    /** out[i] = in[base(i) + index[i] * sdim]; {@code lb} is in's layout over the index shape with stride 0 at dim. */
    static Kernel gather(DType t, DType indexType) {
        String name = "gather_" + CudaC.tag(t) + "_" + CudaC.tag(indexType);
        String T = CudaC.type(t);
        return new Kernel(name, "extern \"C\" __global__ void " + name + "(i64 n, i64 sdim, L li, "
                + CudaC.type(indexType) + "* idx, L lb, " + T + "* in, L lo, " + T + "* out) {\n"
                + "  GRID_LOOP(i, n) { out[at(lo, i)] = in[at(lb, i) + (i64) idx[at(li, i)] * sdim]; }\n}\n");
    }

    /** {@code ls} maps an output position to its position j along dim; the index is read at its row-major j. */
    static Kernel indexSelect(DType t, DType indexType) {
        String name = "index_select_" + CudaC.tag(t) + "_" + CudaC.tag(indexType);
        String T = CudaC.type(t);
        return new Kernel(name, "extern \"C\" __global__ void " + name + "(i64 n, i64 sdim, L ls, L li, "
                + CudaC.type(indexType) + "* idx, L lb, " + T + "* in, L lo, " + T + "* out) {\n"
                + "  GRID_LOOP(i, n) { i64 v = (i64) idx[at(li, at(ls, i))];"
                + " out[at(lo, i)] = in[at(lb, i) + v * sdim]; }\n}\n");
    }

    /** One thread per line along dim: integers sum in 64 bits, FP32/FP64 in double, FP16/BF16 rounded to float. */
    static Kernel cumsum(DType in, DType out) {
        String name = "cumsum_" + CudaC.tag(in) + "_" + CudaC.tag(out);
        String x = "a[bi + k * is]";
        String body = in.isFloatingPoint()
                ? "double acc = 0; for (i64 k = 0; k < len; k++) { acc += " + CudaC.loadF(in, x) + ";"
                + (in.isReducedFloat() ? " acc = (double) (float) acc;" : "") + " o[bo + k * os] = "
                + CudaC.storeF(out, "acc") + "; }"
                : "i64 acc = 0; for (i64 k = 0; k < len; k++) { acc += " + CudaC.loadI(in, x) + "; o[bo + k * os] = "
                + CudaC.storeI(out, "acc") + "; }";
        return new Kernel(name, "extern \"C\" __global__ void " + name + "(i64 n, i64 len, i64 is, i64 os, L lri, "
                + CudaC.type(in) + "* a, L lro, " + CudaC.type(out) + "* o) {\n  GRID_LOOP(r, n) {\n"
                + "    i64 bi = at(lri, r); i64 bo = at(lro, r);\n    " + body + "\n  }\n}\n");
    }

    /** {@code *d += *s} in the dtype's arithmetic (FP16/BF16 through float), as the reference's addElement. */
    private static String add(DType t, String d, String s) {
        if (t.isFloatingPoint()) {
            return "{ double sum = " + CudaC.loadF(t, d) + " + " + CudaC.loadF(t, s) + ";"
                    + (t.isReducedFloat() ? " sum = (double) (float) sum;" : "") + " " + d + " = "
                    + CudaC.storeF(t, "sum") + "; }";
        }
        return d + " = " + CudaC.storeI(t, CudaC.loadI(t, d) + " + " + CudaC.loadI(t, s)) + ";";
    }

    /**
     * index_add: one thread per position q of the output without dim, walking the index in order, so every output
     * element receives its adds in the order of j without atomics.
     */
    static Kernel indexAdd(DType t, DType indexType) {
        String name = "index_add_" + CudaC.tag(t) + "_" + CudaC.tag(indexType);
        String T = CudaC.type(t);
        return new Kernel(name, "extern \"C\" __global__ void " + name + "(i64 n, i64 len, i64 ss, i64 os, L ls, "
                + T + "* src, L lo, " + T + "* out, L li, " + CudaC.type(indexType) + "* idx) {\n  GRID_LOOP(q, n) {\n"
                + "    i64 sb = at(ls, q); i64 ob = at(lo, q);\n"
                + "    for (i64 j = 0; j < len; j++) { i64 ix = (i64) idx[at(li, j)]; "
                + add(t, "out[ob + ix * os]", "src[sb + j * ss]") + " }\n  }\n}\n");
    }

    /** scatter_add: one thread per position q of the index without dim, walking dim in order. */
    static Kernel scatterAdd(DType t, DType indexType) {
        String name = "scatter_add_" + CudaC.tag(t) + "_" + CudaC.tag(indexType);
        String T = CudaC.type(t);
        return new Kernel(name, "extern \"C\" __global__ void " + name + "(i64 n, i64 len, i64 is, i64 ss, i64 os, "
                + "L li, " + CudaC.type(indexType) + "* idx, L ls, " + T + "* src, L lo, " + T + "* out) {\n"
                + "  GRID_LOOP(q, n) {\n    i64 ib = at(li, q); i64 sb = at(ls, q); i64 ob = at(lo, q);\n"
                + "    for (i64 k = 0; k < len; k++) { i64 ix = (i64) idx[ib + k * is]; "
                + add(t, "out[ob + ix * os]", "src[sb + k * ss]") + " }\n  }\n}\n");
    }
}
