package io.nabla.backend.cuda;

import io.nabla.backend.DType;
import io.nabla.backend.Layout;
import io.nabla.backend.ReduceOp;

/**
 * CUDA C of reductions and of the softmax family: one thread per group (output element), walking the group's
 * elements in row-major order as the reference does, accumulating in double (64-bit integers for integer sums,
 * products and extremes). An operand is split into a "kept" layout (the reduced dimensions sized 1; its flat index
 * is the group) and a "reduced" layout (only the reduced dimensions, offset 0). Deterministic by construction.
 */
final class ReduceSource {

    private ReduceSource() {
    }

    /** The kept part of {@code l}: reduced dimensions sized 1. */
    static Layout kept(Layout l, int[] dims) {
        int[] shape = l.shape().clone();
        for (int d : dims) {
            shape[d] = 1;
        }
        return new Layout(shape, l.strides(), l.offset());
    }

    /** The reduced part of {@code l}: only the reduced dimensions, offset 0. */
    static Layout reduced(Layout l, int[] dims) {
        int[] shape = new int[dims.length];
        int[] strides = new int[dims.length];
        for (int i = 0; i < dims.length; i++) {
            shape[i] = l.shape()[dims[i]];
            strides[i] = l.strides()[dims[i]];
        }
        return new Layout(shape, strides, 0);
    }

    static Kernel reduce(ReduceOp op, DType in, DType out) {
        String name = "reduce_" + op.name().toLowerCase() + "_" + CudaC.tag(in) + "_" + CudaC.tag(out);
        String x = CudaC.loadF(in, "a[base + at(lr, r)]");
        String xi = CudaC.loadI(in, "a[base + at(lr, r)]");
        boolean integral = !in.isFloatingPoint();
        String body = switch (op) {
            case SUM -> integral ? "i64 acc = 0; for (i64 r = 0; r < m; r++) acc += " + xi + "; o[oo] = "
                    + CudaC.storeI(out, "acc") + ";"
                    : "double acc = 0; for (i64 r = 0; r < m; r++) acc += " + x + "; o[oo] = " + CudaC.storeF(out, "acc")
                    + ";";
            case MEAN -> "double acc = 0; for (i64 r = 0; r < m; r++) acc += " + x + "; o[oo] = "
                    + CudaC.storeF(out, "acc / (double) m") + ";";
            case PROD -> integral ? "i64 acc = 1; for (i64 r = 0; r < m; r++) acc *= " + xi + "; o[oo] = "
                    + CudaC.storeI(out, "acc") + ";"
                    : "double acc = 1; for (i64 r = 0; r < m; r++) acc *= " + x + "; o[oo] = " + CudaC.storeF(out, "acc")
                    + ";";
            case AMAX, AMIN -> extreme(op == ReduceOp.AMAX, integral, x, xi, out);
            case VAR, STD -> "double s = 0; for (i64 r = 0; r < m; r++) s += " + x + "; double mean = s / (double) m;"
                    + " double acc = 0; for (i64 r = 0; r < m; r++) { double d = " + x + " - mean; acc += d * d; }"
                    + " double v = acc / fmax(0.0, (double) m - p); o[oo] = "
                    + CudaC.storeF(out, op == ReduceOp.VAR ? "v" : "sqrt(v)") + ";";
            case LOGSUMEXP -> "double mx = -NABLA_INF; for (i64 r = 0; r < m; r++) mx = nmax(mx, " + x + ");"
                    + " if (mx == NABLA_INF || mx == -NABLA_INF) mx = 0;"
                    + " double acc = 0; for (i64 r = 0; r < m; r++) acc += exp(" + x
                    + " - mx); o[oo] = " + CudaC.storeF(out, "log(acc) + mx") + ";";
            case ARGMAX, ARGMIN -> arg(op == ReduceOp.ARGMAX, integral, x, xi, out);
        };
        String src = "extern \"C\" __global__ void " + name + "(i64 n, i64 m, double p, L lk, L lr, " + CudaC.type(in)
                + "* a, L lo, " + CudaC.type(out) + "* o) {\n  GRID_LOOP(j, n) {\n    i64 base = at(lk, j); "
                + "i64 oo = at(lo, j);\n    " + body + "\n  }\n}\n";
        return new Kernel(name, src);
    }

    private static String extreme(boolean max, boolean integral, String x, String xi, DType out) {
        if (integral) {
            return "i64 acc = " + (max ? "(-9223372036854775807LL - 1)" : "9223372036854775807LL")
                    + "; for (i64 r = 0; r < m; r++) { i64 v = " + xi + "; acc = " + (max ? "v > acc" : "v < acc")
                    + " ? v : acc; } o[oo] = " + CudaC.storeI(out, "acc") + ";";
        }
        return "double acc = " + (max ? "-NABLA_INF" : "NABLA_INF") + "; for (i64 r = 0; r < m; r++) acc = "
                + (max ? "nmax" : "nmin") + "(acc, " + x + "); o[oo] = " + CudaC.storeF(out, "acc") + ";";
    }

    private static String arg(boolean max, boolean integral, String x, String xi, DType out) {
        String t = integral ? "i64" : "double";
        String v0 = (integral ? xi : x).replace("at(lr, r)", "at(lr, 0)");
        String better = integral ? (max ? "x > v" : "x < v") : "x != x || " + (max ? "x > v" : "x < v");
        String cond = integral ? "r < m" : "r < m && v == v";
        return t + " v = " + v0 + "; i64 best = 0; for (i64 r = 1; " + cond + "; r++) { " + t + " x = "
                + (integral ? xi : x) + "; if (" + better + ") { v = x; best = r; } } o[oo] = "
                + CudaC.storeI(out, "best") + ";";
    }

    /** The input gradient of a reduction, one thread per group (all operands of floating dtype {@code t}). */
    static Kernel reduceBackward(ReduceOp op, DType t) {
        String name = "reducegrad_" + op.name().toLowerCase() + "_" + CudaC.tag(t);
        String x = CudaC.loadF(t, "a[base + at(lr, r)]");
        String gx = "gi[gbase + at(gr, r)] = ";
        String body = switch (op) {
            case SUM -> "for (i64 r = 0; r < m; r++) " + gx + CudaC.storeF(t, "g") + ";";
            case MEAN -> "for (i64 r = 0; r < m; r++) " + gx + CudaC.storeF(t, "g / (double) m") + ";";
            case PROD -> "i64 zeros = 0; double others = 1; for (i64 r = 0; r < m; r++) { double x = " + x
                    + "; if (x == 0.0) zeros++; else others *= x; }"
                    + " for (i64 r = 0; r < m; r++) { double x = " + x + "; " + gx
                    + CudaC.storeF(t, "zeros == 0 ? g * y / x : (zeros == 1 ? (x == 0.0 ? g * others : 0.0) : 0.0)")
                    + "; }";
            case AMAX, AMIN -> "i64 ties = 0; for (i64 r = 0; r < m; r++) ties += " + x + " == y ? 1 : 0;"
                    + " for (i64 r = 0; r < m; r++) { double x = " + x + "; " + gx
                    + CudaC.storeF(t, "x == y ? g / (double) ties : 0.0") + "; }";
            case VAR, STD -> "double s = 0; for (i64 r = 0; r < m; r++) s += " + x + "; double mean = s / (double) m;"
                    + " double denom = fmax(0.0, (double) m - p); double sc = "
                    + (op == ReduceOp.VAR ? "2 * g / denom" : "g / (denom * y)") + ";"
                    + " for (i64 r = 0; r < m; r++) { double x = " + x + "; " + gx + CudaC.storeF(t, "sc * (x - mean)")
                    + "; }";
            case LOGSUMEXP -> "for (i64 r = 0; r < m; r++) { double x = " + x + "; " + gx
                    + CudaC.storeF(t, "g * exp(x - y)") + "; }";
            case ARGMAX, ARGMIN -> arg(op == ReduceOp.ARGMAX, false, x, x, DType.INT64)
                    .replace("o[oo] = (i64) (best);", "")
                    + " for (i64 r = 0; r < m; r++) " + gx + CudaC.storeF(t, "r == best ? g : 0.0") + ";";
        };
        String T = CudaC.type(t);
        String src = "extern \"C\" __global__ void " + name + "(i64 n, i64 m, double p, L lk, L lr, " + T
                + "* a, L lo, " + T + "* yo, L lg, " + T + "* go, L gk, L gr, " + T + "* gi) {\n  GRID_LOOP(j, n) {\n"
                + "    i64 base = at(lk, j); i64 gbase = at(gk, j);\n"
                + "    double y = " + CudaC.loadF(t, "yo[at(lo, j)]") + "; double g = " + CudaC.loadF(t, "go[at(lg, j)]")
                + ";\n    " + body + "\n  }\n}\n";
        return new Kernel(name, src);
    }

    /** softmax / log_softmax along one dimension, one thread per row. */
    static Kernel softmax(boolean log, DType t) {
        String name = (log ? "logsoftmax_" : "softmax_") + CudaC.tag(t);
        String x = CudaC.loadF(t, "a[base + at(lr, r)]");
        String T = CudaC.type(t);
        String store = log ? "x - mx - log(s)" : "exp(x - mx) / s";
        String src = "extern \"C\" __global__ void " + name + "(i64 n, i64 m, L lk, L lr, " + T + "* a, L ok, L orr, "
                + T + "* o) {\n  GRID_LOOP(j, n) {\n    i64 base = at(lk, j); i64 ob = at(ok, j);\n"
                + "    double mx = -NABLA_INF; for (i64 r = 0; r < m; r++) mx = nmax(mx, " + x + ");\n"
                + "    double s = 0; for (i64 r = 0; r < m; r++) s += exp(" + x + " - mx);\n"
                + "    for (i64 r = 0; r < m; r++) { double x = " + x + "; o[ob + at(orr, r)] = " + CudaC.storeF(t, store)
                + "; }\n  }\n}\n";
        return new Kernel(name, src);
    }

    static Kernel softmaxBackward(boolean log, DType t) {
        String name = (log ? "logsoftmaxgrad_" : "softmaxgrad_") + CudaC.tag(t);
        String T = CudaC.type(t);
        String y = CudaC.loadF(t, "yv[yb + at(yr, r)]");
        String g = CudaC.loadF(t, "gv[gb + at(gr, r)]");
        String acc = log ? "s += " + g + ";" : "s += " + g + " * " + y + ";";
        String out = log ? "g - exp(y) * s" : "y * (g - s)";
        String src = "extern \"C\" __global__ void " + name + "(i64 n, i64 m, L yk, L yr, " + T + "* yv, L gk, L gr, "
                + T + "* gv, L xk, L xr, " + T + "* xv) {\n  GRID_LOOP(j, n) {\n"
                + "    i64 yb = at(yk, j); i64 gb = at(gk, j); i64 xb = at(xk, j);\n"
                + "    double s = 0; for (i64 r = 0; r < m; r++) " + acc + "\n"
                + "    for (i64 r = 0; r < m; r++) { double y = " + y + "; double g = " + g + "; xv[xb + at(xr, r)] = "
                + CudaC.storeF(t, out) + "; }\n  }\n}\n";
        return new Kernel(name, src);
    }
}
