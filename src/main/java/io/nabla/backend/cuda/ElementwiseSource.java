package io.nabla.backend.cuda;

import io.nabla.backend.BinaryOp;
import io.nabla.backend.DType;
import io.nabla.backend.TernaryOp;
import io.nabla.backend.UnaryOp;

/**
 * CUDA C of the elementwise kernels, one per signature. Every kernel maps flat indices {@code i < n} of the output
 * shape to each operand's element through its layout ({@code l0.off + i} when contiguous, {@link CudaC#offset}
 * else). Formulas mirror {@code ElementwiseMath} expression by expression, in double for floating dtypes and in
 * 64-bit integers otherwise. (A kernel collection: long because every op has a forward and a gradient formula.)
 */
final class ElementwiseSource {

    private ElementwiseSource() {
    }

    /** A map kernel over operands {@code (type_k, contiguous_k)}: parameters (n, p0, p1, [L lk, Tk* ak]...). */
    static Kernel map(String name, String[] types, boolean[] contiguous, String body) {
        StringBuilder s = new StringBuilder("extern \"C\" __global__ void ").append(name)
                .append("(i64 n, double p0, double p1");
        for (int k = 0; k < types.length; k++) {
            s.append(", L l").append(k).append(", ").append(types[k]).append("* __restrict__ a").append(k);
        }
        s.append(") {\n  GRID_LOOP(i, n) {\n");
        for (int k = 0; k < types.length; k++) {
            s.append("    i64 o").append(k).append(" = ").append(CudaC.offset(k, contiguous[k])).append(";\n");
        }
        s.append("    ").append(body).append("\n  }\n}\n");
        return new Kernel(name, s.toString());
    }

    private static String sig(boolean... contiguous) {
        StringBuilder s = new StringBuilder();
        for (boolean c : contiguous) {
            s.append(c ? 'c' : 's');
        }
        return s.toString();
    }

    static Kernel fill(DType t, boolean c) {
        String v = t.isFloatingPoint() || t == DType.BOOL ? CudaC.storeF(t, "p0") : CudaC.storeI(t, "d2l(p0)");
        return map("fill_" + CudaC.tag(t) + "_" + sig(c), new String[] {CudaC.type(t)}, new boolean[] {c},
                "a0[o0] = " + v + ";");
    }

    /** A dtype conversion; within one dtype a bit copy (NaN payloads kept, as a host copy keeps them). */
    static Kernel copy(DType from, DType to, boolean cs, boolean cd) {
        String v = from == to ? "a0[o0]" : from.isFloatingPoint() ? CudaC.storeF(to, CudaC.loadF(from, "a0[o0]"))
                : CudaC.storeI(to, CudaC.loadI(from, "a0[o0]"));
        return map("copy_" + CudaC.tag(from) + "_" + CudaC.tag(to) + "_" + sig(cs, cd),
                new String[] {CudaC.type(from), CudaC.type(to)}, new boolean[] {cs, cd}, "a1[o1] = " + v + ";");
    }

    static Kernel unary(UnaryOp op, DType t, boolean ci, boolean co) {
        String body;
        if (t.isFloatingPoint()) {
            body = "double x = " + CudaC.loadF(t, "a0[o0]") + "; a1[o1] = " + CudaC.storeF(t, unaryF(op)) + ";";
        } else {
            body = "i64 x = " + CudaC.loadI(t, "a0[o0]") + "; a1[o1] = " + CudaC.storeI(t, unaryI(op)) + ";";
        }
        return map("unary_" + op.name().toLowerCase() + "_" + CudaC.tag(t) + "_" + sig(ci, co),
                new String[] {CudaC.type(t), CudaC.type(t)}, new boolean[] {ci, co}, body);
    }

    static Kernel unaryBackward(UnaryOp op, DType t, boolean cg, boolean cs, boolean co) {
        String body = "double g = " + CudaC.loadF(t, "a0[o0]") + "; double s = " + CudaC.loadF(t, "a1[o1]")
                + "; a2[o2] = " + CudaC.storeF(t, unaryGrad(op)) + ";";
        return map("unarygrad_" + op.name().toLowerCase() + "_" + CudaC.tag(t) + "_" + sig(cg, cs, co),
                new String[] {CudaC.type(t), CudaC.type(t), CudaC.type(t)}, new boolean[] {cg, cs, co}, body);
    }

    static Kernel binary(BinaryOp op, DType t, DType out, boolean ca, boolean cb, boolean co) {
        String body;
        if (t.isFloatingPoint()) {
            String e = op.isComparison() ? "(" + compare(op) + ") ? 1.0 : 0.0" : binaryF(op);
            body = "double a = " + CudaC.loadF(t, "a0[o0]") + "; double b = " + CudaC.loadF(t, "a1[o1]")
                    + "; a2[o2] = " + CudaC.storeF(out, e) + ";";
        } else {
            String e = op.isComparison() ? "(" + compare(op) + ") ? 1 : 0" : binaryI(op);
            body = "i64 a = " + CudaC.loadI(t, "a0[o0]") + "; i64 b = " + CudaC.loadI(t, "a1[o1]")
                    + "; a2[o2] = " + CudaC.storeI(out, e) + ";";
        }
        return map("binary_" + op.name().toLowerCase() + "_" + CudaC.tag(t) + "_" + CudaC.tag(out) + "_"
                + sig(ca, cb, co), new String[] {CudaC.type(t), CudaC.type(t), CudaC.type(out)},
                new boolean[] {ca, cb, co}, body);
    }

    /** addcmul/addcdiv, left to right in the compute type (float for FP32/FP16/BF16), p0 = value. */
    static Kernel ternary(TernaryOp op, DType t, DType out, boolean ca, boolean cb, boolean cc, boolean co) {
        String ct = t == DType.FP64 ? "double" : t.isFloatingPoint() ? "float" : "i64";
        String ld = t.isFloatingPoint() ? "(" + ct + ") " : "";
        String a = ld + (t.isFloatingPoint() ? CudaC.loadF(t, "a0[o0]") : CudaC.loadI(t, "a0[o0]"));
        String b = ld + (t.isFloatingPoint() ? CudaC.loadF(t, "a1[o1]") : CudaC.loadI(t, "a1[o1]"));
        String c = ld + (t.isFloatingPoint() ? CudaC.loadF(t, "a2[o2]") : CudaC.loadI(t, "a2[o2]"));
        String v = t.isFloatingPoint() ? "(" + ct + ") p0" : "d2l(p0)";
        String r = op == TernaryOp.ADDCMUL ? "a + v * b * c" : "a + v * b / c";
        String store = t.isFloatingPoint() ? CudaC.storeF(out, "(double) r") : CudaC.storeI(out, "r");
        String body = ct + " a = " + a + "; " + ct + " b = " + b + "; " + ct + " c = " + c + "; " + ct + " v = " + v
                + "; " + ct + " r = " + r + "; a3[o3] = " + store + ";";
        String tt = CudaC.type(t);
        return map("ternary_" + op.name().toLowerCase() + "_" + CudaC.tag(t) + "_" + CudaC.tag(out) + "_"
                + sig(ca, cb, cc, co), new String[] {tt, tt, tt, CudaC.type(out)}, new boolean[] {ca, cb, cc, co},
                body);
    }

    static Kernel where(DType t, boolean cc, boolean ca, boolean cb, boolean co) {
        String tt = CudaC.type(t);
        return map("where_" + CudaC.tag(t) + "_" + sig(cc, ca, cb, co),
                new String[] {"unsigned char", tt, tt, tt}, new boolean[] {cc, ca, cb, co},
                "a3[o3] = a0[o0] != 0 ? a1[o1] : a2[o2];");
    }

    // ---- formulas (ElementwiseMath in C) ---------------------------------------------------------------------

    static String unaryF(UnaryOp op) {
        return switch (op) {
            case NEG -> "-x";
            case ABS -> "fabs(x)";
            case EXP -> "exp(x)";
            case LOG -> "log(x)";
            case SQRT -> "sqrt(x)";
            case RSQRT -> "1.0 / sqrt(x)";
            case SIN -> "sin(x)";
            case COS -> "cos(x)";
            case RECIPROCAL -> "1.0 / x";
            case SQUARE -> "x * x";
            case TANH -> "tanh(x)";
            case SIGMOID -> "1.0 / (1.0 + exp(-x))";
            case RELU -> "nmax(x, 0.0)";
            case LEAKY_RELU -> "nmax(x, 0.0) + nmin(x, 0.0) * p0";
            case GELU -> "x * 0.5 * (1.0 + erf(x * 0.70710678118654752440))";
            case GELU_TANH -> "0.5 * x * (1.0 + tanh(0.79788456080286535588 * (x + 0.044715 * x * x * x)))";
            case SILU -> "x / (1.0 + exp(-x))";
            case SOFTPLUS -> "(x * p0 > p1 ? x : log1p(exp(x * p0)) / p0)";
            case ELU -> "(x > 0 ? x : p0 * expm1(x))";
            case CLAMP -> "nmin(nmax(x, p0 != p0 ? -NABLA_INF : p0), p1 != p1 ? NABLA_INF : p1)";
            case POW -> "dpow(x, p0)";
            case SIGN -> "(x > 0 ? 1.0 : (x < 0 ? -1.0 : 0.0))";
            case AFFINE -> "x * p0 + p1";
        };
    }

    /** Integer forms; ops that need a floating dtype are converted by the tensor layer first. */
    static String unaryI(UnaryOp op) {
        return switch (op) {
            case NEG -> "-x";
            case ABS -> "(x < 0 ? -x : x)";
            case SQUARE -> "x * x";
            case RELU -> "(x > 0 ? x : 0)";
            case CLAMP -> "imin(imax(x, p0 != p0 ? (-9223372036854775807LL - 1) : d2l(p0)), "
                    + "p1 != p1 ? 9223372036854775807LL : d2l(p1))";
            case POW -> "ipow(x, d2l(p0))";
            case SIGN -> "(i64) ((x > 0) - (x < 0))";
            case AFFINE -> "x * d2l(p0) + d2l(p1)";
            default -> throw new IllegalArgumentException("unary " + op + " needs a floating dtype");
        };
    }

    /** Ops with an integer kernel. */
    static boolean hasIntegerForm(UnaryOp op) {
        return !op.needsFloat() && op != UnaryOp.RSQRT && op != UnaryOp.RECIPROCAL;
    }

    static String unaryGrad(UnaryOp op) {
        return switch (op) {
            case NEG -> "-g";
            case ABS -> "g * (s > 0 ? 1.0 : (s < 0 ? -1.0 : 0.0))";
            case EXP -> "g * s";
            case LOG -> "g / s";
            case SQRT -> "g / (2.0 * s)";
            case RSQRT -> "-0.5 * g * (s * s * s)";
            case SIN -> "g * cos(s)";
            case COS -> "g * -sin(s)";
            case RECIPROCAL -> "-g * (s * s)";
            case SQUARE -> "g * (2.0 * s)";
            case TANH -> "g * (1.0 - s * s)";
            case SIGMOID -> "g * (1.0 - s) * s";
            case RELU -> "(s <= 0 ? 0.0 : g)";
            case LEAKY_RELU -> "(s > 0 ? g : g * p0)";
            case GELU -> "g * (0.5 * (1.0 + erf(s * 0.70710678118654752440)) + s * (exp(-0.5 * s * s) * "
                    + "0.39894228040143267794))";
            case GELU_TANH -> "g * (0.5 * (1.0 + tanh(0.79788456080286535588 * (s + 0.044715 * s * s * s))) + 0.5 * s"
                    + " * (1.0 - tanh(0.79788456080286535588 * (s + 0.044715 * s * s * s)) * tanh(0.79788456080286535588"
                    + " * (s + 0.044715 * s * s * s))) * 0.79788456080286535588 * (1.0 + 3.0 * 0.044715 * s * s))";
            case SILU -> "g * (1.0 / (1.0 + exp(-s))) * (1.0 + s * (1.0 - 1.0 / (1.0 + exp(-s))))";
            case SOFTPLUS -> "(s * p0 > p1 ? g : g * exp(s * p0) / (exp(s * p0) + 1.0))";
            case ELU -> "(s > 0 ? g : g * p0 * exp(s))";
            case CLAMP -> "(s >= (p0 != p0 ? -NABLA_INF : p0) && s <= (p1 != p1 ? NABLA_INF : p1) ? g : 0.0)";
            case POW -> "(p0 == 0.0 ? 0.0 : g * (p0 * dpow(s, p0 - 1.0)))";
            case SIGN -> "0.0";
            case AFFINE -> "g * p0";
        };
    }

    static String binaryF(BinaryOp op) {
        return switch (op) {
            case ADD -> "a + b";
            case SUB -> "a - b";
            case MUL -> "a * b";
            case DIV -> "a / b";
            case POW -> "pow(a, b)";
            case MAXIMUM -> "nmax(a, b)";
            case MINIMUM -> "nmin(a, b)";
            default -> throw new IllegalArgumentException(op + " is a comparison");
        };
    }

    static String binaryI(BinaryOp op) {
        return switch (op) {
            case ADD -> "a + b";
            case SUB -> "a - b";
            case MUL -> "a * b";
            case POW -> "ipow(a, b)";
            case MAXIMUM -> "(a > b ? a : b)";
            case MINIMUM -> "(a < b ? a : b)";
            case DIV -> throw new IllegalArgumentException("DIV is true division; the caller computes it in a "
                    + "floating dtype");
            default -> throw new IllegalArgumentException(op + " is a comparison");
        };
    }

    static String compare(BinaryOp op) {
        return switch (op) {
            case EQ -> "a == b";
            case NE -> "a != b";
            case LT -> "a < b";
            case LE -> "a <= b";
            case GT -> "a > b";
            case GE -> "a >= b";
            case LOGICAL_AND -> "a != 0 && b != 0";
            case LOGICAL_OR -> "a != 0 || b != 0";
            default -> throw new IllegalArgumentException(op + " is not a comparison");
        };
    }
}
