package io.nabla.backend.cuda;

import io.nabla.backend.DType;

/**
 * CUDA C of batch normalisation, with the reference's formulas: one block per channel (a grid-stride loop over the
 * channels by block), its {@link Launch#BLOCK} threads each summing a strided share of the channel's elements in
 * double, combined by the prelude's deterministic tree sum ({@code block_sum}); per-element outputs are written by
 * the whole block. Operands are split like reductions: {@code xk} (the kept channel dimension) gives a channel's
 * base offset and {@code xr} (every other dimension, row-major) an element's offset within it. Per-channel vectors
 * (weight, bias, running statistics, parameter gradients) are rank-1 layouts; saved statistics are contiguous
 * vectors of the statistics dtype.
 */
final class BatchNormSource {

    private BatchNormSource() {
    }

    private static String at(String prefix, String index) {
        return prefix + "[" + prefix + "b + at(" + prefix + "r, " + index + ")]";
    }

    private static String head(String name, String params) {
        return "extern \"C\" __global__ void " + name + "(" + params + ") {\n"
                + "  __shared__ double buf[" + Launch.BLOCK + "];\n"
                + "  for (i64 ch = blockIdx.x; ch < nc; ch += gridDim.x) {\n";
    }

    /**
     * Normalises each channel: in training with its mean and biased variance (two passes), writing them as saved
     * statistics and updating the running ones when {@code hrm}/{@code hrv}; in evaluation with the running ones.
     */
    static Kernel forward(DType t, DType s) {
        String name = "batchnorm_" + CudaC.tag(t) + "_" + CudaC.tag(s);
        String T = CudaC.type(t);
        String S = CudaC.type(s);
        String x = CudaC.loadF(t, at("x", "i"));
        String rm = "rm[at(lrm, ch)]";
        String rv = "rv[at(lrv, ch)]";
        String src = head(name, "i64 nc, i64 m, double eps, double momentum, i64 training, i64 hw, i64 hb, i64 hrm, "
                + "i64 hrv, L xk, L xr, const " + T + "* x, L lw, const " + T + "* w, L lb, const " + T + "* b, L lrm, "
                + T + "* rm, L lrv, " + T + "* rv, L ok, L orr, " + T + "* o, " + S + "* mean, " + S + "* rstd")
                + "    i64 xb = at(xk, ch); i64 ob = at(ok, ch); double mu, r;\n"
                + "    if (training) {\n"
                + "      double part = 0; for (i64 i = threadIdx.x; i < m; i += blockDim.x) part += " + x + ";\n"
                + "      mu = block_sum(part, buf) / (double) m;\n"
                + "      part = 0; for (i64 i = threadIdx.x; i < m; i += blockDim.x) { double d = " + x + " - mu;"
                + " part += d * d; }\n"
                + "      double sq = block_sum(part, buf);\n"
                + "      r = 1.0 / sqrt(sq / (double) m + eps);\n"
                + "      if (threadIdx.x == 0) {\n"
                + "        if (hrm) " + rm + " = " + CudaC.storeF(t, "(1 - momentum) * " + CudaC.loadF(t, rm)
                + " + momentum * mu") + ";\n"
                + "        if (hrv) " + rv + " = " + CudaC.storeF(t, "(1 - momentum) * " + CudaC.loadF(t, rv)
                + " + momentum * (sq / (double) (m - 1))") + ";\n"
                + "      }\n"
                + "    } else {\n"
                + "      mu = " + CudaC.loadF(t, rm) + "; r = 1.0 / sqrt(" + CudaC.loadF(t, rv) + " + eps);\n"
                + "    }\n"
                + "    if (threadIdx.x == 0) { mean[ch] = " + CudaC.storeF(s, "mu") + "; rstd[ch] = "
                + CudaC.storeF(s, "r") + "; }\n"
                + "    double wv = hw ? " + CudaC.loadF(t, "w[at(lw, ch)]") + " : 1.0;\n"
                + "    double bv = hb ? " + CudaC.loadF(t, "b[at(lb, ch)]") + " : 0.0;\n"
                + "    for (i64 i = threadIdx.x; i < m; i += blockDim.x) { double y = (" + x + " - mu) * r;"
                + " if (hw) y *= wv; if (hb) y += bv; o[ob + at(orr, i)] = " + CudaC.storeF(t, "y") + "; }\n"
                + "  }\n}\n";
        return new Kernel(name, src);
    }

    /**
     * Input gradient: with batch statistics {@code dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat))},
     * dxhat = g * w; with fixed (running) statistics {@code dx = rstd * dxhat}.
     */
    static Kernel inputGrad(DType t, DType s) {
        String name = "batchnormgrad_" + CudaC.tag(t) + "_" + CudaC.tag(s);
        String T = CudaC.type(t);
        String S = CudaC.type(s);
        String d = CudaC.loadF(t, at("g", "i")) + " * wv";
        String src = head(name, "i64 nc, i64 m, i64 fixed, i64 hw, L xk, L xr, const " + T + "* x, L lw, const " + T
                + "* w, L gk, L gr, const " + T + "* g, L ik, L ir, " + T + "* gi, const " + S + "* mean, const " + S
                + "* rstd")
                + "    i64 xb = at(xk, ch); i64 gb = at(gk, ch); i64 ib = at(ik, ch);\n"
                + "    double mu = " + CudaC.loadF(s, "mean[ch]") + "; double r = " + CudaC.loadF(s, "rstd[ch]") + ";\n"
                + "    double wv = hw ? " + CudaC.loadF(t, "w[at(lw, ch)]") + " : 1.0;\n"
                + "    double sumD = 0, sumDX = 0;\n"
                + "    if (!fixed) {\n"
                + "      double pd = 0, pdx = 0;\n"
                + "      for (i64 i = threadIdx.x; i < m; i += blockDim.x) { double d = " + d + "; pd += d;"
                + " pdx += d * (" + CudaC.loadF(t, at("x", "i")) + " - mu) * r; }\n"
                + "      sumD = block_sum(pd, buf); sumDX = block_sum(pdx, buf);\n"
                + "    }\n"
                + "    double meanD = sumD / (double) m; double meanDX = sumDX / (double) m;\n"
                + "    for (i64 i = threadIdx.x; i < m; i += blockDim.x) { double d = " + d + "; double xhat = ("
                + CudaC.loadF(t, at("x", "i")) + " - mu) * r;\n"
                + "      gi[ib + at(ir, i)] = " + CudaC.storeF(t, "fixed ? r * d : r * (d - meanD - xhat * meanDX)")
                + "; }\n"
                + "  }\n}\n";
        return new Kernel(name, src);
    }

    /** Weight and bias gradients: per channel, the sums of {@code g * xhat} and of {@code g}. */
    static Kernel affineGrad(DType t, DType s) {
        String name = "batchnormaffine_" + CudaC.tag(t) + "_" + CudaC.tag(s);
        String T = CudaC.type(t);
        String S = CudaC.type(s);
        String src = head(name, "i64 nc, i64 m, i64 ww, i64 wb, L xk, L xr, const " + T + "* x, L gk, L gr, const " + T
                + "* g, const " + S + "* mean, const " + S + "* rstd, L lw, " + T + "* gw, L lb, " + T + "* gbias")
                + "    i64 xb = at(xk, ch); i64 gb = at(gk, ch);\n"
                + "    double mu = " + CudaC.loadF(s, "mean[ch]") + "; double r = " + CudaC.loadF(s, "rstd[ch]") + ";\n"
                + "    double pw = 0, pb = 0;\n"
                + "    for (i64 i = threadIdx.x; i < m; i += blockDim.x) { double gv = " + CudaC.loadF(t, at("g", "i"))
                + "; pw += gv * (" + CudaC.loadF(t, at("x", "i")) + " - mu) * r; pb += gv; }\n"
                + "    double sw = block_sum(pw, buf); double sb = block_sum(pb, buf);\n"
                + "    if (threadIdx.x == 0) { if (ww) gw[at(lw, ch)] = " + CudaC.storeF(t, "sw") + "; if (wb) gbias[at(lb, ch)] = "
                + CudaC.storeF(t, "sb") + "; }\n"
                + "  }\n}\n";
        return new Kernel(name, src);
    }
}
