package io.nabla.backend.cuda;

import io.nabla.backend.DType;
import io.nabla.backend.PointwiseLoss;

/**
 * CUDA C of the loss kernels, in double as {@link PointwiseLoss} and the reference class losses compute. Reduced
 * losses write per-thread partial sums (pointwise) or per-row values (class losses) that one thread then adds in
 * order, so results do not depend on scheduling. (A kernel collection: forward, backward and finishing kernels.)
 */
final class LossSource {

    /** Partial sums of a reduced pointwise loss. */
    static final int PARTIALS = 4096;

    static final String HELPERS = """
            #ifndef NABLA_LOSS
            #define NABLA_LOSS
            __device__ __forceinline__ double lsoftplus(double v) { return nmax(v, 0.0) + log1p(exp(-fabs(v))); }
            __device__ __forceinline__ double lsigmoid(double v) { if (v >= 0) return 1 / (1 + exp(-v)); double e = exp(v); return e / (1 + e); }
            __device__ __forceinline__ double lxlogy(double x, double y) { if (y != y) return y; return x == 0 ? 0 : x * log(y); }
            __device__ __forceinline__ double lsignum(double v) { return v > 0 ? 1.0 : (v < 0 ? -1.0 : v); }
            #endif
            """;

    private LossSource() {
    }

    static String value(PointwiseLoss loss) {
        return switch (loss) {
            case MSE -> "(x - t) * (x - t)";
            case L1 -> "fabs(x - t)";
            case SMOOTH_L1 -> "(fabs(x - t) < beta ? 0.5 * fabs(x - t) * fabs(x - t) / beta : fabs(x - t) - 0.5 * beta)";
            case BCE_WITH_LOGITS -> "(1 - t) * x + (1 + (pw - 1) * t) * lsoftplus(-x)";
            case KL_DIV -> "lxlogy(t, t) - t * x";
            case KL_DIV_LOG_TARGET -> "exp(t) * (t - x)";
        };
    }

    static String dInput(PointwiseLoss loss) {
        return switch (loss) {
            case MSE -> "2 * (x - t)";
            case L1 -> "lsignum(x - t)";
            case SMOOTH_L1 -> "((x - t) < -beta ? -1.0 : ((x - t) > beta ? 1.0 : (x - t) / beta))";
            case BCE_WITH_LOGITS -> "((pw * t) + 1 - t) * lsigmoid(x) - pw * t";
            case KL_DIV -> "-t";
            case KL_DIV_LOG_TARGET -> "-exp(t)";
        };
    }

    static String dTarget(PointwiseLoss loss) {
        return switch (loss) {
            case MSE, L1, SMOOTH_L1 -> "-(" + dInput(loss) + ")";
            case BCE_WITH_LOGITS -> "-lsoftplus(x) + pw * lsoftplus(-x)";
            case KL_DIV -> "(t != 0 ? log(t) : 0.0) + t / t - x";
            case KL_DIV_LOG_TARGET -> "exp(t) * (t - x + 1)";
        };
    }

    private static String opt(boolean present, String load) {
        return present ? load : "1.0";
    }

    /** Operands: x, t, w, pw, out; reduce: thread j adds elements j, j + PARTIALS, ... into partial[j]. */
    static Kernel pointwise(PointwiseLoss loss, DType d, boolean weight, boolean posWeight, boolean reduce) {
        String T = CudaC.type(d);
        String name = "ploss_" + loss.name().toLowerCase() + "_" + CudaC.tag(d) + (weight ? "_w" : "")
                + (posWeight ? "_pw" : "") + (reduce ? "_sum" : "");
        String v = "double x = " + CudaC.loadF(d, "xa[at(lx, i)]") + "; double t = " + CudaC.loadF(d, "ta[at(lt, i)]")
                + "; double pw = " + opt(posWeight, CudaC.loadF(d, "pa[at(lp, i)]")) + "; double v = (" + value(loss)
                + ") * " + opt(weight, CudaC.loadF(d, "wa[at(lw, i)]")) + ";";
        String head = "extern \"C\" __global__ void " + name + "(i64 n, double beta, double scale, L lx, " + T
                + "* xa, L lt, " + T + "* ta, L lw, " + T + "* wa, L lp, " + T + "* pa, L lo, " + T
                + "* oa, double* partial) {\n";
        String body = reduce
                ? "  i64 j = blockIdx.x * (i64) blockDim.x + threadIdx.x; if (j >= " + PARTIALS + ") return;\n"
                + "  double acc = 0;\n  for (i64 i = j; i < n; i += " + PARTIALS + ") { " + v + " acc += v; }\n"
                + "  partial[j] = acc;\n"
                : "  GRID_LOOP(i, n) { " + v + " oa[at(lo, i)] = " + CudaC.storeF(d, "scale * v") + "; }\n";
        return new Kernel(name, HELPERS + head + body + "}\n");
    }

    /** One thread: out = scale * (sum of the partials in order) (or / divisor[0] when mean). */
    static Kernel finish(DType d) {
        String name = "lossfinish_" + CudaC.tag(d);
        return new Kernel(name, "extern \"C\" __global__ void " + name + "(i64 n, double scale, i64 mean, "
                + "double* values, double* weights, L lo, " + CudaC.type(d) + "* oa) {\n"
                + "  if (blockIdx.x != 0 || threadIdx.x != 0) return;\n"
                + "  double s = 0, w = 0; for (i64 i = 0; i < n; i++) { s += values[i]; if (mean) w += weights[i]; }\n"
                + "  oa[at(lo, 0)] = " + CudaC.storeF(d, "mean ? s / w : scale * s") + ";\n}\n");
    }

    static Kernel pointwiseBackward(PointwiseLoss loss, DType d, boolean weight, boolean posWeight,
                                    boolean gradInput, boolean gradTarget) {
        String T = CudaC.type(d);
        String name = "plossgrad_" + loss.name().toLowerCase() + "_" + CudaC.tag(d) + (weight ? "_w" : "")
                + (posWeight ? "_pw" : "") + (gradInput ? "_gi" : "") + (gradTarget ? "_gt" : "");
        StringBuilder s = new StringBuilder(HELPERS).append("extern \"C\" __global__ void ").append(name)
                .append("(i64 n, double beta, double scale, L lg, ").append(T).append("* ga, L lx, ").append(T)
                .append("* xa, L lt, ").append(T).append("* ta, L lw, ").append(T).append("* wa, L lp, ").append(T)
                .append("* pa, L li, ").append(T).append("* ia, L lo, ").append(T).append("* oa) {\n  GRID_LOOP(i, n) {\n")
                .append("    double g = scale * ").append(CudaC.loadF(d, "ga[at(lg, i)]")).append(" * ")
                .append(opt(weight, CudaC.loadF(d, "wa[at(lw, i)]"))).append(";\n")
                .append("    double x = ").append(CudaC.loadF(d, "xa[at(lx, i)]")).append("; double t = ")
                .append(CudaC.loadF(d, "ta[at(lt, i)]")).append("; double pw = ")
                .append(opt(posWeight, CudaC.loadF(d, "pa[at(lp, i)]"))).append(";\n");
        if (gradInput) {
            s.append("    ia[at(li, i)] = ").append(CudaC.storeF(d, "g * (" + dInput(loss) + ")")).append(";\n");
        }
        if (gradTarget) {
            s.append("    oa[at(lo, i)] = ").append(CudaC.storeF(d, "g * (" + dTarget(loss) + ")")).append(";\n");
        }
        return new Kernel(name, s.append("  }\n}\n").toString());
    }

    private static final String CLASS_PARAMS = "i64 n, i64 C, i64 cs, i64 ignore, double eps, i64 logsm, i64 hasw, ";

    private static String wAt(DType d, String c) {
        return "(hasw ? " + CudaC.loadF(d, "wa[at(lw, " + c + ")]") + " : 1.0)";
    }

    /**
     * Row losses (class-index targets): rowLoss[r] and rowW[r] (w[y], 0 when ignored); NONE writes out. A target
     * neither ignored nor in [0, C) makes its row NaN and, when {@code bad} is not null, is reported there (bad[0] = 1,
     * bad[1..3] = target, C, ignore), for the stream's deferred check.
     */
    static Kernel classIndex(DType d) {
        String T = CudaC.type(d);
        String name = "closs_" + CudaC.tag(d);
        String x = CudaC.loadF(d, "xa[xb + c * cs]");
        String src = "extern \"C\" __global__ void " + name + "(" + CLASS_PARAMS + "i64 none, L lx, " + T
                + "* xa, L lt, i64* ta, L lw, " + T + "* wa, L lo, " + T + "* oa, double* rowLoss, double* rowW, i64* bad) {\n"
                + "  GRID_LOOP(r, n) {\n    i64 xb = at(lx, r); i64 y = ta[at(lt, r)]; double loss = 0, wy = 0;\n"
                + "    if (y != ignore && (y < 0 || y >= C)) {\n"
                + "      loss = __longlong_as_double(0x7ff8000000000000LL);\n"
                + "      if (bad) { bad[0] = 1; bad[1] = y; bad[2] = C; bad[3] = ignore; }\n    }\n"
                + "    else if (y != ignore) {\n      wy = " + wAt(d, "y") + ";\n"
                + "      if (!logsm) { loss = -wy * " + x.replace("c * cs", "y * cs") + "; } else {\n"
                + "        double mx = -NABLA_INF; for (i64 c = 0; c < C; c++) mx = nmax(mx, " + x + ");\n"
                + "        double lse = mx; if (mx != -NABLA_INF) { double s = 0; for (i64 c = 0; c < C; c++) s += exp("
                + x + " - mx); lse = mx + log(s); }\n"
                + "        loss = (1 - eps) * wy * (lse - " + x.replace("c * cs", "y * cs") + ");\n"
                + "        if (eps > 0) { double s = 0; for (i64 c = 0; c < C; c++) s += " + wAt(d, "c") + " * (lse - "
                + x + "); loss += eps / C * s; }\n      }\n    }\n"
                + "    if (none) oa[at(lo, r)] = " + CudaC.storeF(d, "loss") + "; rowLoss[r] = loss; rowW[r] = wy;\n"
                + "  }\n}\n";
        return new Kernel(name, src);
    }

    /** Gradient rows; {@code div} holds the weighted-mean divisor when mean (else 1 is used). */
    static Kernel classIndexBackward(DType d) {
        String T = CudaC.type(d);
        String name = "clossgrad_" + CudaC.tag(d);
        String x = CudaC.loadF(d, "xa[xb + c * cs]");
        String gi = "gia[gb + c * gcs] = ";
        String src = "extern \"C\" __global__ void " + name + "(" + CLASS_PARAMS + "i64 gcs, i64 mean, L lx, " + T
                + "* xa, L lt, i64* ta, L lg, " + T + "* ga, L lgi, " + T + "* gia, L lw, " + T + "* wa, double* div) {\n"
                + "  GRID_LOOP(r, n) {\n    i64 xb = at(lx, r); i64 gb = at(lgi, r); i64 y = ta[at(lt, r)];\n"
                + "    if (y == ignore || y < 0 || y >= C) { for (i64 c = 0; c < C; c++) " + gi + CudaC.storeF(d, "0.0")
                + "; continue; }\n"
                + "    double g = " + CudaC.loadF(d, "ga[at(lg, r)]") + " / (mean ? div[0] : 1.0); double wy = "
                + wAt(d, "y") + ";\n"
                + "    if (!logsm) { for (i64 c = 0; c < C; c++) " + gi + CudaC.storeF(d, "c == y ? -g * wy : 0.0")
                + "; continue; }\n"
                + "    double W = 0; for (i64 c = 0; c < C; c++) W += " + wAt(d, "c") + ";\n"
                + "    double mx = -NABLA_INF; for (i64 c = 0; c < C; c++) mx = nmax(mx, " + x + ");\n"
                + "    double s = 0; for (i64 c = 0; c < C; c++) s += exp(" + x + " - mx);\n"
                + "    double ga2 = g * ((1 - eps) * wy + eps / C * W) / s; double smooth = g * eps / C;\n"
                + "    for (i64 c = 0; c < C; c++) { double v = exp(" + x + " - mx) * ga2 - smooth * " + wAt(d, "c")
                + "; if (c == y) v -= g * (1 - eps) * wy; " + gi + CudaC.storeF(d, "v") + "; }\n"
                + "  }\n}\n";
        return new Kernel(name, src);
    }

    /**
     * One thread: div[0] = sum over rows of w[y] (1 without weights) for targets that are neither ignored nor out of
     * range — the weighted mean's divisor, summed in row order as the forward's
     * {@link #finish} sums rowW.
     */
    static Kernel meanDivisor(DType d) {
        String T = CudaC.type(d);
        String name = "loss_mean_divisor_" + CudaC.tag(d);
        return new Kernel(name, "extern \"C\" __global__ void " + name + "(i64 n, i64 C, i64 ignore, i64 hasw, L lt, "
                + "i64* ta, L lw, " + T + "* wa, double* div) {\n  if (blockIdx.x != 0 || threadIdx.x != 0) return;\n"
                + "  double s = 0; for (i64 r = 0; r < n; r++) { i64 y = ta[at(lt, r)];"
                + " if (y != ignore && y >= 0 && y < C) s += " + wAt(d, "y") + "; }\n  div[0] = s;\n}\n");
    }

    private static String lse(DType d, String x) {
        return "double mx = -NABLA_INF; for (i64 c = 0; c < C; c++) mx = nmax(mx, " + x + ");"
                + " double lse = mx; if (mx != -NABLA_INF) { double s = 0; for (i64 c = 0; c < C; c++) s += exp(" + x
                + " - mx); lse = mx + log(s); }";
    }

    /** Probability targets: rowLoss[r] = -sum_c w[c] t'[c] (x[c] - lse), rowW[r] = 1; NONE writes out. */
    static Kernel classProbability(DType d) {
        String T = CudaC.type(d);
        String name = "ploss_prob_" + CudaC.tag(d);
        String x = CudaC.loadF(d, "xa[xb + c * xs]");
        String t = CudaC.loadF(d, "ta[tb + c * ts]");
        String src = "extern \"C\" __global__ void " + name + "(i64 n, i64 C, i64 xs, i64 ts, double eps, i64 hasw, "
                + "i64 none, L lx, " + T + "* xa, L lt, " + T + "* ta, L lw, " + T + "* wa, L lo, " + T + "* oa, "
                + "double* rowLoss, double* rowW) {\n  GRID_LOOP(r, n) {\n    i64 xb = at(lx, r); i64 tb = at(lt, r);\n"
                + "    " + lse(d, x) + "\n"
                + "    double s = 0; for (i64 c = 0; c < C; c++) { double tc = eps > 0 ? " + t + " * (1 - eps) + eps / C"
                + " : " + t + "; s += " + wAt(d, "c") + " * tc * (" + x + " - lse); }\n"
                + "    if (none) oa[at(lo, r)] = " + CudaC.storeF(d, "-s") + "; rowLoss[r] = -s; rowW[r] = 1.0;\n"
                + "  }\n}\n";
        return new Kernel(name, src);
    }

    /** Gradients of {@link #classProbability}; {@code div} is the row count for MEAN, else 1. */
    static Kernel classProbabilityBackward(DType d) {
        String T = CudaC.type(d);
        String name = "plossgrad_prob_" + CudaC.tag(d);
        String x = CudaC.loadF(d, "xa[xb + c * xs]");
        String t = CudaC.loadF(d, "ta[tb + c * ts]");
        String tc = "(eps > 0 ? " + t + " * (1 - eps) + eps / C : " + t + ")";
        String src = "extern \"C\" __global__ void " + name + "(i64 n, i64 C, i64 xs, i64 ts, i64 gis, i64 gts, "
                + "double eps, i64 hasw, double div, i64 wgi, i64 wgt, L lx, " + T + "* xa, L lt, " + T + "* ta, L lg, "
                + T + "* ga, L lgi, " + T + "* gia, L lgt, " + T + "* gta, L lw, " + T + "* wa) {\n"
                + "  GRID_LOOP(r, n) {\n    i64 xb = at(lx, r); i64 tb = at(lt, r); i64 gib = at(lgi, r);"
                + " i64 gtb = at(lgt, r);\n    double g = " + CudaC.loadF(d, "ga[at(lg, r)]") + " / div;\n"
                + "    " + lse(d, x) + "\n"
                + "    double wt = 0; for (i64 c = 0; c < C; c++) wt += " + wAt(d, "c") + " * " + tc + ";\n"
                + "    for (i64 c = 0; c < C; c++) { double wc = " + wAt(d, "c") + "; double xc = " + x + ";\n"
                + "      if (wgi) gia[gib + c * gis] = " + CudaC.storeF(d, "g * (exp(xc - lse) * wt - wc * " + tc + ")")
                + ";\n      if (wgt) gta[gtb + c * gts] = " + CudaC.storeF(d, "-g * (1 - eps) * wc * (xc - lse)")
                + ";\n    }\n  }\n}\n";
        return new Kernel(name, src);
    }
}
