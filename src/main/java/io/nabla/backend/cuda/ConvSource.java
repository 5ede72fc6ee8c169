package io.nabla.backend.cuda;

import io.nabla.backend.DType;

/**
 * CUDA C of the convolution helpers and pooling kernels, computing what the reference computes: one thread per
 * output element for the forward kernels (window sums in double, max with NaN winning and the first maximum kept),
 * and a gather formulation for the adjoints (col2im, avg pool and adaptive avg pool backward): one thread per input
 * element sums the contributions that read it, in the order the reference's scatter adds them, rounding to the dtype
 * after each add as the reference's read-add-write does. Max-pool backward (whose indices may point anywhere in the
 * plane) runs one thread per (n, c) plane, adding in the order of the output positions. No atomics: deterministic.
 * Images are 4-dim layouts read with {@code at4}; the column matrix is a 3-dim layout (N, C*kh*kw, OH*OW).
 */
final class ConvSource {

    /** The window parameters every windowed kernel takes, in {@link io.nabla.backend.Window2d}'s order. */
    private static final String WINDOW = "i64 kh, i64 kw, i64 sh, i64 sw, i64 ph, i64 pw, i64 dh, i64 dw";

    private ConvSource() {
    }

    /** The value of the double {@code e} once stored as {@code t} and read back (the reference's put-then-get). */
    private static String rounded(DType t, String e) {
        return t == DType.FP64 ? "(" + e + ")" : CudaC.loadF(t, CudaC.storeF(t, e));
    }

    /** Splits the flat index {@code i} of an image (N, C, H, W) of layout {@code l} into n, c, y, x. */
    private static String imageIndex(String l) {
        return "    i64 C = " + l + ".size[1], H = " + l + ".size[2], W = " + l + ".size[3];\n"
                + "    i64 x = i % W; i64 y = (i / W) % H; i64 c = (i / (W * H)) % C; i64 n = i / (W * H * C);\n";
    }

    /** Splits the flat index {@code i} of a pooled output (N, C, OH, OW) of layout {@code l} into n, c, oy, ox. */
    private static String pooledIndex(String l) {
        return "    i64 C = " + l + ".size[1], OH = " + l + ".size[2], OW = " + l + ".size[3];\n"
                + "    i64 ox = i % OW; i64 oy = (i / OW) % OH; i64 c = (i / (OW * OH)) % C;"
                + " i64 n = i / (OW * OH * C);\n";
    }

    private static String head(String name, String params) {
        return "extern \"C\" __global__ void " + name + "(" + params + ") {\n  GRID_LOOP(i, total) {\n";
    }

    /** One thread per column entry: the image element its tap reads, or 0 in the padding (copied bit for bit). */
    static Kernel im2col(DType t) {
        String name = "im2col_" + CudaC.tag(t);
        String T = CudaC.type(t);
        return new Kernel(name, head(name, "i64 total, " + WINDOW + ", i64 oh, i64 ow, L li, const " + T
                + "* in, L lc, " + T + "* cols")
                + "    i64 C = li.size[1], H = li.size[2], W = li.size[3];\n"
                + "    i64 ox = i % ow; i64 r = i / ow; i64 oy = r % oh; r /= oh; i64 j = r % kw; r /= kw;\n"
                + "    i64 k = r % kh; r /= kh; i64 c = r % C; i64 n = r / C;\n"
                + "    i64 y = oy * sh - ph + k * dh; i64 x = ox * sw - pw + j * dw;\n"
                + "    i64 o = lc.off + n * lc.stride[0] + ((c * kh + k) * kw + j) * lc.stride[1]"
                + " + (oy * ow + ox) * lc.stride[2];\n"
                + "    cols[o] = (y >= 0 && y < H && x >= 0 && x < W) ? in[at4(li, n, c, y, x)] : (" + T + ") 0;\n"
                + "  }\n}\n");
    }

    /** One thread per image element, summing the column entries that read it in tap order (as the reference). */
    static Kernel col2im(DType t) {
        String name = "col2im_" + CudaC.tag(t);
        String T = CudaC.type(t);
        return new Kernel(name, head(name, "i64 total, " + WINDOW + ", i64 oh, i64 ow, L lc, const " + T
                + "* cols, L lo, " + T + "* out")
                + imageIndex("lo")
                + "    double acc = 0;\n"
                + "    for (i64 k = 0; k < kh; k++) {\n"
                + "      i64 ty = y + ph - k * dh; if (ty < 0 || ty % sh != 0 || ty / sh >= oh) continue;\n"
                + "      for (i64 j = 0; j < kw; j++) {\n"
                + "        i64 tx = x + pw - j * dw; if (tx < 0 || tx % sw != 0 || tx / sw >= ow) continue;\n"
                + "        i64 o = lc.off + n * lc.stride[0] + ((c * kh + k) * kw + j) * lc.stride[1]"
                + " + ((ty / sh) * ow + tx / sw) * lc.stride[2];\n"
                + "        acc = " + rounded(t, "acc + " + CudaC.loadF(t, "cols[o]")) + ";\n"
                + "      }\n    }\n"
                + "    out[at4(lo, n, c, y, x)] = " + CudaC.storeF(t, "acc") + ";\n  }\n}\n");
    }

    /** One thread per output: the reference's window walk (padding skipped, NaN wins, first maximum kept). */
    static Kernel maxPool(DType t) {
        String name = "maxpool2d_" + CudaC.tag(t);
        String T = CudaC.type(t);
        return new Kernel(name, head(name, "i64 total, " + WINDOW + ", L li, const " + T + "* in, L lo, " + T
                + "* out, L lx, i64* idx")
                + pooledIndex("lo")
                + "    i64 H = li.size[2], W = li.size[3];\n"
                + "    i64 y0 = oy * sh - ph; i64 x0 = ox * sw - pw;\n"
                + "    i64 y1 = imin(y0 + (kh - 1) * dh + 1, H); i64 x1 = imin(x0 + (kw - 1) * dw + 1, W);\n"
                + "    if (y0 < 0) y0 += (-y0 + dh - 1) / dh * dh; if (x0 < 0) x0 += (-x0 + dw - 1) / dw * dw;\n"
                + "    i64 best = y0 * W + x0; double mx = -NABLA_INF;\n"
                + "    for (i64 y = y0; y < y1; y += dh) for (i64 x = x0; x < x1; x += dw) {\n"
                + "      double v = " + CudaC.loadF(t, "in[at4(li, n, c, y, x)]") + ";\n"
                + "      if (v > mx || v != v) { mx = v; best = y * W + x; }\n    }\n"
                + "    out[at4(lo, n, c, oy, ox)] = " + CudaC.storeF(t, "mx") + "; idx[at4(lx, n, c, oy, ox)] = best;\n"
                + "  }\n}\n");
    }

    /**
     * One thread per (n, c) plane: zeroes the plane's gradient, then adds each output gradient at its (checked)
     * index in the order of the output positions, as the reference does.
     */
    static Kernel maxPoolBackward(DType t) {
        String name = "maxpool2dgrad_" + CudaC.tag(t);
        String T = CudaC.type(t);
        String d = "gi[at4(li, n, c, k / W, k % W)]";
        return new Kernel(name, head(name, "i64 total, L lg, const " + T + "* g, L lx, const i64* idx, L li, " + T
                + "* gi")
                + "    i64 C = li.size[1], H = li.size[2], W = li.size[3], OH = lg.size[2], OW = lg.size[3];\n"
                + "    i64 n = i / C, c = i % C;\n"
                + "    for (i64 y = 0; y < H; y++) for (i64 x = 0; x < W; x++) gi[at4(li, n, c, y, x)] = ("
                + T + ") 0;\n"
                + "    for (i64 oy = 0; oy < OH; oy++) for (i64 ox = 0; ox < OW; ox++) {\n"
                + "      i64 k = idx[at4(lx, n, c, oy, ox)];\n"
                + "      " + d + " = " + CudaC.storeF(t, CudaC.loadF(t, d) + " + "
                + CudaC.loadF(t, "g[at4(lg, n, c, oy, ox)]")) + ";\n    }\n  }\n}\n");
    }

    /** The reference's avg-pool window of output (oy, ox): clipped bounds y0, y1, x0, x1 and the divisor. */
    private static String avgWindow(String oy, String ox) {
        return "i64 y0 = " + oy + " * sh - ph, x0 = " + ox + " * sw - pw;"
                + " i64 y1 = imin(y0 + kh, H + ph), x1 = imin(x0 + kw, W + pw);"
                + " i64 padded = (y1 - y0) * (x1 - x0);"
                + " y0 = imax(y0, 0); x0 = imax(x0, 0); y1 = imin(y1, H); x1 = imin(x1, W);"
                + " i64 div = include ? padded : (y1 - y0) * (x1 - x0);";
    }

    /** One thread per output: the window's sum in double over its divisor. */
    static Kernel avgPool(DType t) {
        String name = "avgpool2d_" + CudaC.tag(t);
        String T = CudaC.type(t);
        return new Kernel(name, head(name, "i64 total, " + WINDOW + ", i64 include, L li, const " + T + "* in, L lo, "
                + T + "* out")
                + pooledIndex("lo")
                + "    i64 H = li.size[2], W = li.size[3];\n    " + avgWindow("oy", "ox") + "\n"
                + "    double sum = 0;\n"
                + "    for (i64 y = y0; y < y1; y++) for (i64 x = x0; x < x1; x++) sum += "
                + CudaC.loadF(t, "in[at4(li, n, c, y, x)]") + ";\n"
                + "    out[at4(lo, n, c, oy, ox)] = " + CudaC.storeF(t, "(y0 >= y1 || x0 >= x1 ? 0.0 : sum / (double) div)") + ";\n  }\n}\n");
    }

    /**
     * One thread per input element: the gradients of the windows covering it, each over its divisor, added in the
     * order of the output positions (the reference spreads them in that order).
     */
    static Kernel avgPoolBackward(DType t) {
        String name = "avgpool2dgrad_" + CudaC.tag(t);
        String T = CudaC.type(t);
        return new Kernel(name, head(name, "i64 total, " + WINDOW + ", i64 include, L lg, const " + T + "* g, L li, "
                + T + "* gi")
                + "    i64 OH = lg.size[2], OW = lg.size[3];\n" + imageIndex("li")
                + "    i64 ylo = y + ph - kh + 1; ylo = ylo <= 0 ? 0 : (ylo + sh - 1) / sh;"
                + " i64 yhi = imin((y + ph) / sh, OH - 1);\n"
                + "    i64 xlo = x + pw - kw + 1; xlo = xlo <= 0 ? 0 : (xlo + sw - 1) / sw;"
                + " i64 xhi = imin((x + pw) / sw, OW - 1);\n"
                + "    double acc = 0;\n"
                + "    for (i64 oy = ylo; oy <= yhi; oy++) for (i64 ox = xlo; ox <= xhi; ox++) {\n"
                + "      " + avgWindow("oy", "ox") + "\n"
                + "      if (y < y0 || y >= y1 || x < x0 || x >= x1) continue;\n"
                + "      acc = " + rounded(t, "acc + " + CudaC.loadF(t, "g[at4(lg, n, c, oy, ox)]") + " / (double) div")
                + ";\n    }\n"
                + "    gi[at4(li, n, c, y, x)] = " + CudaC.storeF(t, "acc") + ";\n  }\n}\n");
    }

    /** Adaptive bin {@code i} of {@code o} over {@code n}: [floor(i * n / o), ceil((i + 1) * n / o)). */
    private static String bins(String i, String n, String o, String lo, String hi) {
        return "i64 " + lo + " = " + i + " * " + n + " / " + o + "; i64 " + hi + " = ((" + i + " + 1) * " + n + " + "
                + o + " - 1) / " + o + ";";
    }

    /** One thread per output: the mean over its adaptive bin. */
    static Kernel adaptiveAvgPool(DType t) {
        String name = "adaptiveavgpool2d_" + CudaC.tag(t);
        String T = CudaC.type(t);
        return new Kernel(name, head(name, "i64 total, L li, const " + T + "* in, L lo, " + T + "* out")
                + pooledIndex("lo")
                + "    i64 H = li.size[2], W = li.size[3];\n"
                + "    " + bins("oy", "H", "OH", "y0", "y1") + " " + bins("ox", "W", "OW", "x0", "x1") + "\n"
                + "    double sum = 0;\n"
                + "    for (i64 y = y0; y < y1; y++) for (i64 x = x0; x < x1; x++) sum += "
                + CudaC.loadF(t, "in[at4(li, n, c, y, x)]") + ";\n"
                + "    out[at4(lo, n, c, oy, ox)] = " + CudaC.storeF(t, "sum / (double) ((y1 - y0) * (x1 - x0))")
                + ";\n  }\n}\n");
    }

    /**
     * One thread per input element: the gradients of the bins covering it (a candidate range one wider on each side,
     * each bin checked), each over its bin's size, added in the order of the output positions.
     */
    static Kernel adaptiveAvgPoolBackward(DType t) {
        String name = "adaptiveavgpool2dgrad_" + CudaC.tag(t);
        String T = CudaC.type(t);
        return new Kernel(name, head(name, "i64 total, L lg, const " + T + "* g, L li, " + T + "* gi")
                + "    i64 OH = lg.size[2], OW = lg.size[3];\n" + imageIndex("li")
                + "    i64 ylo = imax(y * OH / H - 1, 0), yhi = imin(((y + 1) * OH - 1) / H + 1, OH - 1);\n"
                + "    i64 xlo = imax(x * OW / W - 1, 0), xhi = imin(((x + 1) * OW - 1) / W + 1, OW - 1);\n"
                + "    double acc = 0;\n"
                + "    for (i64 oy = ylo; oy <= yhi; oy++) {\n"
                + "      " + bins("oy", "H", "OH", "y0", "y1") + " if (y < y0 || y >= y1) continue;\n"
                + "      for (i64 ox = xlo; ox <= xhi; ox++) {\n"
                + "        " + bins("ox", "W", "OW", "x0", "x1") + " if (x < x0 || x >= x1) continue;\n"
                + "        acc = " + rounded(t, "acc + " + CudaC.loadF(t, "g[at4(lg, n, c, oy, ox)]")
                + " / (double) ((y1 - y0) * (x1 - x0))") + ";\n"
                + "      }\n    }\n"
                + "    gi[at4(li, n, c, y, x)] = " + CudaC.storeF(t, "acc") + ";\n  }\n}\n");
    }
}
