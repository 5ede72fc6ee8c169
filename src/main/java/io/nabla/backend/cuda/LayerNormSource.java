package io.nabla.backend.cuda;

import io.nabla.backend.DType;

/**
 * CUDA C of layer normalisation, as the reference computes it: one thread per row for the forward pass and the
 * input gradient (two-pass mean and biased variance in double), one thread per normalised position for the weight
 * and bias gradients (summing over rows in order). Statistics are contiguous vectors indexed by the row.
 */
final class LayerNormSource {

    private LayerNormSource() {
    }

    private static String at(String prefix, String index) {
        return prefix + "[" + prefix + "b + at(" + prefix + "r, " + index + ")]";
    }

    static Kernel forward(DType t, DType s) {
        String name = "layernorm_" + CudaC.tag(t) + "_" + CudaC.tag(s);
        String T = CudaC.type(t);
        String x = CudaC.loadF(t, at("x", "i"));
        String src = "extern \"C\" __global__ void " + name + "(i64 n, i64 m, double eps, i64 hw, i64 hb, L xk, L xr, "
                + T + "* x, L wk, L wr, " + T + "* w, L bk, L br, " + T + "* b, L ok, L orr, " + T + "* o, "
                + CudaC.type(s) + "* mean, " + CudaC.type(s) + "* rstd) {\n  GRID_LOOP(j, n) {\n"
                + "    i64 xb = at(xk, j); i64 wb = at(wk, j); i64 bb = at(bk, j); i64 ob = at(ok, j);\n"
                + "    double sum = 0; for (i64 i = 0; i < m; i++) sum += " + x + ";\n"
                + "    double mu = sum / (double) m; double sq = 0;\n"
                + "    for (i64 i = 0; i < m; i++) { double d = " + x + " - mu; sq += d * d; }\n"
                + "    double r = 1.0 / sqrt(sq / (double) m + eps);\n"
                + "    mean[j] = " + CudaC.storeF(s, "mu") + "; rstd[j] = " + CudaC.storeF(s, "r") + ";\n"
                + "    for (i64 i = 0; i < m; i++) { double y = (" + x + " - mu) * r;\n"
                + "      if (hw) y *= " + CudaC.loadF(t, at("w", "i")) + "; if (hb) y += " + CudaC.loadF(t, at("b", "i"))
                + ";\n      o[ob + at(orr, i)] = " + CudaC.storeF(t, "y") + "; }\n  }\n}\n";
        return new Kernel(name, src);
    }

    static Kernel inputGrad(DType t, DType s) {
        String name = "layernormgrad_" + CudaC.tag(t) + "_" + CudaC.tag(s);
        String T = CudaC.type(t);
        String d = CudaC.loadF(t, at("g", "i")) + " * (hw ? " + CudaC.loadF(t, at("w", "i")) + " : 1.0)";
        String src = "extern \"C\" __global__ void " + name + "(i64 n, i64 m, i64 hw, L xk, L xr, " + T
                + "* x, L wk, L wr, " + T + "* w, L gk, L gr, " + T + "* g, L ik, L ir, " + T + "* gi, "
                + CudaC.type(s) + "* mean, " + CudaC.type(s) + "* rstd) {\n  GRID_LOOP(j, n) {\n"
                + "    i64 xb = at(xk, j); i64 wb = at(wk, j); i64 gb = at(gk, j); i64 ib = at(ik, j);\n"
                + "    double mu = " + CudaC.loadF(s, "mean[j]") + "; double r = " + CudaC.loadF(s, "rstd[j]") + ";\n"
                + "    double sumD = 0, sumDX = 0;\n"
                + "    for (i64 i = 0; i < m; i++) { double d = " + d + "; sumD += d; sumDX += d * ("
                + CudaC.loadF(t, at("x", "i")) + " - mu) * r; }\n"
                + "    double meanD = sumD / (double) m; double meanDX = sumDX / (double) m;\n"
                + "    for (i64 i = 0; i < m; i++) { double d = " + d + "; double xhat = ("
                + CudaC.loadF(t, at("x", "i")) + " - mu) * r;\n"
                + "      gi[ib + at(ir, i)] = " + CudaC.storeF(t, "r * (d - meanD - xhat * meanDX)") + "; }\n"
                + "  }\n}\n";
        return new Kernel(name, src);
    }

    /** One thread per normalised position j, summing over the m rows in order. */
    static Kernel affineGrad(DType t, DType s) {
        String name = "layernormaffine_" + CudaC.tag(t) + "_" + CudaC.tag(s);
        String T = CudaC.type(t);
        String src = "extern \"C\" __global__ void " + name + "(i64 n, i64 m, i64 ww, i64 wb, L xk, L xr, " + T
                + "* x, L gk, L gr, " + T + "* g, " + CudaC.type(s) + "* mean, " + CudaC.type(s) + "* rstd, L lw, " + T
                + "* gw, L lb, " + T + "* gbias) {\n  GRID_LOOP(j, n) {\n"
                + "    i64 xb = at(xk, j); i64 gb = at(gk, j); double sw = 0, sb = 0;\n"
                + "    for (i64 i = 0; i < m; i++) { double gv = " + CudaC.loadF(t, at("g", "i")) + ";\n"
                + "      sw += gv * (" + CudaC.loadF(t, at("x", "i")) + " - " + CudaC.loadF(s, "mean[i]") + ") * "
                + CudaC.loadF(s, "rstd[i]") + "; sb += gv; }\n"
                + "    if (ww) gw[at(lw, j)] = " + CudaC.storeF(t, "sw") + "; if (wb) gbias[at(lb, j)] = "
                + CudaC.storeF(t, "sb") + ";\n  }\n}\n";
        return new Kernel(name, src);
    }
}
