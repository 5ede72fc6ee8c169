package io.nabla.backend.cpu;

import io.nabla.backend.BinaryOp;
import io.nabla.backend.ElementwiseMath;
import io.nabla.backend.TernaryOp;
import io.nabla.backend.UnaryOp;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;

/**
 * FP32 elementwise loops over one run: an offset and a stride (in elements) per operand and a length. The op is
 * chosen once per run by a switch; each case is a plain counted loop with absolute buffer accesses that C2 compiles
 * tightly. Unit-stride cases get their own loop for the cheap, memory-bound ops. Arithmetic, min/max, abs, neg,
 * square, relu, leaky_relu and clamp are computed in float (they round exactly as a double computation rounded once
 * would); every other op computes {@code (float) f((double) x)} with the shared {@link ElementwiseMath} functions,
 * so the results equal the reference backend's bit for bit.
 *
 * <p>{@code DoubleLoops} is this file with float replaced by double (Java has no primitive generics): keep the two
 * in step.
 */
final class FloatLoops {

    private FloatLoops() {
    }

    static void unary(UnaryOp op, double p0, double p1, FloatBuffer x, int ox, int sx, FloatBuffer y, int oy, int sy,
                      int n) {
        if (sx == 1 && sy == 1 && unaryContiguous(op, p0, p1, x, ox, y, oy, n)) {
            return;
        }
        float lo = (float) ElementwiseMath.lowerBound(p0);
        float hi = (float) ElementwiseMath.upperBound(p1);
        float slope = (float) p0;
        switch (op) {
            case NEG: for (int i = 0; i < n; i++) y.put(oy + i * sy, -x.get(ox + i * sx)); break;
            case ABS: for (int i = 0; i < n; i++) y.put(oy + i * sy, Math.abs(x.get(ox + i * sx))); break;
            case SQUARE: for (int i = 0; i < n; i++) { float v = x.get(ox + i * sx); y.put(oy + i * sy, v * v); } break;
            case RELU: for (int i = 0; i < n; i++) y.put(oy + i * sy, Math.max(x.get(ox + i * sx), 0f)); break;
            case LEAKY_RELU: for (int i = 0; i < n; i++) { float v = x.get(ox + i * sx); y.put(oy + i * sy, v > 0 ? v : v * slope); } break;
            case CLAMP: for (int i = 0; i < n; i++) y.put(oy + i * sy, Math.min(Math.max(x.get(ox + i * sx), lo), hi)); break;
            case EXP: for (int i = 0; i < n; i++) y.put(oy + i * sy, (float) Math.exp(x.get(ox + i * sx))); break;
            case LOG: for (int i = 0; i < n; i++) y.put(oy + i * sy, (float) Math.log(x.get(ox + i * sx))); break;
            case SQRT: for (int i = 0; i < n; i++) y.put(oy + i * sy, (float) Math.sqrt(x.get(ox + i * sx))); break;
            case RSQRT: for (int i = 0; i < n; i++) y.put(oy + i * sy, (float) (1.0 / Math.sqrt(x.get(ox + i * sx)))); break;
            case SIN: for (int i = 0; i < n; i++) y.put(oy + i * sy, (float) Math.sin(x.get(ox + i * sx))); break;
            case COS: for (int i = 0; i < n; i++) y.put(oy + i * sy, (float) Math.cos(x.get(ox + i * sx))); break;
            case RECIPROCAL: for (int i = 0; i < n; i++) y.put(oy + i * sy, (float) (1.0 / x.get(ox + i * sx))); break;
            case TANH: for (int i = 0; i < n; i++) y.put(oy + i * sy, (float) Math.tanh(x.get(ox + i * sx))); break;
            case SIGMOID: for (int i = 0; i < n; i++) y.put(oy + i * sy, (float) ElementwiseMath.sigmoid(x.get(ox + i * sx))); break;
            case GELU: for (int i = 0; i < n; i++) y.put(oy + i * sy, (float) ElementwiseMath.gelu(x.get(ox + i * sx))); break;
            case GELU_TANH: for (int i = 0; i < n; i++) y.put(oy + i * sy, (float) ElementwiseMath.geluTanh(x.get(ox + i * sx))); break;
            case SILU: for (int i = 0; i < n; i++) y.put(oy + i * sy, (float) ElementwiseMath.silu(x.get(ox + i * sx))); break;
            case SOFTPLUS: for (int i = 0; i < n; i++) y.put(oy + i * sy, (float) ElementwiseMath.softplus(x.get(ox + i * sx), p0, p1)); break;
            case ELU: for (int i = 0; i < n; i++) y.put(oy + i * sy, (float) ElementwiseMath.elu(x.get(ox + i * sx), p0)); break;
            case POW: for (int i = 0; i < n; i++) y.put(oy + i * sy, (float) ElementwiseMath.pow(x.get(ox + i * sx), p0)); break;
            default: // rare ops (sign, affine): one dispatch per element
                for (int i = 0; i < n; i++) {
                    y.put(oy + i * sy, (float) ElementwiseMath.unary(op, x.get(ox + i * sx), p0, p1));
                }
        }
    }

    /** Unit-stride loops of the cheap ops; false when {@code op} has none. */
    private static boolean unaryContiguous(UnaryOp op, double p0, double p1, FloatBuffer x, int ox, FloatBuffer y,
                                           int oy, int n) {
        switch (op) {
            case RELU: for (int i = 0; i < n; i++) y.put(oy + i, Math.max(x.get(ox + i), 0f)); return true;
            case NEG: for (int i = 0; i < n; i++) y.put(oy + i, -x.get(ox + i)); return true;
            case ABS: for (int i = 0; i < n; i++) y.put(oy + i, Math.abs(x.get(ox + i))); return true;
            case SQUARE: for (int i = 0; i < n; i++) { float v = x.get(ox + i); y.put(oy + i, v * v); } return true;
            default: return false;
        }
    }

    static void unaryBackward(UnaryOp op, double p0, double p1, FloatBuffer g, int og, int sg, FloatBuffer s, int os,
                              int ss, FloatBuffer y, int oy, int sy, int n) {
        if (op == UnaryOp.RELU && sg == 1 && ss == 1 && sy == 1) {
            for (int i = 0; i < n; i++) y.put(oy + i, s.get(os + i) <= 0 ? 0f : g.get(og + i));
            return;
        }
        double lo = ElementwiseMath.lowerBound(p0);
        double hi = ElementwiseMath.upperBound(p1);
        switch (op) {
            case RELU: for (int i = 0; i < n; i++) y.put(oy + i * sy, s.get(os + i * ss) <= 0 ? 0f : g.get(og + i * sg)); break;
            case EXP: for (int i = 0; i < n; i++) y.put(oy + i * sy, g.get(og + i * sg) * s.get(os + i * ss)); break;
            case CLAMP: for (int i = 0; i < n; i++) y.put(oy + i * sy, (float) ElementwiseMath.clampGrad(g.get(og + i * sg), s.get(os + i * ss), lo, hi)); break;
            case TANH: for (int i = 0; i < n; i++) { double v = s.get(os + i * ss); y.put(oy + i * sy, (float) (g.get(og + i * sg) * (1.0 - v * v))); } break;
            case SIGMOID: for (int i = 0; i < n; i++) { double v = s.get(os + i * ss); y.put(oy + i * sy, (float) (g.get(og + i * sg) * (1.0 - v) * v)); } break;
            case GELU: for (int i = 0; i < n; i++) y.put(oy + i * sy, (float) ElementwiseMath.geluGrad(g.get(og + i * sg), s.get(os + i * ss))); break;
            case GELU_TANH: for (int i = 0; i < n; i++) y.put(oy + i * sy, (float) ElementwiseMath.geluTanhGrad(g.get(og + i * sg), s.get(os + i * ss))); break;
            case SILU: for (int i = 0; i < n; i++) y.put(oy + i * sy, (float) ElementwiseMath.siluGrad(g.get(og + i * sg), s.get(os + i * ss))); break;
            default: // the other ops: one dispatch per element
                for (int i = 0; i < n; i++) {
                    y.put(oy + i * sy, (float) ElementwiseMath.unaryGrad(op, g.get(og + i * sg), s.get(os + i * ss), p0, p1));
                }
        }
    }

    static void binary(BinaryOp op, FloatBuffer a, int oa, int sa, FloatBuffer b, int ob, int sb, FloatBuffer y,
                       int oy, int sy, int n) {
        if (sa == 1 && sb == 1 && sy == 1) {
            switch (op) {
                case ADD: for (int i = 0; i < n; i++) y.put(oy + i, a.get(oa + i) + b.get(ob + i)); return;
                case SUB: for (int i = 0; i < n; i++) y.put(oy + i, a.get(oa + i) - b.get(ob + i)); return;
                case MUL: for (int i = 0; i < n; i++) y.put(oy + i, a.get(oa + i) * b.get(ob + i)); return;
                case DIV: for (int i = 0; i < n; i++) y.put(oy + i, a.get(oa + i) / b.get(ob + i)); return;
                default: break;
            }
        }
        switch (op) {
            case ADD: for (int i = 0; i < n; i++) y.put(oy + i * sy, a.get(oa + i * sa) + b.get(ob + i * sb)); break;
            case SUB: for (int i = 0; i < n; i++) y.put(oy + i * sy, a.get(oa + i * sa) - b.get(ob + i * sb)); break;
            case MUL: for (int i = 0; i < n; i++) y.put(oy + i * sy, a.get(oa + i * sa) * b.get(ob + i * sb)); break;
            case DIV: for (int i = 0; i < n; i++) y.put(oy + i * sy, a.get(oa + i * sa) / b.get(ob + i * sb)); break;
            case MAXIMUM: for (int i = 0; i < n; i++) y.put(oy + i * sy, Math.max(a.get(oa + i * sa), b.get(ob + i * sb))); break;
            case MINIMUM: for (int i = 0; i < n; i++) y.put(oy + i * sy, Math.min(a.get(oa + i * sa), b.get(ob + i * sb))); break;
            case POW: for (int i = 0; i < n; i++) y.put(oy + i * sy, (float) Math.pow(a.get(oa + i * sa), b.get(ob + i * sb))); break;
            default: throw new IllegalArgumentException(op + " writes bool; use compare");
        }
    }

    static void compare(BinaryOp op, FloatBuffer a, int oa, int sa, FloatBuffer b, int ob, int sb, ByteBuffer y,
                        int oy, int sy, int n) {
        switch (op) {
            case EQ: for (int i = 0; i < n; i++) y.put(oy + i * sy, (byte) (a.get(oa + i * sa) == b.get(ob + i * sb) ? 1 : 0)); break;
            case NE: for (int i = 0; i < n; i++) y.put(oy + i * sy, (byte) (a.get(oa + i * sa) != b.get(ob + i * sb) ? 1 : 0)); break;
            case LT: for (int i = 0; i < n; i++) y.put(oy + i * sy, (byte) (a.get(oa + i * sa) < b.get(ob + i * sb) ? 1 : 0)); break;
            case LE: for (int i = 0; i < n; i++) y.put(oy + i * sy, (byte) (a.get(oa + i * sa) <= b.get(ob + i * sb) ? 1 : 0)); break;
            case GT: for (int i = 0; i < n; i++) y.put(oy + i * sy, (byte) (a.get(oa + i * sa) > b.get(ob + i * sb) ? 1 : 0)); break;
            case GE: for (int i = 0; i < n; i++) y.put(oy + i * sy, (byte) (a.get(oa + i * sa) >= b.get(ob + i * sb) ? 1 : 0)); break;
            default: // logical ops: one dispatch per element
                for (int i = 0; i < n; i++) {
                    boolean r = ElementwiseMath.compare(op, a.get(oa + i * sa), b.get(ob + i * sb));
                    y.put(oy + i * sy, (byte) (r ? 1 : 0));
                }
        }
    }

    /** a + value*b*c or a + value*b/c, each step rounded to float as PyTorch computes FP32. */
    static void ternary(TernaryOp op, double value, FloatBuffer a, int oa, int sa, FloatBuffer b, int ob, int sb,
                        FloatBuffer c, int oc, int sc, FloatBuffer y, int oy, int sy, int n) {
        float v = (float) value;
        if (op == TernaryOp.ADDCMUL) {
            for (int i = 0; i < n; i++) y.put(oy + i * sy, a.get(oa + i * sa) + v * b.get(ob + i * sb) * c.get(oc + i * sc));
        } else {
            for (int i = 0; i < n; i++) y.put(oy + i * sy, a.get(oa + i * sa) + v * b.get(ob + i * sb) / c.get(oc + i * sc));
        }
    }

    static void where(ByteBuffer m, int om, int sm, FloatBuffer a, int oa, int sa, FloatBuffer b, int ob, int sb,
                      FloatBuffer y, int oy, int sy, int n) {
        for (int i = 0; i < n; i++) {
            y.put(oy + i * sy, m.get(om + i * sm) != 0 ? a.get(oa + i * sa) : b.get(ob + i * sb));
        }
    }
}
