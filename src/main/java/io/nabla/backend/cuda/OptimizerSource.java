package io.nabla.backend.cuda;

import io.nabla.backend.DType;

/**
 * CUDA C of the fused optimizer updates, mirroring the reference kernels: every value in double, each state and
 * parameter rounded once when stored. Hyper-parameters arrive in a device array {@code h} of doubles.
 */
final class OptimizerSource {

    /** Number of partial sums of {@link #sumAbsPow}: fixed, so the result does not depend on the device. */
    static final int PARTIALS = 4096;

    private OptimizerSource() {
    }

    private static String c(boolean contiguous, int k) {
        return CudaC.offset(k, contiguous);
    }

    /** h = {lr, momentum, dampening, weightDecay, nesterov, maximize, initBuffer, hasBuffer}. */
    static Kernel sgd(DType t, boolean contiguous) {
        String T = CudaC.type(t);
        String name = "sgd_" + CudaC.tag(t) + (contiguous ? "_c" : "_s");
        String src = "extern \"C\" __global__ void " + name + "(i64 n, double lr, double momentum, double dampening, "
                + "double wd, i64 nesterov, i64 maximize, i64 init, L l0, " + T + "* a0, L l1, " + T + "* a1, L l2, "
                + T + "* a2) {\n  GRID_LOOP(i, n) {\n"
                + "    i64 o0 = " + c(contiguous, 0) + "; i64 o1 = " + c(contiguous, 1) + "; i64 o2 = "
                + c(contiguous, 2) + ";\n"
                + "    double pv = " + CudaC.loadF(t, "a0[o0]") + "; double d = " + CudaC.loadF(t, "a1[o1]") + ";\n"
                + "    if (maximize) d = -d;\n    d += wd * pv;\n"
                + "    if (momentum != 0) {\n"
                + "      double bv = init ? d : momentum * " + CudaC.loadF(t, "a2[o2]") + " + (1 - dampening) * d;\n"
                + "      a2[o2] = " + CudaC.storeF(t, "bv") + ";\n      d = nesterov ? d + momentum * bv : bv;\n    }\n"
                + "    a0[o0] = " + CudaC.storeF(t, "pv - lr * d") + ";\n  }\n}\n";
        return new Kernel(name, src);
    }

    static Kernel adam(DType t, boolean contiguous, boolean amsgrad) {
        String T = CudaC.type(t);
        String name = "adam_" + CudaC.tag(t) + (contiguous ? "_c" : "_s") + (amsgrad ? "_ams" : "");
        StringBuilder s = new StringBuilder("extern \"C\" __global__ void ").append(name).append("(i64 n, double lr, ")
                .append("double beta1, double beta2, double eps, double wd, i64 decoupled, i64 maximize, ")
                .append("double stepSize, double bc2, L l0, ").append(T).append("* a0, L l1, ").append(T)
                .append("* a1, L l2, ").append(T).append("* a2, L l3, ").append(T).append("* a3, L l4, ").append(T)
                .append("* a4) {\n  GRID_LOOP(i, n) {\n");
        for (int k = 0; k < (amsgrad ? 5 : 4); k++) {
            s.append("    i64 o").append(k).append(" = ").append(c(contiguous, k)).append(";\n");
        }
        s.append("    double pv = ").append(CudaC.loadF(t, "a0[o0]")).append("; double gv = ")
                .append(CudaC.loadF(t, "a1[o1]")).append(";\n")
                .append("    if (maximize) gv = -gv;\n")
                .append("    if (decoupled) pv *= 1 - lr * wd; else gv += wd * pv;\n")
                .append("    double mv = beta1 * ").append(CudaC.loadF(t, "a2[o2]")).append(" + (1 - beta1) * gv;\n")
                .append("    double vv = beta2 * ").append(CudaC.loadF(t, "a3[o3]"))
                .append(" + (1 - beta2) * gv * gv;\n")
                .append("    a2[o2] = ").append(CudaC.storeF(t, "mv")).append("; a3[o3] = ")
                .append(CudaC.storeF(t, "vv")).append(";\n");
        if (amsgrad) {
            s.append("    vv = nmax(vv, ").append(CudaC.loadF(t, "a4[o4]")).append("); a4[o4] = ")
                    .append(CudaC.storeF(t, "vv")).append(";\n");
        }
        s.append("    double denom = sqrt(vv) / bc2 + eps;\n")
                .append("    a0[o0] = ").append(CudaC.storeF(t, "pv - stepSize * mv / denom")).append(";\n  }\n}\n");
        return new Kernel(name, s.toString());
    }

    /** Thread j of {@link #PARTIALS} accumulates elements j, j + PARTIALS, ... in order into partial[j]. */
    static Kernel sumAbsPow(DType t, boolean contiguous) {
        String name = "sumabspow_" + CudaC.tag(t) + (contiguous ? "_c" : "_s");
        String src = "extern \"C\" __global__ void " + name + "(i64 n, double p, L l0, " + CudaC.type(t)
                + "* a0, double* partial) {\n"
                + "  i64 j = blockIdx.x * (i64) blockDim.x + threadIdx.x; if (j >= " + PARTIALS + ") return;\n"
                + "  double acc = 0;\n"
                + "  for (i64 i = j; i < n; i += " + PARTIALS + ") {\n"
                + "    double a = fabs(" + CudaC.loadF(t, "a0[" + CudaC.offset(0, contiguous) + "]") + ");\n"
                + "    if (p == NABLA_INF) acc = (a != a || a > acc) ? a : acc;\n"
                + "    else if (p == 0) acc += a != 0 ? 1.0 : 0.0;\n"
                + "    else if (p == 1) acc += a;\n    else if (p == 2) acc += a * a;\n    else acc += pow(a, p);\n"
                + "  }\n  partial[j] = acc;\n}\n";
        return new Kernel(name, src);
    }

    static Kernel scale(DType t, boolean contiguous) {
        return ElementwiseSource.map("scale_" + CudaC.tag(t) + (contiguous ? "_c" : "_s"),
                new String[] {CudaC.type(t)}, new boolean[] {contiguous},
                "a0[o0] = " + CudaC.storeF(t, CudaC.loadF(t, "a0[o0]") + " * p0") + ";");
    }
}
